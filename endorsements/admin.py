"""Back-office: the endorsement policy (edited by administrators, with history) and read-only
endorsements with their timeline."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.masking import mask_id_number
from staff.admin_access import PersonDataAdmin

from .models import Endorsement, EndorsementEvent, EndorsementPolicy


@admin.register(EndorsementPolicy)
class EndorsementPolicyAdmin(SimpleHistoryAdmin):
    list_display = (
        "destination",
        "type_code",
        "option_code",
        "name_zh",
        "validity_months",
        "trips",
        "stay_days",
        "fee",
        "suspended",
        "effective_from",
        "effective_until",
    )
    list_filter = ("destination", "type_code", "suspended")
    search_fields = ("name_zh", "name_en", "note")


class EndorsementEventInline(admin.TabularInline):
    model = EndorsementEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "from_status", "status", "actor", "reason", "note")
    readonly_fields = fields
    ordering = ("at", "id")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Endorsement)
class EndorsementAdmin(PersonDataAdmin, admin.ModelAdmin):
    list_display = ("number", "applied_at", "destination", "type_code", "status", "holder")
    list_filter = ("status", "destination", "type_code")
    search_fields = ("=number",)
    list_select_related = ("person",)
    inlines = [EndorsementEventInline]
    show_full_result_count = False

    @admin.display(description=_("holder"))
    def holder(self, endorsement: Endorsement) -> str:
        return f"{endorsement.person.name_zh} {mask_id_number(endorsement.person.id_number)}"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
