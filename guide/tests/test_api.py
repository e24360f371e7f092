import datetime as dt
from decimal import Decimal

import pytest

from guide.calendar import SHANGHAI

from .factories import (
    CalendarDayFactory,
    CityFactory,
    GuideFactory,
    GuideFAQFactory,
    HallFactory,
    ProvinceFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


@pytest.fixture
def hall():
    return HallFactory(code="LUOHU", name_zh="罗湖口岸出入境大厅", name_en="Luohu Port Hall")


def problem(response, status, code=None, field=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    if code:
        assert body["code"] == code
    if field:
        assert field in [e["field"] for e in body["errors"]]
    return body


def test_hall_list_nearest(client, hall):
    # given a second hall 100 km away
    HallFactory(code="FAR", latitude=Decimal("23.4"), longitude=Decimal("114.113"))
    # when
    response = client.get("/api/v1/halls", {"near": "22.533,114.113", "limit": 1})
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["next"].endswith("limit=1&offset=1")
    assert body["previous"] is None
    first = body["results"][0]
    assert first["code"] == "LUOHU"
    assert first["distance_km"] == pytest.approx(0.78, abs=0.02)
    assert first["regions"][0] == {
        "code": "440000",
        "name": "广东省",
        "level": "province",
        "parent": None,
    }
    assert first["url"].endswith("/api/v1/halls/LUOHU")


def test_hall_list_in_english(client, hall):
    response = client.get("/api/v1/halls", headers={"accept-language": "en"})
    assert response.json()["results"][0]["name"] == "Luohu Port Hall"
    assert response["Content-Language"] == "en"


def test_hall_list_in_chinese_by_default(client, hall):
    response = client.get("/api/v1/halls")
    assert response.json()["results"][0]["name"] == "罗湖口岸出入境大厅"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 100_001}, "offset"),
        ({"near": "22.5;114.1"}, "near"),
        ({"near": "95,114"}, "near"),
        ({"region": "000000"}, "region"),
        ({"service": "visa"}, "service"),
        ({"open_now": "maybe"}, "open_now"),
        ({"radius_km": 5}, "radius_km"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_hall_list_bad_input_is_a_problem(client, hall, params, field):
    problem(client.get("/api/v1/halls", params), 422, field=field)


def test_validation_messages_follow_the_language(client, hall):
    zh = client.get("/api/v1/halls", {"limit": 0}).json()
    en = client.get("/api/v1/halls", {"limit": 0}, headers={"accept-language": "en"}).json()
    assert en["errors"][0]["message"] == "Enter a value of at least 1."
    assert zh["errors"][0]["message"] != en["errors"][0]["message"]


def test_hall_detail_shows_week_and_map_links(client, hall):
    response = client.get("/api/v1/halls/LUOHU", {"from": "2026-09-30", "days": 3})
    assert response.status_code == 200
    body = response.json()
    assert [d["date"] for d in body["week"]] == ["2026-09-30", "2026-10-01", "2026-10-02"]
    assert body["week"][0]["hours"] == [
        {"opens": "09:00", "closes": "12:00"},
        {"opens": "13:30", "closes": "17:00"},
    ]
    assert body["week"][1]["day_kind"] == "holiday"
    assert body["week"][1]["day_name"] == "国庆节"
    assert body["week"][1]["open"] is False
    keys = [link["key"] for link in body["map_links"]]
    assert keys == ["amap", "baidu", "tencent", "apple", "osm", "geo"]
    amap = body["map_links"][0]["url"]
    # Amap takes GCJ-02, which is offset from WGS-84 by a few hundred metres in Shenzhen
    assert "114.12" in amap and "114.117%2C" not in amap
    assert body["service_details"] == [{"code": "passport", "name": "普通护照", "kind": "document"}]


def test_hall_detail_makeup_day_in_english(client, hall):
    response = client.get(
        "/api/v1/halls/LUOHU", {"from": "2026-10-10", "days": 1}, headers={"accept-language": "en"}
    )
    day = response.json()["week"][0]
    assert (day["day_kind"], day["day_name"], day["open"]) == (
        "makeup_workday",
        "National Day",
        True,
    )


def test_hall_detail_override_and_unconfirmed_years(client, hall):
    CalendarDayFactory(date=dt.date(2027, 1, 1))
    body = client.get("/api/v1/halls/LUOHU", {"from": "2027-01-01", "days": 4}).json()
    assert body["week"][0]["day_kind"] == "holiday"
    assert body["week"][0]["confirmed"] is True
    assert body["week"][3]["confirmed"] is False  # 2027 is not in the official data yet


def test_hall_detail_status(client, hall, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 11, 25, 12, 30, tzinfo=SHANGHAI))
    body = client.get("/api/v1/halls/LUOHU").json()
    assert body["open_now"] is False
    assert body["next_opening"] == "2026-11-25T13:30:00+08:00"


