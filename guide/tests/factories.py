import datetime as dt

import factory

from guide.models import (
    CalendarDay,
    Guide,
    GuideFAQ,
    Hall,
    HallException,
    OpeningHours,
    Region,
    Service,
)


class ProvinceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "440000"
    name_zh = "广东省"
    name_en = "Guangdong"
    level = Region.Level.PROVINCE
    parent = None


class CityFactory(ProvinceFactory):
    code = "440300"
    name_zh = "深圳市"
    name_en = "Shenzhen"
    level = Region.Level.CITY
    parent = factory.SubFactory(ProvinceFactory)


class CountyFactory(ProvinceFactory):
    code = "440303"
    name_zh = "罗湖区"
    name_en = "Luohu District"
    level = Region.Level.COUNTY
    parent = factory.SubFactory(CityFactory)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("code",)

    code = "passport"
    kind = Service.Kind.DOCUMENT
    name_zh = "普通护照"
    name_en = "Ordinary passport"


STANDARD_HOURS = [(day, dt.time(9), dt.time(12)) for day in range(5)] + [
    (day, dt.time(13, 30), dt.time(17)) for day in range(5)
]


class HallFactory(factory.django.DjangoModelFactory):
    """A hall in Luohu, open Monday to Friday 09:00-12:00 and 13:30-17:00, offering passports."""

    class Meta:
        model = Hall
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"T{n:05d}")
    name_zh = factory.Sequence(lambda n: f"测试出入境办证大厅{n}")
    name_en = factory.Sequence(lambda n: f"Test Exit-Entry Hall {n}")
    region = factory.SubFactory(CountyFactory)
    address_zh = "深圳市罗湖区人民南路1号"
    address_en = "1 Renmin South Road, Luohu District, Shenzhen"
    latitude = 22.5390
    longitude = 114.1170
    phone = "0755-84465000"

    @factory.post_generation
    def hours(self, create, extracted, **kwargs):
        if not create:
            return
        for weekday, opens, closes in STANDARD_HOURS if extracted is None else extracted:
            OpeningHours.objects.create(hall=self, weekday=weekday, opens=opens, closes=closes)

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if not create:
            return
        self.services.set(extracted if extracted is not None else [ServiceFactory()])


class HallExceptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HallException

    hall = factory.SubFactory(HallFactory)
    date = dt.date(2026, 12, 2)
    closed = True
    reason_zh = "系统升级,暂停办理"
    reason_en = "Closed for a system upgrade"


class CalendarDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarDay

    date = dt.date(2027, 1, 1)
    kind = CalendarDay.Kind.HOLIDAY
    name_zh = "元旦"
    name_en = "New Year's Day"


class GuideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guide

    slug = factory.Sequence(lambda n: f"guide-{n}")
    service = factory.SubFactory(ServiceFactory)
    title_zh = "普通护照首次申请"
    title_en = "Ordinary passport: first application"
    summary_zh = "首次申请普通护照。"
    summary_en = "Apply for your first ordinary passport."
    eligibility_zh = "内地居民。"
    eligibility_en = "Mainland residents."
    materials_zh = "居民身份证\n现场采集的照片"
    materials_en = "Resident ID card\nPhoto taken at the hall"
    fees_zh = "120元。"
    fees_en = "RMB 120."
    processing_time_zh = "7个工作日。"
    processing_time_en = "7 working days."
    steps_zh = "在线预约\n到大厅办理"
    steps_en = "Book online\nGo to the hall"
    where_zh = "全国任一出入境办证大厅。"
    where_en = "Any exit-entry hall in the country."


class GuideFAQFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuideFAQ

    guide = factory.SubFactory(GuideFactory)
    question_zh = "可以异地办理吗?"
    question_en = "Can I apply away from home?"
    answer_zh = "可以,全国通办。"
    answer_en = "Yes, at any hall in the country."
