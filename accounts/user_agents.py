"""A coarse, readable label for a browser from its User-Agent ("Chrome on Windows"): enough for
a person to recognise their own device on the devices page, no version or build numbers."""

from django.utils.translation import gettext as _

# First match wins: the more specific names come before the engines they are built on.
_BROWSERS = (
    ("MicroMessenger", "WeChat"),
    ("AlipayClient", "Alipay"),
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("HarmonyOS", "HarmonyOS"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Macintosh", "macOS"),
    ("Linux", "Linux"),
)


def _first(user_agent: str, table: tuple[tuple[str, str], ...]) -> str:
    return next((name for marker, name in table if marker in user_agent), "")


def user_agent_summary(user_agent: str | None) -> str:
    """What is kept of a browser's User-Agent: its browser and system names, "Safari;iPhone"
    (language-neutral, short; the User-Agent itself is not stored)."""
    user_agent = user_agent or ""
    return f"{_first(user_agent, _BROWSERS)};{_first(user_agent, _SYSTEMS)}"


_KNOWN = {name for _marker, name in _BROWSERS + _SYSTEMS} | {""}


def _parts(value: str) -> tuple[str, str]:
    """Browser and system from a summary, or from a User-Agent stored before summaries."""
    browser, sep, system = value.partition(";")
    if sep and browser in _KNOWN and system in _KNOWN:
        return browser, system
    return _first(value, _BROWSERS), _first(value, _SYSTEMS)


def user_agent_label(value: str | None) -> str:
    """The label shown, from a summary (user_agent_summary) or a User-Agent: "Chrome on
    Windows", "Safari on iPhone", "Firefox", "Android", or "Unknown browser"."""
    browser, system = _parts(value or "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Unknown browser")
