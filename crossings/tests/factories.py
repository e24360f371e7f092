import datetime as dt

import factory
from django.utils import timezone

from crossings.models import Crossing, Direction, Port, PortKind, Side
from crossings.services import crossing_months_add
from documents.tests.factories import PassportFactory


class PortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Port
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"P{n:04d}")
    name_zh = "罗湖口岸"
    name_en = "Luohu"
    kind = PortKind.LAND
    side = Side.HKG


class CrossingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Crossing
        skip_postgeneration_save = True

    document = factory.SubFactory(PassportFactory)
    person = factory.SelfAttribute("document.person")
    port = factory.SubFactory(PortFactory)
    direction = Direction.EXIT
    occurred_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))
    destination = "HKG"
    event_id = factory.Sequence(lambda n: f"ev-{n}")
    received_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def months(self, create, extracted, **kwargs):
        """Count it in its person's month, as the batch insert does."""
        if create:
            crossing_months_add([(self.person_id, self.occurred_at)])
