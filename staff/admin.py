"""Back-office: staff roles (administrators), the access log (read-only, for those who may)."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.masking import mask_id_number

from .models import AccessLog, StaffRole
from .permissions import Permission
from .selectors import staff_can


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "granted_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__first_name", "user__last_name")
    raw_id_fields = ("user",)
    filter_horizontal = ("halls", "regions")
    list_select_related = ("user",)

    def _may_manage(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or staff_can(request.user, Permission.STAFF_MANAGE)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_manage(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_manage(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may_manage(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_manage(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_manage(request)


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: nobody adds, changes or deletes entries here (nor anywhere else)."""

    list_display = ("at", "staff", "person_masked", "action", "reason", "client_address")
    list_filter = ("action",)
    search_fields = ("staff__username",)
    date_hierarchy = "at"
    list_select_related = ("staff", "person")
    # The whole log (the scoped view for supervisors is /staff/access-log/).
    fields = ("at", "staff", "person_masked", "action", "reason", "client_address")
    readonly_fields = fields
    actions = None

    @admin.display(description=_("person"))
    def person_masked(self, obj: AccessLog) -> str:
        return f"{obj.person.name_zh} {mask_id_number(obj.person.id_number)}"

    def _may_read_all(self, request: HttpRequest) -> bool:
        return staff_can(request.user, Permission.ACCESS_LOG_READ_ALL)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_read_all(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_read_all(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
