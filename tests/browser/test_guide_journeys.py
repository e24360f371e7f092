"""Journeys through the service guide in a real browser, in Chinese and in English.

The Chinese texts of the interface may still be untranslated, so in Chinese the tests check the
structure, the addresses of links and the data (hall names are Chinese); in English they also
check the interface's words. axe-core checks every page a journey reaches.
"""

import datetime as dt
import os
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from guide.models import CalendarDay, Guide, Hall

from .conftest import PHONE, SCREENSHOT_DIR, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
# A phone: each page is checked by axe-core and photographed (conftest.page_shot).
VIEWPORT = PHONE

LANGUAGES = ["zh", "en"]
HTML_LANG = {"zh": "zh-Hans", "en": "en"}
LUOHU_PORT = ("22.533", "114.113")
NEAREST_HALL = "440303-01"  # 0.78 km from Luohu port
NEAREST_HALL_ZH = "深圳市罗湖区出入境办证大厅"
NATIONAL_DAY = dt.date(2026, 10, 1)  # public holiday in the official calendar
MAKEUP_SATURDAY = dt.date(2026, 10, 10)  # make-up working day after National Day 2026
MAX_DAYS_BACK = 366  # how far back the hall page shows hours
TIME_RANGE = re.compile(r"\d{2}:\d{2}\s*–\s*\d{2}:\d{2}")


def today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


def open_page(page: Page, url: str, status: int = 200) -> None:
    """Go to a page, check the response status and the page's accessibility."""
    response = page.goto(url)
    assert response is not None
    assert response.status == status, f"{url} answered {response.status}, expected {status}"
    assert_accessible(page)


def choose_language(page: Page, language: str) -> None:
    """Use the header's language button, when the page is not in `language` already."""
    html = page.locator("html")
    if html.get_attribute("lang") != HTML_LANG[language]:
        switch = page.locator("header form.language-switch button[name=language]")
        expect(switch).to_have_text({"en": "English", "zh": "中文"}[language])
        switch.click()
        expect(html).to_have_attribute("lang", HTML_LANG[language])
        assert_accessible(page)


def hall_name(code: str, language: str) -> str:
    hall = Hall.objects.get(code=code)
    return hall.name_zh if language == "zh" else hall.name_en


def search_submit(page: Page) -> None:
    with page.expect_navigation() as navigation:
        page.locator("form.search-form button[type=submit]").click()
    assert navigation.value is not None and navigation.value.status == 200
    assert_accessible(page)


def check_hall_page(page: Page, code: str, language: str) -> None:
    """The hall page: name, address, phone, the hours of seven days and the map links."""
    hall = Hall.objects.get(code=code)
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[language])
    expect(page.locator("h1")).to_have_text(hall_name(code, language))
    rows = page.locator("dl.summary-list .summary-list__row")
    address = hall.address_zh if language == "zh" else hall.address_en
    expect(rows.nth(0).locator("dd")).to_have_text(address)
    phone = rows.nth(1).locator("dd a")
    expect(phone).to_have_text(hall.phone)
    expect(phone).to_have_attribute("href", "tel:" + hall.phone.replace("-", "").replace(" ", ""))
    expect(page.locator("table.hours-table tbody tr")).to_have_count(7)
    expect(page.locator("table.hours-table tbody tr.is-today")).to_have_count(1)
    expect(page.locator(".map__fallback")).to_contain_text(str(float(hall.latitude)))
    links = page.locator("ul.map-links a")
    expect(links).to_have_count(6)
    expect(links.first).to_have_attribute("href", re.compile(r"^https://uri\.amap\.com/marker\?"))
    expect(links.last).to_have_attribute("href", re.compile(rf"^geo:{float(hall.latitude)},"))
    if language == "en":
        expect(rows.nth(0).locator("dt")).to_have_text("Address")
        expect(rows.nth(1).locator("dt")).to_have_text("Phone")
        expect(page.locator("#hours")).to_have_text("Opening hours this week")
        expect(links.first).to_have_text("Amap")
    else:
        expect(links.first).to_have_text("高德地图")


def hours_row(page: Page, date: dt.date):
    return page.locator("table.hours-table tbody tr").filter(has_text=date.isoformat())


def show_hours_from(page: Page, date: dt.date) -> None:
    """Use the hall page's date form to show the hours of seven days from `date`."""
    page.locator("form.week-form input[name=from]").fill(date.isoformat())
    with page.expect_navigation():
        page.locator("form.week-form button[type=submit]").click()
    assert f"from={date.isoformat()}" in page.url
    assert_accessible(page)
    expect(page.locator("form.week-form .error-message")).to_have_count(0)
    expect(page.locator("table.hours-table tbody tr").first).to_contain_text(date.isoformat())


