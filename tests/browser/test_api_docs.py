"""The interactive API documentation at /api/v1/docs, in a real browser without internet."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_api_docs_render_every_operation_without_console_errors(live_server, page: Page):
    # given a browser that reaches nothing outside this machine (no CDN)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    # when the API documentation opens
    response = page.goto(live_server.url + "/api/v1/docs")
    assert response is not None and response.status == 200
    # then Swagger UI renders the operations, with no parser error and no console error
    # (Swagger UI renders 100+ operations: slow on a busy 2-core machine)
    expect(page.locator(".opblock").first).to_be_visible(timeout=60_000)
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/halls").first).to_be_visible(
        timeout=30_000
    )
    expect(page.locator(".errors-wrapper")).to_have_count(0)
    page.wait_for_load_state("networkidle")
    assert not problems, f"console errors: {problems}"
    assert not [url for url in outside if not url.startswith("data:")], outside
