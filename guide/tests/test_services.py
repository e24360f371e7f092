import datetime as dt

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from guide import selectors
from guide.models import Guide, Hall, HallException, OpeningHours, Region, Service
from guide.regions import english_name, gbt2260_regions
from guide.services import hall_upsert, services_load

from .factories import CountyFactory, HallFactory

pytestmark = pytest.mark.django_db

HALL = {
    "code": "440303-99",
    "name_zh": "测试大厅",
    "name_en": "Test Hall",
    "region_code": "440303",
    "address_zh": "深圳市罗湖区",
    "address_en": "Luohu, Shenzhen",
    "latitude": 22.54,
    "longitude": 114.12,
    "phone": "0755-84465000",
    "hours": [[0, "09:00", "12:00"], [0, "13:30", "17:00"]],
    "services": ["passport"],
}


def test_regions_cover_all_31_provinces():
    rows = gbt2260_regions()
    provinces = [r for r in rows if r.level == "province"]
    assert len(provinces) == 31
    by_code = {r.code: r for r in rows}
    assert by_code["440300"].name_zh == "深圳市"
    assert by_code["440303"].name_zh == "罗湖区"  # a renamed division keeps its current name
    assert by_code["440303"].parent == "440300"
    assert by_code["110105"].parent == "110000"  # municipality districts hang under the city
    assert all(r.parent in by_code for r in rows if r.parent)


@pytest.mark.parametrize(
    ("zh", "en"),
    [
        ("深圳市", "Shenzhen"),
        ("罗湖区", "Luohu District"),
        ("朝阳区", "Chaoyang District"),
        ("黔东南苗族侗族自治州", "Qiandongnan Prefecture"),
    ],
)
def test_english_names(zh, en):
    assert english_name(zh) == en


def test_hall_upsert_is_idempotent():
    CountyFactory()
    services_load()
    first = hall_upsert(data=HALL)
    second = hall_upsert(data=HALL | {"phone": "0755-00000000"})
    assert first.pk == second.pk
    assert Hall.objects.get(code="440303-99").phone == "0755-00000000"
    assert OpeningHours.objects.filter(hall=first).count() == 2


def test_hall_upsert_refuses_unknown_services_and_rolls_back():
    CountyFactory()
    services_load()
    with pytest.raises(ValueError, match="visa"):
        hall_upsert(data=HALL | {"services": ["visa"]})
    assert not Hall.objects.filter(code="440303-99").exists()


def test_the_database_refuses_inverted_hours_and_bad_locations():
    hall = HallFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningHours.objects.create(hall=hall, weekday=0, opens=dt.time(12), closes=dt.time(9))
    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningHours.objects.create(hall=hall, weekday=9, opens=dt.time(9), closes=dt.time(12))
    with pytest.raises(IntegrityError), transaction.atomic():
        Hall.objects.filter(pk=hall.pk).update(latitude=95)
    with pytest.raises(IntegrityError), transaction.atomic():
        HallException.objects.create(
            hall=hall, date=dt.date(2026, 12, 1), closed=False, reason_zh="x", reason_en="x"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="990000", name_zh="x", name_en="x", level="city")


@pytest.mark.django_db(transaction=True)
def test_load_demo_is_idempotent_and_complete():
    call_command("load_demo")
    halls = Hall.objects.count()
    assert halls >= 300
    provinces = {code[:2] for code in Hall.objects.values_list("region_id", flat=True)}
    assert len(provinces) == 31
    assert Hall.objects.filter(is_sample=False).count() == 0
    assert Guide.objects.count() == 19
    assert set(Guide.objects.values_list("service__code", flat=True)) == set(
        Service.objects.values_list("code", flat=True)
    )
    # Running it again changes nothing.
    call_command("load_demo")
    assert Hall.objects.count() == halls
    # The nearest demo hall to Luohu port is within walking distance.
    nearest = selectors.hall_search(near="22.533,114.113", limit=1).results[0]
    assert nearest.distance_km < 1.5
    gongbei = selectors.hall_search(near="22.218,113.548", limit=1).results[0]
    assert gongbei.distance_km < 2
