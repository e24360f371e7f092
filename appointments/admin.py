"""Back-office of appointments: hall capacity per service, slots (closing them with a reason),
and the appointments with their history, read-only.

Capacity and closures go through appointments.services, so future slots follow a capacity change
and the citizens booked in a closed slot are told.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.errors import Problem
from core.masking import mask_id_number
from staff.admin_access import PersonDataAdmin

from . import services
from .models import Appointment, AppointmentEvent, ServiceCapacity, Slot, SlotWatch


@admin.register(ServiceCapacity)
class ServiceCapacityAdmin(admin.ModelAdmin):
    list_display = (
        "hall",
        "service",
        "counters",
        "applicants_per_hour",
        "slot_minutes",
        "updated_at",
    )
    list_filter = ("service",)
    search_fields = ("hall__code", "hall__name_zh", "hall__name_en")
    raw_id_fields = ("hall",)
    list_select_related = ("hall", "service")

    def save_model(self, request, obj, form, change) -> None:
        try:
            saved = services.capacity_set(
                hall=obj.hall,
                service=obj.service,
                counters=obj.counters,
                applicants_per_hour=obj.applicants_per_hour,
                slot_minutes=obj.slot_minutes,
                actor=request.user,
            )
        except Problem as problem:
            self.message_user(request, problem.detail, messages.ERROR)
            return
        obj.pk = saved.pk


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = (
        "starts_at",
        "hall",
        "service",
        "capacity",
        "booked",
        "is_closed",
        "released_at",
    )
    list_filter = ("is_closed", "service", "date")
    search_fields = ("hall__code", "hall__name_zh", "hall__name_en")
    date_hierarchy = "date"
    raw_id_fields = ("hall",)
    list_select_related = ("hall", "service")
    readonly_fields = ("booked", "is_closed", "closed_reason_zh", "closed_reason_en")
    actions = ["close_slots"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False  # slots are made from the hall's hours (slots_generate)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # close a slot instead: its bookings are cancelled and the citizens told

    @admin.action(description=_("Close the selected slots (cancels their bookings)"))
    def close_slots(self, request, queryset):
        if not request.user.has_perm("appointments.change_slot"):
            raise PermissionDenied
        reason_zh = (request.POST.get("reason_zh") or "").strip()
        reason_en = (request.POST.get("reason_en") or "").strip()
        if "apply" not in request.POST or not reason_zh or not reason_en:
            return render(
                request,
                "admin/appointments/slot/close.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Close slots"),
                    "slots": queryset.select_related("hall", "service")[:200],
                    "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
                    "missing_reason": "apply" in request.POST,
                    "opts": self.model._meta,
                },
            )
        cancelled = closed = 0
        for slot in queryset.filter(is_closed=False):
            cancelled += services.slot_close(
                slot=slot, reason_zh=reason_zh, reason_en=reason_en, actor=request.user
            )
            closed += 1
        self.message_user(
            request,
            _("%(closed)d slots closed, %(cancelled)d bookings cancelled and their citizens told.")
            % {"closed": closed, "cancelled": cancelled},
            messages.SUCCESS,
        )
        return None


class AppointmentEventInline(admin.TabularInline):
    model = AppointmentEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "from_status", "to_status", "actor", "note")
    readonly_fields = fields
    ordering = ("at", "id")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Appointment)
class AppointmentAdmin(PersonDataAdmin, admin.ModelAdmin):
    """Read-only: appointments change through the citizen's pages and the hall reception."""

    list_display = ("number", "starts_at", "hall", "document_type", "kind", "status", "holder")
    list_filter = ("status", "document_type", "kind", "walk_in")
    search_fields = ("=number",)
    date_hierarchy = "starts_at"
    list_select_related = ("hall", "person")
    inlines = [AppointmentEventInline]
    show_full_result_count = False
    exclude = ("idempotency_key", "request_hash")

    @admin.display(description=_("applicant"))
    def holder(self, appointment: Appointment) -> str:
        return f"{appointment.person.name_zh} {mask_id_number(appointment.person.id_number)}"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in self.exclude]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SlotWatch)
class SlotWatchAdmin(admin.ModelAdmin):
    list_display = ("created_at", "hall", "service", "date_from", "date_to", "notified_at")
    list_filter = ("service",)
    list_select_related = ("hall", "service")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