def check_closed_holiday(page: Page, date: dt.date, language: str, name_en: str) -> None:
    cell = hours_row(page, date).locator("td")
    expect(cell.locator(".tag--red")).to_have_count(1)
    expect(cell).not_to_contain_text(TIME_RANGE)
    if language == "en":
        expect(cell).to_contain_text("Closed")
        expect(cell.locator(".tag--red")).to_have_text("Public holiday")
        expect(cell).to_contain_text(name_en)


def check_open_makeup_day(page: Page, date: dt.date, language: str) -> None:
    cell = hours_row(page, date).locator("td")
    expect(cell.locator(".tag--yellow")).to_have_count(1)
    expect(cell).to_contain_text(TIME_RANGE)
    if language == "en":
        expect(cell.locator(".tag--yellow")).to_have_text("Make-up working day")
        expect(cell).not_to_contain_text("Closed")


# -- 1. the nearest hall by coordinates -----------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_newcomer_finds_the_nearest_hall_by_coordinates(page: Page, site: str, language: str):
    # Given a newcomer on the home page, in their language
    open_page(page, site + "/")
    choose_language(page, language)

    # When they go to the hall finder and search near Luohu port
    with page.expect_navigation():
        page.locator("main a[href='/halls/']").click()
    assert_accessible(page)
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[language])
    page.locator("#id_lat").fill(LUOHU_PORT[0])
    page.locator("#id_lng").fill(LUOHU_PORT[1])
    search_submit(page)

    # Then the first result is the Luohu hall, 0.8 km away
    assert "lat=22.533" in page.url and "lng=114.113" in page.url
    first = page.locator("ol.result-list > li").first
    link = first.locator("h3 a")
    expect(link).to_have_attribute("href", f"/halls/{NEAREST_HALL}/")
    expect(link).to_have_text(hall_name(NEAREST_HALL, language))
    if language == "zh":
        expect(link).to_have_text(NEAREST_HALL_ZH)
        expect(first.locator(".distance")).to_contain_text("0.8")
    else:
        expect(first.locator(".distance")).to_have_text("0.8 km away")
        expect(page.locator("#results-heading")).to_have_text(re.compile(r"^\d+ halls? found$"))
        expect(page.locator(".results")).to_contain_text("Nearest first.")
        if os.environ.get("SCREENSHOT") == "1":
            # A phone's screen, scrolled to the results.
            page.set_viewport_size({"width": 390, "height": 844})
            page.locator("#results-heading").scroll_into_view_if_needed()
            page.evaluate("document.getElementById('results-heading').scrollIntoView()")
            page.screenshot(path=SCREENSHOT_DIR / "screenshot-hall-finder.png")
            page.set_viewport_size({"width": 1280, "height": 720})

    # When they open it, then they see its address, phone, the week's hours and map links
    with page.expect_navigation():
        link.click()
    assert page.url.endswith(f"/halls/{NEAREST_HALL}/")
    assert_accessible(page)
    check_hall_page(page, NEAREST_HALL, language)


# -- 2. the nearest hall by the device's location -------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_use_my_location_lists_the_nearest_hall_first(page: Page, site: str, language: str):
    # Given a visitor at Luohu port who lets the site know their location
    page.context.grant_permissions(["geolocation"], origin=site)
    page.context.set_geolocation({"latitude": 22.533, "longitude": 114.113})
    open_page(page, site + "/halls/")
    choose_language(page, language)

    # When they press "Use my location"
    locate = page.locator("button[data-locate]")
    expect(locate).to_be_visible()
    if language == "en":
        expect(locate).to_have_text("Use my location")
    with page.expect_navigation(url=re.compile(r"/halls/\?.*lat=22\.533")):
        locate.click()
    assert_accessible(page)

    # Then the coordinates are filled in and the nearest hall comes first
    expect(page.locator("#id_lat")).to_have_value("22.533000")
    expect(page.locator("#id_lng")).to_have_value("114.113000")
    first = page.locator("ol.result-list > li").first
    expect(first.locator("h3 a")).to_have_attribute("href", f"/halls/{NEAREST_HALL}/")
    expect(first.locator("h3 a")).to_have_text(hall_name(NEAREST_HALL, language))
    expect(first.locator(".distance")).to_contain_text("0.8")
    # and the page lands on the results, not at its top (on a phone they start far down)
    assert page.url.endswith("#results")
    expect(page.locator("#results-heading")).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 300
    # with the opening status and the distance on separate lines
    status_box = first.locator(".result__status").bounding_box()
    distance_box = first.locator(".result__distance").bounding_box()
    assert (
        status_box and distance_box and distance_box["y"] >= status_box["y"] + status_box["height"]
    )


