import datetime as dt

import factory
from pypinyin import lazy_pinyin

from guide.tests.factories import CountyFactory
from persons.idnumbers import id_number_make
from persons.models import Guardianship, Person


class PersonFactory(factory.django.DjangoModelFactory):
    """An adult of Luohu, Shenzhen, with a valid ID number and a phone on file."""

    class Meta:
        model = Person

    name_zh = factory.Iterator(["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊"])
    name_pinyin = factory.LazyAttribute(
        lambda p: " ".join(s.capitalize() for s in lazy_pinyin(p.name_zh))
    )
    birth_date = dt.date(1985, 6, 15)
    sex = factory.LazyAttribute(lambda p: "M" if p.sequence % 2 else "F")
    id_number = factory.LazyAttribute(
        lambda p: id_number_make(area="440303", birth_date=p.birth_date, sequence=p.sequence)
    )
    household_region = factory.SubFactory(CountyFactory)
    phone_on_file = factory.Sequence(lambda n: f"+86139{n:08d}")

    class Params:
        sequence = factory.Sequence(lambda n: n % 1000)


class MinorFactory(PersonFactory):
    birth_date = factory.LazyFunction(
        lambda: dt.date.today().replace(day=1) - dt.timedelta(days=8 * 365)
    )
    phone_on_file = ""


class GuardianshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardianship

    guardian = factory.SubFactory(PersonFactory)
    child = factory.SubFactory(MinorFactory)
