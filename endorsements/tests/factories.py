import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from documents.tests.factories import CitizenFactory, HkMacaoPassFactory, days_from_today
from endorsements.models import (
    Channel,
    Endorsement,
    EndorsementPolicy,
    EndorsementStatus,
    ExitRestriction,
)


class PolicyFactory(factory.django.DjangoModelFactory):
    """Hong Kong individual travel, 3 months, 1 trip, 7 days, 15 yuan, Guangdong residents."""

    class Meta:
        model = EndorsementPolicy
        django_get_or_create = ("destination", "type_code", "option_code", "effective_from")

    destination = "HKG"
    type_code = "G"
    option_code = "3m1"
    name_zh = "个人旅游"
    name_en = "Individual travel"
    validity_months = 3
    trips = 1
    stay_days = 7
    fee = Decimal("15.00")
    eligible_regions = factory.LazyFunction(lambda: ["440000"])
    effective_from = dt.date(2019, 1, 1)


class EndorsementFactory(factory.django.DjangoModelFactory):
    """An active endorsement on a Hong Kong/Macao pass, valid from today for 3 months."""

    class Meta:
        model = Endorsement

    number = factory.Sequence(lambda n: f"HG{n:012d}")
    application_number = factory.Sequence(lambda n: f"99{n:012d}")
    document = factory.SubFactory(HkMacaoPassFactory)
    person = factory.SelfAttribute("document.person")
    policy = factory.SubFactory(PolicyFactory)
    destination = factory.SelfAttribute("policy.destination")
    type_code = factory.SelfAttribute("policy.type_code")
    valid_from = factory.LazyFunction(lambda: days_from_today(-1))
    valid_until = factory.LazyFunction(lambda: days_from_today(90))
    trips_total = factory.SelfAttribute("policy.trips")
    stay_days = factory.SelfAttribute("policy.stay_days")
    fee = factory.SelfAttribute("policy.fee")
    channel = Channel.KIOSK
    status = EndorsementStatus.ACTIVE
    applied_by = factory.SubFactory(CitizenFactory, person=factory.SelfAttribute("..person"))
    applied_at = factory.LazyFunction(timezone.now)


class ExitRestrictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExitRestriction

    legal_basis = "Exit and Entry Administration Law, art. 12"
    ends_on = factory.LazyFunction(lambda: days_from_today(365))
    placed_at = factory.LazyFunction(timezone.now)
