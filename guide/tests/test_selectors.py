import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from core.errors import InvalidInput, NotFound
from guide import selectors
from guide.calendar import SHANGHAI
from guide.models import Region

from .factories import (
    CalendarDayFactory,
    CityFactory,
    CountyFactory,
    HallExceptionFactory,
    HallFactory,
    ProvinceFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db
LUOHU_PORT = "22.533,114.113"
WEDNESDAY_10AM = dt.datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def halls():
    """Three halls: one by Luohu port, one in Futian, one in Guangzhou offering only passes."""
    pass_service = ServiceFactory(code="hk-macao-pass", name_zh="往来港澳通行证", name_en="HK pass")
    luohu = HallFactory(code="LUOHU", name_zh="罗湖口岸出入境大厅", name_en="Luohu Port Hall")
    futian = HallFactory(
        code="FUTIAN",
        region=CountyFactory(code="440304", name_zh="福田区", name_en="Futian District"),
        name_zh="福田出入境大厅",
        name_en="Futian Hall",
        latitude=Decimal("22.5220"),
        longitude=Decimal("114.0550"),
        address_zh="深圳市福田区福华路1号",
        address_en="1 Fuhua Road, Futian",
    )
    guangzhou_city = CityFactory(code="440100", name_zh="广州市", name_en="Guangzhou")
    guangzhou = HallFactory(
        code="GZ",
        name_zh="广州市出入境接待大厅",
        name_en="Guangzhou Exit-Entry Hall",
        region=guangzhou_city,
        latitude=Decimal("23.1291"),
        longitude=Decimal("113.2644"),
        address_zh="广州市越秀区解放南路155号",
        address_en="155 Jiefang South Road, Yuexiu, Guangzhou",
        services=[pass_service],
        hours=[(d, dt.time(9), dt.time(17)) for d in range(7)],
    )
    return luohu, futian, guangzhou


def codes(page):
    return [r.hall.code for r in page.results]


def test_nearest_first_with_distances(halls):
    # when
    page = selectors.hall_search(near=LUOHU_PORT, now=WEDNESDAY_10AM)
    # then
    assert codes(page) == ["LUOHU", "FUTIAN", "GZ"]
    assert page.results[0].distance_km == pytest.approx(0.78, abs=0.02)
    assert 5.5 < page.results[1].distance_km < 6.5
    assert 100 < page.results[2].distance_km < 110


def test_radius_limits_the_results(halls):
    page = selectors.hall_search(near=LUOHU_PORT, radius_km=10, now=WEDNESDAY_10AM)
    assert codes(page) == ["LUOHU", "FUTIAN"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("罗湖", ["LUOHU"]),
        ("luohu", ["LUOHU"]),
        ("LuoHu port", ["LUOHU"]),
        ("lhka", ["LUOHU"]),  # pinyin initials of 罗湖口岸
        ("guangzhou", ["GZ"]),
        ("越秀", ["GZ"]),
        ("深圳", ["LUOHU", "FUTIAN"]),
        ("shenzhen futian", ["FUTIAN"]),
        ("nowhere", []),
    ],
)
def test_text_search_in_chinese_pinyin_and_english(halls, query, expected):
    page = selectors.hall_search(q=query, now=WEDNESDAY_10AM)
    assert sorted(codes(page)) == sorted(expected)


def test_region_filter_by_province_city_and_county(halls):
    assert sorted(codes(selectors.hall_search(region="440000"))) == ["FUTIAN", "GZ", "LUOHU"]
    assert codes(selectors.hall_search(region="440100")) == ["GZ"]
    assert codes(selectors.hall_search(region="440303")) == ["LUOHU"]
    assert sorted(codes(selectors.hall_search(region="440300"))) == ["FUTIAN", "LUOHU"]


def test_service_filter(halls):
    assert codes(selectors.hall_search(service="hk-macao-pass")) == ["GZ"]


def test_open_now(halls):
    # given Saturday 10:00: only the Guangzhou hall opens at weekends
    saturday = dt.datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
    # when
    page = selectors.hall_search(open_now=True, now=saturday)
    # then
    assert codes(page) == ["GZ"]
    assert page.results[0].status.is_open


def _coming_working_wednesday() -> dt.datetime:
    """10:00 on a Wednesday after today that is an ordinary working day.

    The directory loads hall exceptions from yesterday on, so a closure must lie ahead of the
    real date for the test to mean anything whenever it runs."""
    import chinese_calendar

    day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=1)
    while day.weekday() != 2 or not chinese_calendar.is_workday(day):
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=SHANGHAI)


