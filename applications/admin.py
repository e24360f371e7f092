"""Back-office of applications: read-only, with the timeline (steps are added by the services)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.masking import mask_id_number
from staff.admin_access import PersonDataAdmin

from .models import Application, ApplicationEvent
from .workflow import APPLICATIONS


class ApplicationEventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "from_status", "status", "actor", "reason", "note")
    readonly_fields = fields
    ordering = ("at", "id")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(PersonDataAdmin, admin.ModelAdmin):
    list_display = ("number", "accepted_at", "hall", "document_type", "kind", "status", "holder")
    list_filter = ("status", "document_type", "kind")
    search_fields = ("=number",)
    date_hierarchy = "accepted_at"
    list_select_related = ("hall", "person")
    inlines = [ApplicationEventInline]
    show_full_result_count = False

    @admin.display(description=_("applicant"))
    def holder(self, application: Application) -> str:
        return f"{application.person.name_zh} {mask_id_number(application.person.id_number)}"

    @admin.display(description=_("possible next steps"))
    def next_steps(self, application: Application) -> str:
        """From the workflow's table (applications.workflow): the same as pages and the API
        offer; the steps are taken on the staff pages, never here."""
        return (
            ", ".join(
                f"{a.name} ({a.label})" for a in APPLICATIONS.actions_from(application.status)
            )
            or "–"
        )

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + ["next_steps"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
