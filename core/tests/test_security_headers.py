"""A strict Content-Security-Policy everywhere; no-store on the API, signed-in pages and
downloads."""

import pytest
from django.test import Client

from accounts.tests.factories import BoundUserFactory

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, str]:
    parts = [p.strip() for p in response["Content-Security-Policy"].split(";")]
    return {p.split(" ", 1)[0]: p.split(" ", 1)[1] if " " in p else "" for p in parts}


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/v1/docs", "/api/v1/halls"])
def test_every_answer_has_a_strict_policy(client, path):
    policy = _policy(client.get(path))
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in " ".join(policy.values())


def test_map_tiles_are_allowed_as_images(settings):
    settings.MAP_TILE_URL = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    policy = _policy(Client().get("/"))
    assert "https://*.tile.example.org" in policy["img-src"].split()


def test_pages_have_no_inline_script(client):
    # given the pages a visitor sees / then no script without a src (the policy would block it)
    import re

    for path in ["/", "/accounts/login/", "/accounts/register/", "/api/v1/docs"]:
        html = client.get(path).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or "application/json" in tag, (path, tag)
        assert not re.search(r"\son[a-z]+=\"", html), path


def test_api_answers_are_not_stored(client):
    assert "no-store" in client.get("/api/v1/halls")["Cache-Control"]
    assert "no-store" in client.get("/api/v1/me")["Cache-Control"]


def test_signed_in_pages_are_not_stored(client):
    client.force_login(BoundUserFactory())
    assert "no-store" in client.get("/accounts/")["Cache-Control"]
    assert "no-store" in client.get("/documents/")["Cache-Control"]


def test_public_pages_may_be_cached(client):
    assert "no-store" not in client.get("/").get("Cache-Control", "")
