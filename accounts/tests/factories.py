import factory
from django.utils import timezone

from accounts.models import User
from persons.tests.factories import PersonFactory

PASSWORD = "Harbour-Lantern-58"


class UserFactory(factory.django.DjangoModelFactory):
    """A citizen account, not yet bound; signs in with PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    phone = factory.Sequence(lambda n: f"+86137{n:08d}")
    username = factory.LazyAttribute(lambda u: u.phone)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class BoundUserFactory(UserFactory):
    """A citizen account bound to a registry person."""

    person = factory.SubFactory(PersonFactory)
    bound_at = factory.LazyFunction(timezone.now)


class StaffUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"officer{n}")
    phone = None
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
