import factory
from django.utils import timezone

from documents.tests.factories import CitizenFactory
from notifications.models import Notification


class ConfirmedEmailCitizenFactory(CitizenFactory):
    email = factory.Sequence(lambda n: f"citizen{n}@example.com")
    email_confirmed_at = factory.LazyFunction(timezone.now)


class NotificationFactory(factory.django.DjangoModelFactory):
    """A text message queued for a citizen, due now."""

    class Meta:
        model = Notification

    user = factory.SubFactory(CitizenFactory)
    channel = Notification.Channel.SMS
    kind = "appointment_booked"
    subject = "Appointment booked"
    text = factory.Sequence(lambda n: f"Appointment booked: {n:04d}")
    reference = factory.Sequence(lambda n: f"appointment:{n:012d}")
    language = "en"
