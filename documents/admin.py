"""Back-office for administrators: documents (numbers masked in lists) and their history.

Statuses change only through documents.services (the action below), never by editing a field.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.errors import Problem
from core.masking import mask_document_number, mask_id_number
from staff.admin_access import PersonDataAdmin

from . import services
from .models import Document, DocumentEvent, DocumentStatus
from .selectors import document_display_status


class DocumentEventInline(admin.TabularInline):
    model = DocumentEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "from_status", "to_status", "actor", "actor_person", "note")
    readonly_fields = fields
    ordering = ("at", "id")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(PersonDataAdmin, admin.ModelAdmin):
    list_display = (
        "masked_number",
        "type",
        "holder",
        "issued_on",
        "expires_on",
        "shown_status",
    )
    list_filter = ("status", "type")
    # No search by number: finding a person's documents by a number is the staff lookup.
    raw_id_fields = ("person",)
    readonly_fields = ("status", "status_changed_at", "created_at")
    list_select_related = ("person",)
    inlines = [DocumentEventInline]
    actions = ["invalidate"]
    date_hierarchy = "issued_on"
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False  # documents come from the registry (import_registry)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a document's history is kept; invalidate it instead

    @admin.display(description=_("number"), ordering="number")
    def masked_number(self, document: Document) -> str:
        return mask_document_number(document.number)

    @admin.display(description=_("holder"))
    def holder(self, document: Document) -> str:
        return f"{document.person.name_zh} {mask_id_number(document.person.id_number)}"

    @admin.display(description=_("status"))
    def shown_status(self, document: Document) -> str:
        return DocumentStatus(document_display_status(document)).label

    @admin.action(description=_("Invalidate the selected valid documents"))
    def invalidate(self, request, queryset) -> None:
        done = 0
        for document in queryset:
            try:
                services.document_invalidate(
                    document=document, actor=request.user, note="back-office"
                )
            except Problem as problem:
                self.message_user(
                    request,
                    f"{mask_document_number(document.number)}: {problem.detail}",
                    messages.WARNING,
                )
            else:
                done += 1
        if done:
            self.message_user(
                request, _("%(count)s documents invalidated.") % {"count": done}, messages.SUCCESS
            )


@admin.register(DocumentEvent)
class DocumentEventAdmin(admin.ModelAdmin):
    """Read-only: the history is appended by the services and never edited."""

    list_display = ("at", "masked_document", "kind", "from_status", "to_status", "actor")
    list_filter = ("kind", "to_status")
    date_hierarchy = "at"
    list_select_related = ("document", "actor")
    show_full_result_count = False

    @admin.display(description=_("document"))
    def masked_document(self, event: DocumentEvent) -> str:
        return f"{event.document.get_type_display()} {mask_document_number(event.document.number)}"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
