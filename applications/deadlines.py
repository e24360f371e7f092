"""Due dates of an application's stages and its expected completion date, in working days.

The total comes from the guide of the document's service ("7 working days after your application
is accepted": `Guide.processing_time_*`), split over the stages: review, production, and
dispatch (ready at the hall or mailed). Working days follow the national calendar: public
holidays are not counted, make-up working days on weekends are (guide.calendar.day_info, with the
administrators' CalendarDay overrides).
"""

import datetime as dt
import re

from django.conf import settings

from guide.calendar import DayKind, Override, day_info
from guide.models import CalendarDay, Guide

_WORKING = {DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY}
_DAYS_EN = re.compile(r"(\d{1,2})\s+working days?", re.IGNORECASE)
_DAYS_ZH = re.compile(r"(\d{1,2})\s*个工作日")


def processing_days(*, service_code: str) -> int:
    """The standard processing time of a service in working days, read from its guide; the
    setting APPLICATION_PROCESSING_DAYS when no guide states one."""
    texts = Guide.objects.filter(service__code=service_code, is_published=True).values_list(
        "processing_time_en", "processing_time_zh"
    )
    for english, chinese in texts:
        found = _DAYS_EN.search(english or "") or _DAYS_ZH.search(chinese or "")
        if found:
            return max(1, int(found.group(1)))
    return settings.APPLICATION_PROCESSING_DAYS


def stage_days(total: int) -> dict[str, int]:
    """How the total splits over the stages: review, production, dispatch (3 + 3 + 1 of 7)."""
    review = max(1, round(total * 3 / 7))
    dispatch = 1 if total >= 3 else 0
    production = max(1, total - review - dispatch)
    return {"review": review, "production": production, "dispatch": dispatch}


def _overrides(start: dt.date, end: dt.date) -> dict[dt.date, Override]:
    return {
        day.date: Override(day.kind == CalendarDay.Kind.HOLIDAY, day.name_zh, day.name_en)
        for day in CalendarDay.objects.filter(date__gt=start, date__lte=end)
    }


def is_working_day(date: dt.date, overrides: dict[dt.date, Override] | None = None) -> bool:
    return day_info(date, overrides or {}).kind in _WORKING


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (start itself not counted)."""
    # Long holidays (Spring Festival, National Day) add at most ~10 days per week counted.
    overrides = _overrides(start, start + dt.timedelta(days=days * 3 + 21))
    date, left = start, days
    while left > 0:
        date += dt.timedelta(days=1)
        if is_working_day(date, overrides):
            left -= 1
    return date


def working_days_late(due: dt.date | None, today: dt.date) -> int:
    """How many working days after `due` today is (0 when not late)."""
    if due is None or today <= due:
        return 0
    overrides = _overrides(due, today)
    count, date = 0, due
    while date < today:
        date += dt.timedelta(days=1)
        count += is_working_day(date, overrides)
    return count
