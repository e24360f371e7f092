"""When halls are open: the national calendar (holidays, make-up working days) and hall hours.

Pure functions over plain data, so the hall directory, the pages and the API share one answer.
Order of authority for a date: an administrator's CalendarDay row, then the official calendar
(chinesecalendar), then the plain rule that Saturday and Sunday are rest days.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import chinese_calendar

from core.dates import SHANGHAI

Interval = tuple[dt.time, dt.time]
WeeklyHours = tuple[tuple[Interval, ...], ...]  # seven entries, Monday first

# Chinese names of the official holidays (the package names them in English).
_HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


class DayKind(StrEnum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    MAKEUP_WORKDAY = "makeup_workday"


@dataclass(frozen=True, slots=True)
class DayInfo:
    date: dt.date
    kind: DayKind
    name_zh: str = ""
    name_en: str = ""
    # False when the official calendar has no data for the year and no override exists.
    confirmed: bool = True


@dataclass(frozen=True, slots=True)
class Override:
    """A CalendarDay row as plain data."""

    is_holiday: bool
    name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class SpecialDay:
    """A HallException row as plain data: closed, or open for the given interval."""

    closed: bool
    interval: Interval | None
    reason_zh: str
    reason_en: str


def day_info(date: dt.date, overrides: Mapping[dt.date, Override]) -> DayInfo:
    """Classify a date as a working day, weekend, public holiday or make-up working day."""
    weekend = date.weekday() >= 5
    override = overrides.get(date)
    if override is not None:
        if override.is_holiday:
            return DayInfo(date, DayKind.HOLIDAY, override.name_zh, override.name_en)
        kind = DayKind.MAKEUP_WORKDAY if weekend else DayKind.WORKDAY
        return DayInfo(date, kind, override.name_zh, override.name_en)
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(date)
    except NotImplementedError:
        return DayInfo(date, DayKind.WEEKEND if weekend else DayKind.WORKDAY, confirmed=False)
    name_zh = _HOLIDAY_NAMES_ZH.get(name, name or "")
    if on_holiday and name:
        return DayInfo(date, DayKind.HOLIDAY, name_zh, name or "")
    if on_holiday:
        return DayInfo(date, DayKind.WEEKEND)
    if weekend:
        return DayInfo(date, DayKind.MAKEUP_WORKDAY, name_zh, name or "")
    return DayInfo(date, DayKind.WORKDAY)


def workday_template(weekly: WeeklyHours) -> tuple[Interval, ...]:
    """The hours a hall keeps on a make-up working day: those of its first open weekday."""
    for day in weekly[:5]:
        if day:
            return day
    return ()


def hours_on(
    weekly: WeeklyHours, info: DayInfo, special: Sequence[SpecialDay] = ()
) -> tuple[Interval, ...]:
    """Return the opening intervals of a hall on one date."""
    if special:
        if any(s.closed for s in special):
            return ()
        return tuple(sorted(s.interval for s in special if s.interval is not None))
    if info.kind == DayKind.HOLIDAY:
        return ()
    regular = weekly[info.date.weekday()]
    if info.kind == DayKind.MAKEUP_WORKDAY and not regular:
        return workday_template(weekly)
    return regular


@dataclass(frozen=True, slots=True)
class OpenStatus:
    is_open: bool
    closes_at: dt.datetime | None  # when open: the end of the current interval
    next_opening: dt.datetime | None  # when closed: the start of the next interval


LOOKAHEAD_DAYS = 45


def status_at(
    now: dt.datetime,
    weekly: WeeklyHours,
    day_of: "DayLookup",
    special: Mapping[dt.date, Sequence[SpecialDay]] | None = None,
) -> OpenStatus:
    """Whether a hall is open at `now` (aware), and when it closes or next opens."""
    local = now.astimezone(SHANGHAI)
    special = special or {}
    today = local.date()
    clock = local.time().replace(tzinfo=None)
    for offset in range(LOOKAHEAD_DAYS):
        date = today + dt.timedelta(days=offset)
        intervals = hours_on(weekly, day_of(date), special.get(date, ()))
        for opens, closes in intervals:
            if offset == 0 and opens <= clock < closes:
                return OpenStatus(True, _at(date, closes), None)
            if offset > 0 or clock < opens:
                return OpenStatus(False, None, _at(date, opens))
    return OpenStatus(False, None, None)


def _at(date: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(date, time, tzinfo=SHANGHAI)


class DayLookup:
    """Memoised day_info for one set of overrides."""

    def __init__(self, overrides: Mapping[dt.date, Override]) -> None:
        self.overrides = dict(overrides)
        self._memo: dict[dt.date, DayInfo] = {}

    def __call__(self, date: dt.date) -> DayInfo:
        info = self._memo.get(date)
        if info is None:
            info = self._memo[date] = day_info(date, self.overrides)
        return info
