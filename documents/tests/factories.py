import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from documents.models import Document, DocumentEvent, DocumentStatus, DocumentType
from guide.calendar import SHANGHAI
from persons.tests.factories import PersonFactory


class PassportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    person = factory.SubFactory(PersonFactory)
    type = DocumentType.PASSPORT
    number = factory.Sequence(lambda n: f"E{10000000 + n:08d}")
    issued_on = dt.date(2020, 3, 1)
    expires_on = dt.date(2030, 2, 28)
    issuing_authority_zh = "国家移民管理局"
    issuing_authority_en = "National Immigration Administration"


class HkMacaoPassFactory(PassportFactory):
    type = DocumentType.HK_MACAO_PASS
    number = factory.Sequence(lambda n: f"C{10000000 + n:08d}")


class TaiwanPermitFactory(PassportFactory):
    type = DocumentType.TAIWAN_PERMIT
    number = factory.Sequence(lambda n: f"L{10000000 + n:08d}")


class DocumentEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentEvent

    document = factory.SubFactory(PassportFactory)
    kind = DocumentEvent.Kind.RECORDED
    from_status = ""
    to_status = DocumentStatus.VALID
    on_behalf_of = factory.SelfAttribute("document.person")


class CitizenFactory(factory.django.DjangoModelFactory):
    """A citizen's account bound to a registry person (real-name binding done)."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    username = factory.Sequence(lambda n: f"+86137{n:08d}")
    phone = factory.SelfAttribute("username")
    bound_at = factory.LazyFunction(timezone.now)
    password = factory.django.Password("a-long-test-password-1")


class UnboundCitizenFactory(CitizenFactory):
    person = None
    bound_at = None


def days_from_today(days: int) -> dt.date:
    """A date relative to today in Asia/Shanghai (what the selectors compare with)."""
    return dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=days)
