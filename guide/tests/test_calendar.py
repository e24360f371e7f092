import datetime as dt

import pytest

from guide.calendar import (
    SHANGHAI,
    DayKind,
    DayLookup,
    Override,
    SpecialDay,
    day_info,
    hours_on,
    status_at,
)

MORNING = (dt.time(9), dt.time(12))
AFTERNOON = (dt.time(13, 30), dt.time(17))
STANDARD = tuple([(MORNING, AFTERNOON)] * 5 + [(), ()])


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("date", "kind", "name_zh"),
    [
        (dt.date(2026, 10, 1), DayKind.HOLIDAY, "国庆节"),
        (dt.date(2026, 10, 10), DayKind.MAKEUP_WORKDAY, "国庆节"),
        (dt.date(2026, 10, 11), DayKind.WEEKEND, ""),
        (dt.date(2026, 11, 25), DayKind.WORKDAY, ""),
        (dt.date(2026, 1, 1), DayKind.HOLIDAY, "元旦"),
    ],
)
def test_day_info_follows_the_official_calendar(date, kind, name_zh):
    # when
    info = day_info(date, {})
    # then
    assert info.kind == kind
    assert info.name_zh == name_zh
    assert info.confirmed


def test_day_info_for_a_year_without_official_data_is_unconfirmed():
    # given a date the calendar package does not cover
    date = dt.date(2031, 3, 4)
    # when
    info = day_info(date, {})
    # then it falls back to the weekday rule and says so
    assert info.kind == DayKind.WORKDAY
    assert not info.confirmed


def test_an_administrators_override_wins():
    # given an override that makes a plain Monday a holiday and a Sunday a working day
    overrides = {
        dt.date(2031, 3, 3): Override(True, "地方假日", "Local holiday"),
        dt.date(2031, 3, 9): Override(False, "调休", "Make-up day"),
    }
    # when / then
    assert day_info(dt.date(2031, 3, 3), overrides).kind == DayKind.HOLIDAY
    assert day_info(dt.date(2031, 3, 9), overrides).kind == DayKind.MAKEUP_WORKDAY
    assert day_info(dt.date(2031, 3, 9), overrides).name_en == "Make-up day"


def test_hours_on_a_holiday_are_none():
    info = day_info(dt.date(2026, 10, 1), {})
    assert hours_on(STANDARD, info) == ()


def test_a_makeup_saturday_keeps_weekday_hours():
    # given a hall closed on Saturdays, and the make-up working Saturday 2026-10-10
    info = day_info(dt.date(2026, 10, 10), {})
    # when / then it opens with its working-day hours
    assert hours_on(STANDARD, info) == (MORNING, AFTERNOON)


def test_a_hall_open_on_saturdays_keeps_its_saturday_hours_on_a_makeup_day():
    weekly = tuple([(MORNING, AFTERNOON)] * 5 + [((dt.time(9), dt.time(11)),), ()])
    info = day_info(dt.date(2026, 10, 10), {})
    assert hours_on(weekly, info) == ((dt.time(9), dt.time(11)),)


def test_special_days_replace_the_regular_hours():
    info = day_info(dt.date(2026, 11, 25), {})
    closed = SpecialDay(True, None, "停电", "Power cut")
    short = SpecialDay(False, (dt.time(10), dt.time(11)), "半天", "Half day")
    assert hours_on(STANDARD, info, [closed]) == ()
    assert hours_on(STANDARD, info, [short]) == ((dt.time(10), dt.time(11)),)


@pytest.mark.parametrize(
    ("now", "is_open", "closes_at", "next_opening"),
    [
        (at(2026, 11, 25, 10, 0), True, at(2026, 11, 25, 12, 0), None),
        (at(2026, 11, 25, 12, 30), False, None, at(2026, 11, 25, 13, 30)),
        (at(2026, 11, 25, 8, 59), False, None, at(2026, 11, 25, 9, 0)),
        (at(2026, 11, 25, 17, 0), False, None, at(2026, 11, 26, 9, 0)),
        (at(2026, 11, 27, 18, 0), False, None, at(2026, 11, 30, 9, 0)),  # Friday evening
        (at(2026, 9, 30, 18, 0), False, None, at(2026, 10, 8, 9, 0)),  # before National Day
        (at(2026, 10, 10, 10, 0), True, at(2026, 10, 10, 12, 0), None),  # make-up Saturday
        (at(2026, 10, 1, 10, 0), False, None, at(2026, 10, 8, 9, 0)),  # on the holiday
    ],
)
def test_status_at(now, is_open, closes_at, next_opening):
    # when
    status = status_at(now, STANDARD, DayLookup({}))
    # then
    assert (status.is_open, status.closes_at, status.next_opening) == (
        is_open,
        closes_at,
        next_opening,
    )


def test_status_accepts_utc_and_answers_in_shanghai_time():
    now = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
    status = status_at(now, STANDARD, DayLookup({}))
    assert status.is_open
    assert status.closes_at == at(2026, 11, 25, 12, 0)


def test_a_hall_with_no_hours_never_opens():
    status = status_at(at(2026, 11, 25, 10), tuple([()] * 7), DayLookup({}))
    assert status == status.__class__(False, None, None)


def test_a_closure_moves_the_next_opening():
    special = {dt.date(2026, 11, 26): [SpecialDay(True, None, "培训", "Staff training")]}
    status = status_at(at(2026, 11, 25, 18), STANDARD, DayLookup({}), special)
    assert status.next_opening == at(2026, 11, 27, 9, 0)
