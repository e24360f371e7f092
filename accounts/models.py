"""Who signs in: citizens (by mobile number) and staff, their one-time codes and API tokens."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .phones import mask_phone
from .user_agents import user_agent_label


class User(AbstractUser):
    """A person who signs in.

    Citizens sign in with their mainland mobile number (stored in E.164, also their username);
    staff have a username and a role (staff.StaffRole). A citizen's account is bound to at most
    one person of the population registry, and a person to at most one account.
    """

    # NULL, not "", for staff without a phone, so the unique constraint allows many of them.
    phone = models.CharField(_("mobile number"), max_length=20, null=True, blank=True)  # noqa: DJ001
    person = models.OneToOneField(
        "persons.Person",
        verbose_name=_("bound person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account",
    )
    bound_at = models.DateTimeField(_("bound at"), null=True, blank=True)
    # Set when the person proved the address with a code sent to it (email_change_confirm);
    # messages go by email only to a confirmed address.
    email_confirmed_at = models.DateTimeField(_("email confirmed at"), null=True, blank=True)
    # The language of every message sent to the account (notifications, one-time codes): set
    # from the site's language at registration, changed on the account page, through the API
    # (PATCH me) or by switching the site's language while signed in.
    language = models.CharField(
        _("language of messages"),
        max_length=10,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        default="zh-hans",
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(fields=["phone"], name="user_phone_unique"),
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="user_email_unique_ci"
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=True, bound_at__isnull=True)
                | Q(person__isnull=False, bound_at__isnull=False),
                name="user_binding_complete",
            ),
            models.CheckConstraint(
                condition=Q(language__in=["zh-hans", "en"]), name="user_language_known"
            ),
        ]

    def __str__(self) -> str:
        # A citizen's username is their mobile number: masked wherever the account is named
        # (admin lists, admin history, logs).
        return mask_phone(self.phone) if self.phone else self.get_username()

    @property
    def is_bound(self) -> bool:
        return self.person_id is not None

    @property
    def has_confirmed_email(self) -> bool:
        return bool(self.email) and self.email_confirmed_at is not None

    def get_session_auth_hash(self) -> str:
        """The hash that keeps a session valid: it follows the password AND the mobile number,
        so that changing either ends every other session of the account."""
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.password}\x1f{self.phone or ''}",
            algorithm="sha256",
        ).hexdigest()


class VerificationCode(models.Model):
    """A one-time code sent by SMS or email: hashed, short-lived, single-use, 5 tries."""

    class Purpose(models.TextChoices):
        REGISTER = "register", _("Registration")
        RESET_PASSWORD = "reset_password", _("Password reset")
        CHANGE_PHONE = "change_phone", _("Change of mobile number")
        CHANGE_EMAIL = "change_email", _("Change of email")
        BIND_IDENTITY = "bind_identity", _("Real-name binding")
        STEP_UP = "step_up", _("Confirmation of a sensitive action")
        NEW_DEVICE = "new_device", _("Sign-in on a new device")

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("Email")

    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # Where it was sent, as a keyed hash (so the table holds no phone numbers in clear).
    destination_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=128)
    # Keyed hash of the address the code was asked from: limits count per number AND address.
    requester_hash = models.CharField(max_length=64, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    # What the code will confirm (pending registration, the person to bind, the new address).
    payload = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["purpose", "destination_hash", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(attempts__lte=5), name="code_at_most_5_tries"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"


class KnownDevice(models.Model):
    """A browser or app installation on which the account once confirmed a code sent to its
    phone: it signs in (or gets a token) with the password alone from then on.

    The device id is a random value kept by the device (the website's signed cookie, or the
    `device_id` an app sends); only its keyed hash is stored. `name` is the device name an app
    gave, or for a browser the browser and system names of its User-Agent ("Safari;iPhone",
    accounts.user_agents.user_agent_summary), never the User-Agent itself.
    """

    class Kind(models.TextChoices):
        WEB = "web", _("Browser")
        APP = "app", _("App")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="known_devices"
    )
    device_hash = models.CharField(max_length=64)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("device"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("first confirmed"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("known device")
        verbose_name_plural = _("known devices")
        constraints = [
            models.UniqueConstraint(fields=["user", "device_hash"], name="known_device_once"),
            models.CheckConstraint(condition=Q(kind__in=["web", "app"]), name="known_device_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"

    @property
    def label(self) -> str:
        """What the person sees: a browser as "Chrome on Windows" (never its full User-Agent),
        an app by the device name it gave."""
        if self.kind == self.Kind.WEB:
            return user_agent_label(self.name)
        return self.name or gettext("Unnamed device")


class ApiToken(models.Model):
    """A bearer token of an app or mini-program: only its hash is stored; revocable."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("device"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LoginEvent(models.Model):
    """One sign-in, failed sign-in, lockout or sign-out: appended, never edited."""

    class Kind(models.TextChoices):
        SUCCESS = "success", _("Signed in")
        FAILURE = "failure", _("Failed sign-in")
        LOCKOUT = "lockout", _("Locked out")
        LOGOUT = "logout", _("Signed out")

    class Channel(models.TextChoices):
        WEB = "web", _("Website")
        API = "api", _("API session")
        TOKEN = "token", _("App token")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="login_events",
    )
    # Masked: the event log never holds a full mobile number.
    phone_masked = models.CharField(_("mobile number (masked)"), max_length=32, blank=True)
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("sign-in event")
        verbose_name_plural = _("sign-in events")
        indexes = [models.Index(fields=["user", "-at"], name="loginevent_user_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.phone_masked}"
