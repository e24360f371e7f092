import datetime as dt
import re

import pytest
from django.utils import translation

from .factories import CalendarDayFactory, GuideFactory, GuideFAQFactory, HallFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall():
    return HallFactory(code="LUOHU", name_zh="罗湖口岸出入境大厅", name_en="Luohu Port Hall")


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


def test_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="zh-Hans"' in response.text


def test_search_page_without_a_search_shows_the_form(client, hall):
    response = client.get("/halls/")
    assert response.status_code == 200
    assert 'name="q"' in response.text
    assert "LUOHU" not in response.text


def test_search_near_a_place_lists_distances(client, hall):
    english(client)
    response = client.get("/halls/", {"lat": "22.533", "lng": "114.113"})
    assert response.status_code == 200
    assert "1 hall found" in response.text
    assert "0.8 km away" in response.text
    assert "/halls/LUOHU/" in response.text


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"lat": "999", "lng": "114"}, "lat", "Enter a latitude from -90 to 90"),
        ({"lat": "22.5", "lng": "-181"}, "lng", "Enter a longitude from -180 to 180"),
        ({"lat": "22.5"}, "lng", "Give both latitude and longitude"),
        ({"lat": "north", "lng": "114"}, "lat", "Enter the latitude as a number"),
        ({"region": "999999"}, "region", "Choose a province or city from the list."),
        ({"service": "nothing"}, "service", "Choose a service from the list."),
        ({"q": "x" * 101}, "q", "Enter at most 100 characters"),
        ({"page": "0"}, None, "There is no such page of results"),
        ({"page": "99999999"}, None, "There is no such page of results"),
    ],
)
def test_search_page_bad_input_shows_the_projects_message_by_the_field(
    client, hall, params, field, message
):
    # given a visitor in English, when the search has a value out of range or too long
    english(client)
    response = client.get("/halls/", params)
    # then the page says what to do in the project's words, in the summary and by the field
    assert response.status_code == 200
    text = response.text
    assert "There is a problem" in text and "<title>Error:" in text
    assert message in text
    for stock in ("Ensure this value", "Select a valid choice", "Enter a number."):
        assert stock not in text
    if field:
        assert f'href="#id_{field}"' in text
        by_field = text[text.index(f'id="{field}-error"') :][:300]
        assert message in by_field
    else:
        assert 'href="#results-heading"' in text


def test_search_page_bad_input_in_chinese(client, hall):
    text = client.get("/halls/", {"lat": "999", "lng": "114"}).text
    assert "请输入 -90 至 90 之间的纬度" in text


def test_a_search_lands_on_its_results(client, hall):
    # the form and the page links go to the results, not to the top of the page
    english(client)
    page = client.get("/halls/", {"q": "Luohu"}).text
    assert 'action="/halls/#results"' in page
    assert '<section class="results" id="results"' in page


def test_status_and_distance_are_separate_and_dates_read_the_chinese_way(client, hall):
    # given a search near Luohu port on a day the hall is closed until a later day
    from core.templatetags.site import day_label

    with translation.override("zh-hans"):
        assert day_label(dt.date(2026, 12, 7)) == "12月7日（星期一）"
    with translation.override("en"):
        assert day_label(dt.date(2026, 12, 7)) == "Mon 7 Dec"
    english(client)
    page = client.get("/halls/", {"lat": "22.533", "lng": "114.113"}).text
    # then the distance is its own line, after the status
    assert '<p class="result__distance distance">0.8 km away</p>' in page


def test_search_page_paginates(client):
    for n in range(25):
        HallFactory(code=f"H{n:03d}")
    first = client.get("/halls/", {"q": "测试"})
    assert first.text.count('class="result"') == 20
    second = client.get("/halls/", {"q": "测试", "page": 2})
    assert second.text.count('class="result"') == 5
    assert client.get("/halls/", {"q": "测试", "page": 9}).text.count('class="result"') == 0


