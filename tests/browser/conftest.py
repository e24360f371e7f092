"""Fixtures of the browser tests: Debian's Chromium driven by Playwright, the demo data, axe-core.

The tests run against pytest-django's `live_server`, in the same process, so they share the
database (transactional: the live server's thread sees committed rows), the settings and the
local-memory cache that the hall directory's version key lives in.
"""

import io
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio loop running in this thread; the ORM calls the tests
# make between page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from axe_playwright_python.sync_playwright import Axe
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from guide.directory import invalidate_directory

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Accept-Language of the browser: a Chinese browser gets the Chinese site, an English one English.
BROWSER_LOCALES = {"zh": "zh-CN", "en": "en-GB"}
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs"
# Every page a journey reaches is photographed here (not committed: test-results/ is ignored).
PAGE_SHOTS_DIR = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
# The phone the journeys of services 3, 4 and 6 run on (a module sets VIEWPORT = PHONE).
PHONE = {"width": 390, "height": 844}
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Name browser tests in the JUnit report, so .ci/run can check they ran and none skipped.
    for item in items:
        if item.get_closest_marker("browser"):
            item.user_properties.append(("marker", "browser"))


# -- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not (os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK)):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM_PATH}: browser tests cannot run. Install it "
            "with `bash scripts/ensure_chromium.sh` (Debian's chromium package) or set "
            "CHROMIUM_PATH to a Chromium executable.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _only_local(url: str) -> bool:
    return re.match(r"^https?://(localhost|127\.0\.0\.1)(:\d+)?/", url) is not None


def new_context(browser: Browser, language: str = "zh", **options) -> BrowserContext:
    """A fresh browser profile; requests outside this machine are refused (no internet)."""
    context = browser.new_context(locale=BROWSER_LOCALES[language], **options)
    context.set_default_timeout(10_000)
    context.route(
        lambda url: not _only_local(url) and not url.startswith("data:"),
        lambda route: route.abort(),
    )
    return context


@pytest.fixture
def context(browser: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    """The browser profile of a test: Chinese, or the test's `language` parameter; the
    module's VIEWPORT (PHONE for the journeys of services 3, 4 and 6), else Playwright's."""
    callspec = getattr(request.node, "callspec", None)
    language = callspec.params.get("language", "zh") if callspec else "zh"
    viewport = getattr(request.module, "VIEWPORT", None)
    context = new_context(browser, language, **({"viewport": viewport} if viewport else {}))
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A page that fails the test on a JavaScript error."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"


# -- accessibility --------------------------------------------------------------------------

_axe = Axe()


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}]"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"       {summary[:300]}")
    return "\n".join(lines)


_shots: dict[str, int] = {}


def page_shot(page: Page) -> Path:
    """Save a screenshot of the page as it is, numbered in the order the test reached it:
    test-results/screenshots/<module>/<test>/<n>-<path>-<width>x<height>.png."""
    test = os.environ.get("PYTEST_CURRENT_TEST", "unknown").split(" ")[0]
    module, _sep, name = test.partition("::")
    folder = PAGE_SHOTS_DIR / Path(module).stem / re.sub(r"[^\w.-]+", "_", name)
    _shots[test] = number = _shots.get(test, 0) + 1
    path_part = re.sub(r"[^\w-]+", "_", page.url.split("://", 1)[-1].split("/", 1)[-1])[:60]
    size = page.viewport_size or {"width": 0, "height": 0}
    target = folder / f"{number:02d}-{path_part or 'home'}-{size['width']}x{size['height']}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    return target


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page as it is; fail on any serious or critical violation. A
    screenshot of every page checked is kept (page_shot)."""
    page.wait_for_load_state("load")
    page_shot(page)
    results = _axe.run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, (
        f"axe-core found {len(blocking)} serious or critical accessibility violation(s) on "
        f"{page.url}:\n{format_violations(blocking)}"
    )


def confirm_new_device(page: Page, phone: str) -> None:
    """After the sign-in form, on the test's fresh browser (a device the account has not seen):
    the site asks for the code sent to the account's phone. Type it from the test gateway (the
    outbox) and confirm; the browser is then remembered."""
    from accounts.gateways import outbox_latest_code

    assert page.url.split("?")[0].endswith("/accounts/login/confirm/"), page.url
    assert_accessible(page)
    code = outbox_latest_code(phone, "new_device")
    assert code is not None and re.fullmatch(r"\d{6}", code), "no new-device code in the outbox"
    page.locator("#id_code").fill(code)
    with page.expect_navigation():
        page.locator("main button[name=confirm]").click()
    assert "/accounts/login/" not in page.url, page.url


# -- the site -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _offline_map(settings) -> None:
    """No tile server: there is no internet while the tests run (a test may set one)."""
    settings.MAP_TILE_URL = ""


# The demo data of a module's tests: the management commands that write it, in order, and the
# apps whose rows are kept. A test module may set DEMO_COMMANDS and DEMO_APPS to load more (the
# registry, demo accounts, demo staff) than the service guide's demo.
DEMO_COMMANDS: tuple[tuple[str, dict], ...] = (("load_demo", {}),)
DEMO_APPS: tuple[str, ...] = ("guide",)


@pytest.fixture(scope="module")
def demo_snapshot(request, django_db_setup, django_db_blocker) -> Iterator[list]:
    """The rows the module's demo commands write, loaded once per module and rolled back.

    Each test's transactional database is emptied after the test, so `demo_data` puts these rows
    back (a bulk insert, ~10 times faster than loading the demo again).
    """
    commands = getattr(request.module, "DEMO_COMMANDS", DEMO_COMMANDS)
    app_labels = getattr(request.module, "DEMO_APPS", DEMO_APPS)
    with django_db_blocker.unblock():
        started = time.monotonic()
        with transaction.atomic():
            for name, options in commands:
                call_command(name, verbosity=0, stdout=io.StringIO(), **options)
            snapshot = [
                (model, list(model._base_manager.order_by("pk")))
                for label in app_labels
                for model in apps.get_app_config(label).get_models(include_auto_created=True)
                if model._meta.managed and not model._meta.proxy
            ]
            transaction.set_rollback(True)
        invalidate_directory()
        print(f"demo data loaded in {time.monotonic() - started:.1f}s")
    yield snapshot
    invalidate_directory()  # no hall of the demo stays in this process's directory


@pytest.fixture
def demo_data(demo_snapshot: list, live_server, transactional_db) -> None:
    """The module's demo data (by default 547 sample halls, guides) in the live server's
    database."""
    with transaction.atomic():  # foreign keys are checked at commit, so any order works
        for model, rows in demo_snapshot:
            if rows:
                model._base_manager.bulk_create(rows, batch_size=500)
    invalidate_directory()


@pytest.fixture
def site(live_server, demo_data) -> str:
    """The base URL of the site, with the demo data loaded."""
    return live_server.url
