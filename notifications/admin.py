"""Back-office: the outbox, its delivery status, and sending failed messages again."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from staff.admin_access import PersonDataAdmin

from . import services
from .models import Notification


@admin.register(Notification)
class NotificationAdmin(PersonDataAdmin, admin.ModelAdmin):
    """Read-only; the text is a message to one person, so opening it asks why (and is logged)
    when the account is bound to a person."""

    list_display = (
        "created_at",
        "kind",
        "channel",
        "status",
        "attempts",
        "next_attempt_at",
        "in_doubt_at",
        "sent_at",
        "reference",
    )
    list_filter = ("status", "channel", "kind")
    search_fields = ("=reference", "=provider_message_id")
    date_hierarchy = "created_at"
    show_full_result_count = False
    list_select_related = False
    actions = ["send_again"]

    def person_id_of(self, obj) -> int | None:
        return obj.user.person_id

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and obj.user.person_id is None:
            # An account not bound to a person: nobody's registry data is shown.
            return admin.ModelAdmin.change_view(self, request, object_id, form_url, extra_context)
        return super().change_view(request, object_id, form_url, extra_context)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Send the selected messages again"))
    def send_again(self, request, queryset):
        count = services.notifications_retry(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be sent again.",
                "%(count)d messages will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