# -- 3. public holidays and make-up working days --------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_hall_hours_show_holidays_and_makeup_days(page: Page, site: str, language: str):
    # Given an administrator's calendar: a holiday in 10 days and a make-up working day on the
    # first weekend day after it (so the test still means something once 2026 is out of reach)
    holiday = today() + dt.timedelta(days=10)
    makeup = next(
        holiday + dt.timedelta(days=n) for n in range(1, 7) if (holiday.weekday() + n) % 7 >= 5
    )
    CalendarDay.objects.create(
        date=holiday, kind="holiday", name_zh="测试假日", name_en="Test holiday"
    )
    CalendarDay.objects.create(
        date=makeup, kind="workday", name_zh="测试调休", name_en="Test make-up day"
    )
    open_page(page, f"{site}/halls/{NEAREST_HALL}/")
    choose_language(page, language)
    check_hall_page(page, NEAREST_HALL, language)

    # When they show the hours from National Day 2026 (while the page allows that date)
    if today() - dt.timedelta(days=MAX_DAYS_BACK) <= NATIONAL_DAY:
        show_hours_from(page, NATIONAL_DAY)
        # Then 1 October is closed, a public holiday
        check_closed_holiday(page, NATIONAL_DAY, language, "National Day")
        if language == "en":
            expect(page.locator("#hours")).to_have_text("Opening hours from 2026-10-01")

        # When they show the hours from Saturday 10 October 2026
        show_hours_from(page, MAKEUP_SATURDAY)
        # Then the hall is open, on a make-up working day
        check_open_makeup_day(page, MAKEUP_SATURDAY, language)

    # When they show the hours from the administrator's holiday
    show_hours_from(page, holiday)
    # Then that day is closed and the make-up working day is open
    check_closed_holiday(page, holiday, language, "Test holiday")
    check_open_makeup_day(page, makeup, language)
    name = "测试假日" if language == "zh" else "Test holiday"
    expect(hours_row(page, holiday).locator("td")).to_contain_text(name)


# -- 4. a service guide ---------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("slug", ["passport-first-application", "passport-renewal"])
def test_reads_the_passport_guide(page: Page, site: str, language: str, slug: str):
    guide = Guide.objects.get(slug=slug)
    title = guide.title_zh if language == "zh" else guide.title_en

    # Given a reader on the list of guides
    open_page(page, site + "/guides/")
    choose_language(page, language)

    # When they open the passport guide
    link = page.locator(f"main a[href='/guides/{slug}/']")
    expect(link).to_have_text(title)
    with page.expect_navigation():
        link.click()
    assert_accessible(page)

    # Then they see what to bring, the fees and the steps
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("#materials + ul.bullet-list > li").first).to_be_visible()
    assert page.locator("#materials + ul.bullet-list > li").count() >= 2
    expect(page.locator("#fees + p")).to_contain_text(re.compile(r"\d+"))
    assert page.locator("#steps + ol.step-list > li").count() >= 2
    expect(page.locator("nav.contents a[href='#faqs']")).to_be_visible()
    if language == "en":
        expect(page.locator("#materials")).to_have_text("What you need")
        expect(page.locator("#fees")).to_have_text("Fees")
        expect(page.locator("#steps")).to_have_text("Steps")
        expect(page.locator("#fees + p")).to_contain_text("RMB")
    else:
        expect(page.locator("#fees + p")).to_contain_text("元")

    # When they open a frequently asked question, then its answer shows
    faq = page.locator("details.details").first
    answer = faq.locator(".details__text")
    expect(answer).to_be_hidden()
    faq.locator("summary").click()
    expect(faq).to_have_attribute("open", "")
    expect(answer).to_be_visible()
    expect(answer).not_to_be_empty()
    assert_accessible(page)


# -- 5. the language switch -----------------------------------------------------------------


