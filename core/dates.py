"""Dates as people in China read them: Asia/Shanghai, whatever the server's time zone."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today_shanghai(now: dt.datetime | None = None) -> dt.date:
    """Today's date in Asia/Shanghai (of `now`, default the current time)."""
    return (now or timezone.now()).astimezone(SHANGHAI).date()
