"""Due and expected dates in working days: the guide's processing time, the national calendar
(public holidays skipped, make-up working days counted, administrators' overrides first)."""

import datetime as dt

import pytest

from applications import deadlines
from guide.models import CalendarDay
from guide.tests.factories import GuideFactory, ServiceFactory

pytestmark = pytest.mark.django_db
D = dt.date


def test_national_day_is_skipped_and_make_up_days_count():
    # Friday 26 September 2025: Saturday off, Sunday 28 a make-up working day
    assert deadlines.add_working_days(D(2025, 9, 26), 1) == D(2025, 9, 28)
    # Tuesday 30 September: 1-8 October are public holidays
    assert deadlines.add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
    # seven working days from the eve of the holiday: 9, 10, 11 (make-up), 13, 14, 15, 16
    assert deadlines.add_working_days(D(2025, 9, 30), 7) == D(2025, 10, 16)


def test_an_administrators_calendar_day_comes_first():
    CalendarDay.objects.create(
        date=D(2025, 9, 29), kind=CalendarDay.Kind.HOLIDAY, name_zh="测试", name_en="Test"
    )
    assert deadlines.add_working_days(D(2025, 9, 28), 1) == D(2025, 9, 30)


def test_lateness_counts_working_days_only():
    assert deadlines.working_days_late(D(2025, 9, 30), D(2025, 10, 9)) == 1
    assert deadlines.working_days_late(D(2025, 10, 9), D(2025, 10, 9)) == 0
    assert deadlines.working_days_late(None, D(2025, 10, 9)) == 0


def test_the_processing_time_comes_from_the_guide(settings):
    service = ServiceFactory(code="hk-macao-pass")
    settings.APPLICATION_PROCESSING_DAYS = 9
    assert deadlines.processing_days(service_code="hk-macao-pass") == 9  # no guide
    GuideFactory(
        service=service,
        processing_time_en="The standard processing time is 5 working days after acceptance.",
        processing_time_zh="标准办理时限为受理后5个工作日。",
    )
    assert deadlines.processing_days(service_code="hk-macao-pass") == 5


def test_the_stages_share_the_total():
    assert deadlines.stage_days(7) == {"review": 3, "production": 3, "dispatch": 1}
    for total in range(1, 31):
        stages = deadlines.stage_days(total)
        assert stages["review"] >= 1 and stages["production"] >= 1
        assert sum(stages.values()) == max(total, 2)  # review and production take a day each
