"""Back-office: the fee table (administrators edit it), and receptions read-only (no personal
data and no photo here: officers see those through the access-logged staff pages)."""

from django.contrib import admin
from django.http import HttpRequest

from staff.permissions import Permission
from staff.selectors import staff_can

from .models import Fee, Reception


def _may_manage(request: HttpRequest) -> bool:
    return request.user.is_superuser or staff_can(request.user, Permission.STAFF_MANAGE)


@admin.register(Fee)
class FeeAdmin(admin.ModelAdmin):
    list_display = ("document_type", "kind", "amount", "valid_from", "note", "updated_at")
    list_filter = ("document_type", "kind")
    date_hierarchy = "valid_from"
    fields = ("document_type", "kind", "amount", "valid_from", "note")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_manage(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return _may_manage(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _may_manage(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return _may_manage(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # A fee that was charged stays (Reception.fee protects it); add a newer row instead.
        return _may_manage(request)


@admin.register(Reception)
class ReceptionAdmin(admin.ModelAdmin):
    list_display = (
        "day",
        "hall",
        "queue_number",
        "appointment",
        "checked_in_at",
        "materials_checked_at",
        "fingerprints_at",
        "photo_at",
        "fee_paid_at",
    )
    list_filter = ("day",)
    search_fields = ("appointment__number", "hall__code")
    date_hierarchy = "day"
    list_select_related = ("hall", "appointment")
    fields = (
        "appointment",
        "hall",
        "day",
        "queue_number",
        "checked_in_at",
        "checked_in_by",
        "materials_checked_at",
        "materials_checked_by",
        "fingerprints_at",
        "fingerprints_by",
        "photo_at",
        "photo_by",
        "fee_amount",
        "fee_method",
        "fee_receipt",
        "fee_paid_at",
        "fee_paid_by",
    )
    readonly_fields = fields
    actions = None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _may_manage(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return _may_manage(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
