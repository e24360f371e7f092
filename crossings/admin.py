"""Back-office: ports and their machine credentials.

A credential is created here (or with `manage.py port_credential_create`): its secret is shown
once, in the confirmation message, and never stored. Revoking is an action; nothing is deleted.
Crossings are not listed here: officers read flagged ones on /staff/crossings/flagged/ (access
logged), and a 6.5-billion-row table has no place in a changelist.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Port, PortCredential


class PortCredentialInline(admin.TabularInline):
    model = PortCredential
    extra = 0
    can_delete = False
    fields = ("key_id", "label", "created_at", "revoked_at")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Port)
class PortAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "name_en", "kind", "side", "active")
    list_filter = ("kind", "side", "active")
    search_fields = ("code", "name_zh", "name_en")
    inlines = [PortCredentialInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PortCredential)
class PortCredentialAdmin(admin.ModelAdmin):
    list_display = ("key_id", "port", "label", "created_at", "revoked_at")
    list_filter = ("port",)
    list_select_related = ("port",)
    search_fields = ("key_id", "port__code", "label")
    fields = ("port", "label", "key_id", "created_at", "revoked_at")
    readonly_fields = ("key_id", "created_at", "revoked_at")
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "port") if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["label"])
            return
        credential, secret = services.port_credential_create(port=obj.port, label=obj.label)
        obj.pk, obj.key_id, obj.salt = credential.pk, credential.key_id, credential.salt
        obj.created_at = credential.created_at
        messages.warning(
            request,
            _(
                "Key id %(key)s, secret %(secret)s. Give the secret to the port now: it is not "
                "stored and cannot be shown again."
            )
            % {"key": credential.key_id, "secret": secret},
        )

    @admin.action(description=_("Revoke the selected credentials"))
    def revoke(self, request, queryset):
        for credential in queryset:
            services.port_credential_revoke(credential=credential)
        self.message_user(request, _("Revoked."), messages.SUCCESS)