def test_open_now_respects_a_hall_closure(halls):
    # given a closure of the Luohu hall on a coming working Wednesday
    luohu, _futian, _ = halls
    wednesday = _coming_working_wednesday()
    HallExceptionFactory(hall=luohu, date=wednesday.date())
    # when
    page = selectors.hall_search(open_now=True, region="440300", now=wednesday)
    # then
    assert codes(page) == ["FUTIAN"]


def test_open_now_on_an_official_holiday(halls):
    # 2026-10-01 is National Day: every hall is closed, whatever its weekly hours
    page = selectors.hall_search(open_now=True, now=dt.datetime(2026, 10, 1, 10, tzinfo=SHANGHAI))
    assert page.count == 0


def test_a_calendar_override_closes_every_hall(halls):
    CalendarDayFactory(date=dt.date(2026, 11, 25))
    page = selectors.hall_search(open_now=True, now=WEDNESDAY_10AM)
    assert page.count == 0


def test_pagination(halls):
    page = selectors.hall_search(near=LUOHU_PORT, limit=1, offset=1)
    assert page.count == 3
    assert codes(page) == ["FUTIAN"]
    assert selectors.hall_search(limit=5, offset=10).results == []


def test_inactive_halls_are_not_listed(halls):
    luohu = halls[0]
    luohu.is_active = False
    luohu.save(update_fields=["is_active"])
    assert "LUOHU" not in codes(selectors.hall_search())
    with pytest.raises(NotFound):
        selectors.hall_get(code="LUOHU")


def test_a_new_hall_is_found_at_once(halls):
    # given a directory already built
    assert selectors.hall_search().count == 3
    # when a hall is added
    HallFactory(code="NEW", name_zh="新大厅", name_en="New Hall")
    # then it is found
    assert selectors.hall_search().count == 4


@pytest.mark.parametrize(
    ("near", "message"),
    [
        ("abc", "latitude,longitude"),
        ("22.5", "latitude,longitude"),
        ("1,2,3", "latitude,longitude"),
        ("91,100", "Latitude"),
        ("-90.5,0", "Latitude"),
        ("22,181", "Longitude"),
        ("nan,1", "latitude,longitude"),
        ("1e400,2", "latitude,longitude"),
    ],
)
def test_bad_coordinates_are_refused(halls, near, message):
    with translation.override("en"), pytest.raises(InvalidInput) as raised:
        selectors.hall_search(near=near)
    assert raised.value.errors[0]["field"] == "near"
    assert message in raised.value.detail


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"region": "999999"}, "region"),
        ({"region": "abc"}, "region"),
        ({"service": "visa"}, "service"),
        ({"q": "x" * 101}, "q"),
        ({"radius_km": 5}, "radius_km"),
        ({"near": LUOHU_PORT, "radius_km": 0}, "radius_km"),
        ({"near": LUOHU_PORT, "radius_km": 5001}, "radius_km"),
    ],
)
def test_bad_filters_are_refused(halls, kwargs, field):
    with pytest.raises(InvalidInput) as raised:
        selectors.hall_search(**kwargs)
    assert raised.value.errors[0]["field"] == field
    assert raised.value.status == 422


def test_hall_week_marks_holidays_and_makeup_days(halls):
    luohu = selectors.hall_get(code="LUOHU")
    week = selectors.hall_week(hall=luohu, start=dt.date(2026, 10, 5), days=7)
    by_date = {d.date.isoformat(): d for d in week}
    assert by_date["2026-10-05"].intervals == ()  # National Day holiday, a Monday
    assert by_date["2026-10-08"].intervals  # back to work
    assert by_date["2026-10-10"].intervals  # make-up Saturday
    assert selectors.is_makeup_day(by_date["2026-10-10"])
    assert by_date["2026-10-11"].intervals == ()  # ordinary Sunday


def test_hall_week_refuses_dates_out_of_range(halls):
    luohu = selectors.hall_get(code="LUOHU")
    with pytest.raises(InvalidInput):
        selectors.hall_week(hall=luohu, start=dt.date(2000, 1, 1))
    with pytest.raises(InvalidInput):
        selectors.hall_week(hall=luohu, days=32)


def test_region_list_children_and_unknown_parent():
    CityFactory()
    ProvinceFactory(code="110000", name_zh="北京市", name_en="Beijing")
    assert [r.code for r in selectors.region_list(parent="440000")] == ["440300"]
    assert [r.code for r in selectors.region_list(level=Region.Level.PROVINCE)] == [
        "110000",
        "440000",
    ]
    with pytest.raises(InvalidInput):
        selectors.region_list(parent="123456")


def test_region_choices_lists_provinces_with_their_cities(halls):
    choices = selectors.region_choices()
    assert [(p.code, [c.code for c in below]) for p, below in choices] == [
        ("440000", ["440100", "440300", "440303", "440304"])
    ]