def test_hall_detail_unknown_is_404(client, hall):
    problem(client.get("/api/v1/halls/NOPE"), 404, code="hall_not_found")


@pytest.mark.parametrize(
    ("params", "field"),
    [({"from": "2026-02-30"}, "from"), ({"from": "1999-01-01"}, "from"), ({"days": 0}, "days")],
)
def test_hall_detail_bad_dates(client, hall, params, field):
    problem(client.get("/api/v1/halls/LUOHU", params), 422, field=field)


def test_unknown_api_path_and_method(client):
    problem(client.get("/api/v1/nothing-here"), 404)
    body = problem(client.post("/api/v1/halls", {}), 405)
    assert "POST" in body["detail"]


def test_regions(client):
    CityFactory()
    ProvinceFactory(code="110000", name_zh="北京市", name_en="Beijing")
    body = client.get("/api/v1/regions", {"level": "province"}).json()
    assert [r["code"] for r in body["results"]] == ["110000", "440000"]
    body = client.get("/api/v1/regions", {"parent": "440000"}, headers={"accept-language": "en"})
    assert body.json()["results"] == [
        {"code": "440300", "name": "Shenzhen", "level": "city", "parent": "440000"}
    ]
    problem(client.get("/api/v1/regions", {"parent": "999999"}), 422, field="parent")
    problem(client.get("/api/v1/regions", {"level": "planet"}), 422, field="level")


def test_services(client):
    ServiceFactory()
    assert client.get("/api/v1/services", headers={"accept-language": "en"}).json() == [
        {"code": "passport", "name": "Ordinary passport", "kind": "document"}
    ]


def test_guides(client, django_assert_max_num_queries):
    guide = GuideFactory(slug="passport-first-application")
    GuideFAQFactory(guide=guide)
    GuideFactory(slug="hk-pass", service=ServiceFactory(code="hk-macao-pass"))
    client.get("/api/v1/guides", {"service": "passport"})  # builds the directory (services)
    with django_assert_max_num_queries(2):  # count + one page, however many guides
        body = client.get("/api/v1/guides", {"service": "passport"}).json()
    assert [g["slug"] for g in body["results"]] == ["passport-first-application"]
    detail = client.get(
        "/api/v1/guides/passport-first-application", headers={"accept-language": "en"}
    ).json()
    assert detail["materials"] == ["Resident ID card", "Photo taken at the hall"]
    assert detail["steps"] == ["Book online", "Go to the hall"]
    assert detail["faqs"] == [
        {"question": "Can I apply away from home?", "answer": "Yes, at any hall in the country."}
    ]
    problem(client.get("/api/v1/guides/nope"), 404, code="guide_not_found")
    problem(client.get("/api/v1/guides", {"service": "visa"}), 422, field="service")


def test_unpublished_guides_are_hidden(client):
    GuideFactory(slug="draft", is_published=False)
    assert client.get("/api/v1/guides").json()["count"] == 0
    problem(client.get("/api/v1/guides/draft"), 404)


def test_openapi_document(client):
    body = client.get("/api/v1/openapi.json").json()
    assert body["info"]["version"] == "1"
    for path in ["/api/v1/halls", "/api/v1/halls/{code}", "/api/v1/regions", "/api/v1/guides"]:
        assert path in body["paths"]
