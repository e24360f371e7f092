"""Slot making: a hall's times for each document service, made from its opening hours, the
public holidays and its exceptions, at the capacity set for it. Writes only: the reads of
availability (selectors.availability) call `slots_generate` only when handed it by their
caller, so that selectors never import this module's writes."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from core.dates import SHANGHAI
from guide.directory import get_directory

from . import selectors
from .applying import DOCUMENT_SERVICE, SERVICE_DOCUMENT
from .models import ServiceCapacity, Slot


@dataclass(frozen=True)
class Capacity:
    counters: int
    applicants_per_hour: int
    slot_minutes: int

    @property
    def per_slot(self) -> int:
        return max(1, self.counters * self.applicants_per_hour * self.slot_minutes // 60)


def _capacities(hall_ids: list[int]) -> dict[tuple[int, int], Capacity]:
    return {
        (c.hall_id, c.service_id): Capacity(c.counters, c.applicants_per_hour, c.slot_minutes)
        for c in ServiceCapacity.objects.filter(hall_id__in=hall_ids)
    }


def _default_capacity() -> Capacity:
    return Capacity(
        settings.APPOINTMENT_DEFAULT_COUNTERS,
        settings.APPOINTMENT_DEFAULT_APPLICANTS_PER_HOUR,
        settings.APPOINTMENT_DEFAULT_SLOT_MINUTES,
    )


def _day_slots(hall, service_id: int, date: dt.date, capacity: Capacity) -> list[Slot]:
    released = selectors.released_at_for(date)
    step = dt.timedelta(minutes=capacity.slot_minutes)
    made = []
    for opens, closes in selectors.open_intervals(hall, date):
        start = dt.datetime.combine(date, opens, tzinfo=SHANGHAI)
        end_of_interval = dt.datetime.combine(date, closes, tzinfo=SHANGHAI)
        while start + step <= end_of_interval:
            made.append(
                Slot(
                    hall_id=hall.id,
                    service_id=service_id,
                    date=date,
                    starts_at=start,
                    ends_at=start + step,
                    capacity=capacity.per_slot,
                    released_at=released,
                )
            )
            start += step
    return made


def slots_generate(
    *,
    hall_ids: list[int] | None = None,
    service_codes: list[str] | None = None,
    dates: list[dt.date] | None = None,
    days_ahead: int | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Make the slots of halls for their document services from their hours, holidays and
    exceptions; existing slots are kept as they are. Return how many were made.

    By default: every active hall, every document service it offers, from today to the release
    horizon plus one day (so the next release morning only has to read).
    """
    directory = get_directory()
    today = selectors.now_shanghai(now).date()
    if dates is None:
        ahead = settings.APPOINTMENT_RELEASE_DAYS + 1 if days_ahead is None else days_ahead
        dates = [today + dt.timedelta(days=i) for i in range(ahead + 1)]
    wanted = set(service_codes or DOCUMENT_SERVICE.values()) & set(SERVICE_DOCUMENT)
    dates = [d for d in dates if d >= today]
    halls = [h for h in directory.halls if hall_ids is None or h.id in hall_ids]
    if not dates or not halls:
        return 0
    # Days that already have their slots are left alone (one query, not one per hall).
    existing = Slot.objects.filter(date__in=dates)
    if hall_ids is not None:
        existing = existing.filter(hall_id__in=hall_ids)
    done = set(existing.values_list("hall_id", "service_id", "date").distinct())
    capacities = _capacities([h.id for h in halls])
    default = _default_capacity()
    rows: list[Slot] = []
    for hall in halls:
        for code in wanted & set(hall.services):
            service_id = directory.service_ids[code]
            capacity = capacities.get((hall.id, service_id), default)
            for date in dates:
                if (hall.id, service_id, date) not in done:
                    rows += _day_slots(hall, service_id, date, capacity)
    # A concurrent maker of the same slots is harmless: (hall, service, start) is unique.
    Slot.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)