def test_language_choice_is_remembered(page: Page, site: str):
    # Given a visitor on the Chinese site (the default)
    open_page(page, site + "/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-Hans")
    switch = page.locator("header form.language-switch button[name=language]")
    expect(switch).to_have_text("English")
    expect(switch).to_have_attribute("lang", "en")

    # When they switch to English, then the page is in English, the same page
    with page.expect_navigation():
        switch.click()
    assert page.url == site + "/"
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Exit-Entry Online Services")
    expect(switch).to_have_text("中文")
    expect(switch).to_have_attribute("lang", "zh-Hans")
    assert_accessible(page)

    # When they go on to the hall finder, then it is still in English
    with page.expect_navigation():
        page.locator("nav.site-nav a[href='/halls/']").click()
    assert_accessible(page)
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Find an exit-entry hall")
    expect(page.locator("nav.site-nav a[href='/halls/']")).to_have_attribute("aria-current", "page")

    # When they switch back to Chinese, then this page and the next are in Chinese
    with page.expect_navigation():
        switch.click()
    assert page.url == site + "/halls/"
    expect(html).to_have_attribute("lang", "zh-Hans")
    expect(switch).to_have_text("English")
    assert_accessible(page)
    open_page(page, site + "/guides/")
    expect(html).to_have_attribute("lang", "zh-Hans")


# -- 6. bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_bad_input_shows_errors_not_a_crash(page: Page, site: str, language: str):
    # Given a visitor on the hall finder
    open_page(page, site + "/halls/")
    choose_language(page, language)

    # When they search with latitude 999
    page.locator("#id_lat").fill("999")
    page.locator("#id_lng").fill(LUOHU_PORT[1])
    search_submit(page)  # a page, not a server error

    # Then an error summary, focused, links to the latitude field, which shows the error
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.locator("a[href='#id_lat']")).to_have_count(1)
    expect(page.locator("#id_lat")).to_have_value("999")
    expect(page.locator("#id_lat")).to_have_attribute("aria-describedby", re.compile("lat-error"))
    expect(page.locator("#lat-error")).to_be_visible()
    expect(page.locator("ol.result-list")).to_have_count(0)
    if language == "en":
        expect(summary.locator("h2")).to_have_text("There is a problem")
        expect(page).to_have_title(re.compile(r"^Error: "))
    summary.locator("a[href='#id_lat']").click()
    assert page.url.endswith("#id_lat")

    # When they open a hall that does not exist, then they get the "not found" page
    open_page(page, f"{site}/halls/999999-99/", status=404)
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[language])
    expect(page.locator("main a[href='/']")).to_have_count(1)
    if language == "en":
        expect(page.locator("h1")).to_have_text("Page not found")


# -- the map without a tile server ----------------------------------------------------------


def test_hall_page_is_useful_when_map_tiles_fail(page: Page, site: str, settings):
    # Given a tile server that cannot be reached
    settings.MAP_TILE_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"
    hall = Hall.objects.get(code=NEAREST_HALL)

    # When a visitor opens a hall page
    open_page(page, f"{site}/halls/{NEAREST_HALL}/")

    # Then the map tries to draw, and the coordinates and map-app links stay on the page
    expect(page.locator("#hall-map .map__canvas")).to_have_count(1)
    expect(page.locator("#hall-map")).to_have_class(re.compile(r"map--tiles-failed"))
    fallback = page.locator(".map__fallback")
    expect(fallback).to_be_visible()
    expect(fallback).to_contain_text(str(float(hall.latitude)))
    expect(fallback).to_contain_text(str(float(hall.longitude)))
    expect(page.locator("ul.map-links a")).to_have_count(6)
    assert_accessible(page)


def test_a_tianditu_style_tile_server_is_asked_with_its_subdomains(page: Page, site: str, settings):
    # Given tiles configured as docs/configuration.md shows for Tianditu (here unreachable)
    settings.MAP_TILE_URL = (
        "http://127.0.0.{s}:9/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec"
        "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
        "&tk=test"
    )
    settings.MAP_TILE_SUBDOMAINS = "1"
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "wmts" in r.url else None)

    # When a visitor opens a hall page
    open_page(page, f"{site}/halls/{NEAREST_HALL}/")

    # Then the tiles are asked from the configured subdomain, with the zoom, row and column
    expect(page.locator("#hall-map")).to_have_class(re.compile(r"map--tiles-failed"))
    assert asked and all(url.startswith("http://127.0.0.1:9/vec_w/wmts?") for url in asked)
    assert any("TILEMATRIX=16&" in url for url in asked)
    # and the page stays useful
    expect(page.locator(".map__fallback")).to_be_visible()
    expect(page.locator("ul.map-links a")).to_have_count(6)