def test_hall_page(client, hall):
    english(client)
    response = client.get("/halls/LUOHU/")
    assert response.status_code == 200
    text = response.text
    assert "Luohu Port Hall" in text
    assert "0755-84465000" in text
    assert "uri.amap.com" in text
    assert 'id="hall-map"' in text
    assert "leaflet.js" not in text  # no tile server in tests, so no map script


def test_hall_page_loads_leaflet_from_our_own_static_files(client, hall, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    text = client.get("/halls/LUOHU/").text
    assert "/static/leaflet/leaflet.js" in text
    # every script and stylesheet comes from our own origin (the CSRF token is random text,
    # so look only at the src and href attributes, not at the whole page)
    sources = re.findall(r'(?:src|href)="([^"]+)"', text)
    assets = [s for s in sources if s.endswith((".js", ".css"))]
    assert assets and all(s.startswith("/static/") for s in assets)


def test_hall_page_marks_a_holiday_and_a_makeup_day(client, hall):
    english(client)
    holiday = client.get("/halls/LUOHU/", {"from": "2026-10-01"}).text
    assert "Public holiday" in holiday and "National Day" in holiday
    makeup = client.get("/halls/LUOHU/", {"from": "2026-10-10"}).text
    assert "Make-up working day" in makeup


def test_hall_page_marks_an_administrators_holiday(client, hall):
    CalendarDayFactory(date=dt.date(2027, 1, 1))
    text = client.get("/halls/LUOHU/", {"from": "2027-01-01"}).text
    assert "元旦" in text


def test_hall_page_bad_date_is_explained(client, hall):
    english(client)
    text = client.get("/halls/LUOHU/", {"from": "1999-01-01"}).text
    assert "Choose a date from" in text
    text = client.get("/halls/LUOHU/", {"from": "soon"}).text
    assert "Enter a valid date" in text


def test_unknown_hall_is_a_404_page(client):
    response = client.get("/halls/NOPE/")
    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]


def test_guides_pages(client):
    guide = GuideFactory(slug="passport-first-application")
    GuideFAQFactory(guide=guide)
    english(client)
    listing = client.get("/guides/")
    assert "Ordinary passport: first application" in listing.text
    page = client.get("/guides/passport-first-application/")
    assert page.status_code == 200
    assert "<li>Photo taken at the hall</li>" in page.text
    assert "Can I apply away from home?" in page.text
    assert client.get("/guides/nope/").status_code == 404


def test_language_choice_is_remembered(client, hall):
    # when the citizen switches to English
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/halls/"})
    # then they go back to where they were, and later pages are in English
    assert response.status_code == 302
    assert response["Location"] == "/halls/"
    assert 'lang="en"' in client.get("/guides/").text
    # and back to Chinese
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert 'lang="zh-Hans"' in client.get("/").text


def test_language_from_accept_language(client):
    assert 'lang="en"' in client.get("/", headers={"accept-language": "en-GB,en;q=0.9"}).text
    assert 'lang="zh-Hans"' in client.get("/", headers={"accept-language": "zh-CN"}).text


def test_language_switch_needs_csrf():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 403
    assert "text/html" in response["Content-Type"]


def test_every_page_offers_the_language_switch(client, hall):
    for url in ["/", "/halls/", "/halls/LUOHU/", "/guides/"]:
        assert 'name="language"' in client.get(url).text


def test_a_hall_page_offers_to_book_at_this_hall(client, hall):
    # given a hall offering passports, when its page opens
    english(client)
    page = client.get("/halls/LUOHU/").text
    # then it links into the booking journey with the hall suggested
    assert 'href="/appointments/new/?hall=LUOHU"' in page
    assert "Book an appointment at this hall" in page


def test_a_guide_for_a_document_offers_to_book_to_apply(client, hall):
    guide = GuideFactory(slug="passport-first", service=hall.services.first())
    english(client)
    page = client.get(f"/guides/{guide.slug}/").text
    assert 'href="/appointments/new/?document=passport"' in page
    assert "Book an appointment to apply" in page
