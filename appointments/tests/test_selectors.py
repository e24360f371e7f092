"""appointments.selectors: the booking state (no-show rule and active appointment in one read)
and what to bring, memoised per directory snapshot."""

import datetime as dt
import re

import pytest
import segno
from django.test.utils import override_settings
from django.utils import timezone, translation

from appointments import selectors
from appointments.applying import guide_slug
from appointments.models import AppointmentStatus
from guide.models import Guide
from guide.tests.factories import GuideFactory
from persons.tests.factories import PersonFactory

from .factories import AppointmentFactory, SlotFactory

pytestmark = pytest.mark.django_db


def _ended(person, *, days_ago: float, status=AppointmentStatus.NO_SHOW, document="passport"):
    start = timezone.now() - dt.timedelta(days=days_ago)
    return AppointmentFactory(
        person=person,
        document_type=document,
        status=status,
        slot=SlotFactory(starts_at=start, ends_at=start + dt.timedelta(minutes=30)),
    )


@override_settings(
    APPOINTMENT_NO_SHOW_LIMIT=2,
    APPOINTMENT_NO_SHOW_WINDOW_DAYS=30,
    APPOINTMENT_NO_SHOW_BLOCK_DAYS=20,
)
def test_booking_state_counts_missed_times_in_the_window_only(django_assert_num_queries):
    # given two no-shows, one inside the window and one outside, a cancelled one inside
    person = PersonFactory()
    _ended(person, days_ago=5)
    _ended(person, days_ago=40)
    _ended(person, days_ago=6, status=AppointmentStatus.CANCELLED)
    # when / then: one missed in 30 days is under the limit of 2; all read in one query
    with django_assert_num_queries(1):
        state = selectors.booking_state(person_id=person.pk, document_type="passport")
    assert state.block is None and state.active is None
    # given a second miss in the window: still booked from an earlier day (not yet marked)
    _ended(person, days_ago=3, status=AppointmentStatus.BOOKED, document="taiwan_permit")
    state = selectors.booking_state(person_id=person.pk, document_type="passport")
    # then blocked until 20 days after the latest miss, with the count
    assert state.block is not None and state.block.missed == 2
    latest = timezone.now() - dt.timedelta(days=3) + dt.timedelta(minutes=30)
    assert abs(state.block.until - (latest + dt.timedelta(days=20))) < dt.timedelta(seconds=5)
    assert selectors.booking_block(person=person) == state.block


@override_settings(APPOINTMENT_NO_SHOW_LIMIT=1, APPOINTMENT_NO_SHOW_BLOCK_DAYS=2)
def test_a_block_ends_after_its_days_and_a_time_booked_today_is_not_missed_yet():
    # given "now" at noon, Beijing time, and a time still booked that ended at 11:00 today
    now = timezone.now().astimezone(selectors.SHANGHAI).replace(hour=12, minute=0)
    person = PersonFactory()
    _ended(
        person,
        days_ago=(timezone.now() - now).total_seconds() / 86400 + 1 / 24,
        status=AppointmentStatus.BOOKED,
    )
    # then it is not counted (the hall may still mark it): no block
    assert selectors.booking_state(person_id=person.pk, now=now).block is None
    # when the day is over, it counts: blocked for 2 days after its end
    tomorrow = now + dt.timedelta(days=1)
    assert selectors.booking_state(person_id=person.pk, now=tomorrow).block is not None
    # and 3 days later the block is over
    later = now + dt.timedelta(days=3)
    assert selectors.booking_state(person_id=person.pk, now=later).block is None


def test_booking_state_finds_the_active_appointment_of_that_document_only():
    person = PersonFactory()
    passport = AppointmentFactory(person=person, slot=SlotFactory(starts_at=timezone.now()))
    AppointmentFactory(person=person, status=AppointmentStatus.CANCELLED)
    state = selectors.booking_state(person_id=person.pk, document_type="passport")
    assert state.active == passport
    assert selectors.active_appointment(person_id=person.pk, document_type="passport") == passport
    none = selectors.booking_state(person_id=person.pk, document_type="hk_macao_pass")
    assert none.active is None
    # checked in counts as active too
    passport.status = AppointmentStatus.CHECKED_IN
    passport.save()
    assert selectors.active_appointment(person_id=person.pk, document_type="passport") == passport


def test_what_to_bring_follows_a_guide_edit_at_once(django_assert_num_queries):
    # given the guide of passport renewals, read once
    slug = guide_slug("passport", "renewal")
    Guide.objects.filter(slug=slug).delete()
    guide = GuideFactory(slug=slug, materials_en="ID card\n- Old passport\n\n")
    appointment = AppointmentFactory()
    with translation.override("en"):
        assert selectors.what_to_bring(appointment) == ["ID card", "Old passport"]
        # then the next reads need no query
        with django_assert_num_queries(0):
            assert selectors.what_to_bring(appointment) == ["ID card", "Old passport"]
        # when the guide changes, the next read shows the change
        guide.materials_en = "ID card\nTwo photos"
        guide.save()
        assert selectors.what_to_bring(appointment) == ["ID card", "Two photos"]
        # and an unpublished guide lists nothing
        guide.is_published = False
        guide.save()
        assert selectors.what_to_bring(appointment) == []
    with translation.override("zh-hans"):
        guide.is_published = True
        guide.save()
        assert selectors.what_to_bring(appointment) == ["居民身份证", "现场采集的照片"]


def _modules_drawn(svg: str, border: int) -> set[tuple[int, int]]:
    """The dark modules an SVG from qr_svg draws, read back from its path."""
    path = re.search(r'stroke="#0b0c0c" d="([^"]*)"', svg).group(1)
    drawn = set()
    for x, y, length in re.findall(r"M(\d+) (\d+)\.5h(\d+)", path):
        for dx in range(int(length)):
            drawn.add((int(x) + dx - border, int(y) - border))
    return drawn


def test_the_check_in_qr_draws_exactly_the_dark_modules_of_the_code():
    # given an appointment and the QR code segno makes for it
    appointment = AppointmentFactory.build(number="PFD8ZAMBSJWN")
    qr = segno.make(selectors.appointment_checkin_code(appointment), error="m", mask=0)
    dark = {(x, y) for y, row in enumerate(qr.matrix) for x, bit in enumerate(row) if bit}
    # when it is drawn
    svg = selectors.appointment_qr_svg(appointment)
    # then every dark module and nothing else is drawn, inside a quiet zone, scalable by CSS
    assert _modules_drawn(svg, border=2) == dark
    size = len(qr.matrix) + 4
    assert f'viewBox="0 0 {size} {size}"' in svg and f'width="{size * 5}"' in svg
    assert "<script" not in svg and "href" not in svg


def test_what_to_bring_keeps_the_materials_that_apply_to_the_applicant():
    # given a guide with conditional materials, as the demo guides have
    slug = guide_slug("passport", "renewal")
    Guide.objects.filter(slug=slug).delete()
    GuideFactory(
        slug=slug,
        materials_en="ID card\n[under16] Guardian's ID card\n[16+] Employer's consent",
    )
    child = AppointmentFactory(person__birth_date=dt.date.today() - dt.timedelta(days=3650))
    adult = AppointmentFactory(person__birth_date=dt.date(1980, 1, 1))
    with translation.override("en"):
        # then a 10-year-old is not asked for the consent of an employer, an adult is
        assert selectors.what_to_bring(child) == ["ID card", "Guardian's ID card"]
        assert selectors.what_to_bring(adult) == ["ID card", "Employer's consent"]
