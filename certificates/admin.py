"""Back-office of certificates: read-only (issued by citizens, revoked on the staff pages with a
reason, /staff/certificates/), with the events. The signed PDF itself is never shown here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.masking import mask_id_number
from staff.admin_access import PersonDataAdmin

from .models import Certificate, CertificateEvent


class CertificateEventInline(admin.TabularInline):
    model = CertificateEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "actor", "reason")
    readonly_fields = fields
    ordering = ("at", "id")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Certificate)
class CertificateAdmin(PersonDataAdmin, admin.ModelAdmin):
    list_display = ("issued_at", "kind", "holder", "record_count", "signature_level", "revoked_at")
    list_filter = ("kind", "signature_level")
    date_hierarchy = "issued_at"
    list_select_related = ("person",)
    inlines = [CertificateEventInline]
    show_full_result_count = False
    fields = (
        "kind",
        "holder",
        "period_start",
        "period_end",
        "purpose",
        "issued_at",
        "record_count",
        "signature_level",
        "pdf_sha256",
        "content_sha256",
        "revoked_at",
        "revoked_reason",
        "revoked_by",
    )

    @admin.display(description=_("holder"))
    def holder(self, certificate: Certificate) -> str:
        return f"{certificate.person.name_zh} {mask_id_number(certificate.person.id_number)}"

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
