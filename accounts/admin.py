"""Back-office: accounts (masked numbers in lists), sign-in events (read-only), API tokens."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from staff.admin_access import NoPersonalLookups

from .models import ApiToken, LoginEvent, User
from .phones import mask_phone
from .services.tokens import token_revoke


class _ReadOnly(NoPersonalLookups, admin.ModelAdmin):
    """Rows written by the services only: viewable, never added, edited or deleted here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(NoPersonalLookups, DjangoUserAdmin):
    """Citizens' accounts show their mobile number masked, and are not searched by it (a
    citizen's username is the number): staff accounts are searched by username."""

    list_display = ("masked_username", "masked_phone", "is_bound", "is_staff", "is_active")
    list_filter = ("is_staff", "is_active", ("person", admin.EmptyFieldListFilter))
    search_fields = ("username",)
    search_help_text = _("A staff member's username. Citizens are found through the staff lookup.")
    raw_id_fields = ("person",)
    readonly_fields = ("bound_at", "last_login", "date_joined", "masked_phone", "masked_username")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Citizen"), {"fields": ("phone", "person", "bound_at")}),
    )

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term:
            results = results.filter(phone__isnull=True)  # staff only: no search by number
        return results, may_have_duplicates

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not obj.phone:
            return fieldsets
        # A citizen: the number (also the username) shown masked, changed only by the citizen
        # with a code sent to the new number.
        hidden = {"username", "phone", "email", "first_name", "last_name"}
        cleaned = [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in fieldsets
        ]
        return [
            (None, {"fields": ["masked_username", "masked_phone"]}),
            *[(name, options) for name, options in cleaned if options["fields"]],
        ]

    @admin.display(description=_("username"), ordering="username")
    def masked_username(self, obj: User) -> str:
        # A citizen's username is their mobile number.
        return mask_phone(obj.username) if obj.phone else obj.username

    @admin.display(description=_("mobile number"))
    def masked_phone(self, obj: User) -> str:
        return mask_phone(obj.phone) if obj.phone else "—"

    @admin.display(description=_("bound"), boolean=True)
    def is_bound(self, obj: User) -> bool:
        return obj.person_id is not None


@admin.register(LoginEvent)
class LoginEventAdmin(_ReadOnly):
    list_display = ("at", "kind", "channel", "phone_masked", "user_id", "client_address")
    list_filter = ("kind", "channel")
    date_hierarchy = "at"
    search_fields = ("phone_masked", "client_address")
    list_select_related = ("user",)


@admin.register(ApiToken)
class ApiTokenAdmin(_ReadOnly):
    list_display = (
        "name",
        "prefix",
        "user_phone",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "prefix")
    exclude = ("key_hash",)
    list_select_related = ("user",)
    actions = ["revoke"]

    @admin.display(description=_("account"))
    def user_phone(self, obj: ApiToken) -> str:
        return mask_phone(obj.user.phone) if obj.user.phone else obj.user.username

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("accounts.change_apitoken")

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request, queryset) -> None:
        count = 0
        for token in queryset.select_related("user"):
            if token.revoked_at is None:
                token_revoke(user=token.user, token_id=token.pk)
                count += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )
