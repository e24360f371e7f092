"""The home page and the site-wide navigation."""

import pytest
from django.contrib.auth import get_user_model

from documents.tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db


def english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


def test_the_home_page_shows_the_six_services(client):
    # given a visitor in English
    english(client)
    # when they open the home page
    page = client.get("/").text
    # then all six services of the platform are there, each leading to its pages
    for anchor in (
        "service-endorsements",
        "service-progress",
        "service-appointments",
        "service-documents",
        "service-records",
        "service-guide",
    ):
        assert f'id="{anchor}"' in page
    assert ">Coming</strong>" not in page
    for href in (
        "/endorsements/apply/",
        "/endorsements/",
        "/crossings/",
        "/certificates/",
        "/verify/",
    ):
        assert f'href="{href}"' in page
    # and booking is one click away; processing progress leads to My applications
    assert page.count('href="/appointments/new/"') == 2
    assert 'href="/applications/"' in page and "Processing progress" in page


def test_the_home_page_is_translated(client):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-Hans").text
    for text in ("往来港澳台签注", "办理进度", "出入境记录", "核验"):
        assert text in page


def test_a_citizen_sees_the_citizen_menu(client):
    client.force_login(CitizenFactory())
    english(client)
    page = client.get("/").text
    assert 'href="/documents/"' in page and 'href="/appointments/"' in page
    assert 'href="/staff/"' not in page


def test_a_staff_account_sees_the_staff_navigation_only(client):
    # given an officer's account, signed in
    officer = get_user_model().objects.create_user(
        "officer.test", password="a-long-test-password-1", is_staff=True
    )
    client.force_login(officer)
    english(client)
    # when they open a public page
    page = client.get("/").text
    nav = page[page.index('<nav class="site-nav"') : page.index("</nav>")]
    # then the main navigation leads to the staff pages, not to a citizen's
    assert 'href="/staff/"' in nav
    for citizen_link in ("/documents/", "/appointments/", "/applications/", "/accounts/"):
        assert f'href="{citizen_link}"' not in nav
    # and "Your account" and the citizen pages do not invite them to bind an identity
    assert client.get("/accounts/")["Location"] == "/staff/"
    assert client.get("/documents/")["Location"] == "/staff/"
