import factory
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from staff.models import AccessLog, Role, StaffRole

STAFF_PASSWORD = "staff-password-123"
CITIZEN_PASSWORD = "citizen-password-123"


class StaffUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    password = factory.django.Password(STAFF_PASSWORD)


class CitizenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"+8613800{n:06d}")
    phone = factory.LazyAttribute(lambda u: u.username)
    password = factory.django.Password(CITIZEN_PASSWORD)


class StaffRoleFactory(factory.django.DjangoModelFactory):
    """A role; pass halls=[...] and regions=[...] for its scope."""

    class Meta:
        model = StaffRole
        skip_postgeneration_save = True

    user = factory.SubFactory(StaffUserFactory)
    role = Role.HALL_OFFICER

    @factory.post_generation
    def halls(self, create, extracted, **kwargs):
        if create and extracted:
            self.halls.set(extracted)

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create and extracted:
            self.regions.set(extracted)


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(StaffUserFactory)
    name = "phone"
    confirmed = True


class AccessLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessLog

    staff = factory.SubFactory(StaffUserFactory)
    person = factory.SubFactory("persons.tests.factories.PersonFactory")
    action = "lookup"
    reason = "Checking application A2026-0001 at the counter"
    client_address = "192.0.2.10"


def totp_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The device's code now (or `steps_ahead` 30-second steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + steps_ahead * device.step
    return f"{totp.token():06d}"
