"""Reads of the service guide: hall search and details, regions, services and guides."""

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, NotFound

from .calendar import SHANGHAI, DayInfo, DayKind, Interval, OpenStatus, SpecialDay, hours_on
from .directory import HallEntry, RegionRef, get_directory
from .errors import GuideError
from .models import Guide, GuideFAQ, Region
from .text import search_terms

MAX_QUERY_LENGTH = 100
MAX_RADIUS_KM = 5000.0
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
_NEAR = re.compile(rf"^\s*({_NUMBER})\s*,\s*({_NUMBER})\s*$")


@dataclass(frozen=True)
class HallResult:
    hall: HallEntry
    distance_km: float | None
    status: OpenStatus


@dataclass(frozen=True)
class HallPage:
    results: list[HallResult]
    count: int


@dataclass(frozen=True)
class DaySchedule:
    date: dt.date
    info: DayInfo
    intervals: tuple[Interval, ...]
    special: tuple[SpecialDay, ...]

    @property
    def is_today(self) -> bool:
        return self.date == dt.datetime.now(SHANGHAI).date()


def parse_near(value: str) -> tuple[float, float]:
    """Parse `lat,lng` (WGS-84 decimal degrees) or raise a field error."""
    match = _NEAR.match(value or "")
    if not match:
        raise InvalidInput(
            field="near",
            code=GuideError.INVALID_COORDINATES,
            message=_("Give the location as latitude,longitude, for example 22.533,114.113."),
        )
    latitude, longitude = float(match.group(1)), float(match.group(2))
    if not -90 <= latitude <= 90:
        raise InvalidInput(
            field="near",
            code=GuideError.INVALID_COORDINATES,
            message=_("Latitude must be between -90 and 90."),
        )
    if not -180 <= longitude <= 180:
        raise InvalidInput(
            field="near",
            code=GuideError.INVALID_COORDINATES,
            message=_("Longitude must be between -180 and 180."),
        )
    return latitude, longitude


def region_get(*, code: str) -> RegionRef:
    """Return a region of the directory or raise a field error naming `region`."""
    region = get_directory().regions.get(code or "")
    if region is None:
        raise InvalidInput(
            field="region",
            code=GuideError.UNKNOWN_REGION,
            message=_("There is no region with the code %(code)s.") % {"code": code[:12]},
        )
    return region


def service_check(*, code: str) -> None:
    """Raise a field error naming `service` unless the code is a known service."""
    services = get_directory().services
    if code not in services:
        raise InvalidInput(
            field="service",
            code=GuideError.UNKNOWN_SERVICE,
            message=_("Choose one of the services: %(codes)s.") % {"codes": ", ".join(services)},
        )


def hall_search(
    *,
    q: str = "",
    region: str | None = None,
    service: str | None = None,
    near: str | None = None,
    radius_km: float | None = None,
    open_now: bool = False,
    limit: int = 20,
    offset: int = 0,
    now: dt.datetime | None = None,
) -> HallPage:
    """Find halls by text, region, service, distance and whether they are open now."""
    directory = get_directory()
    now = now or timezone.now()
    if len(q) > MAX_QUERY_LENGTH:
        raise InvalidInput(
            field="q",
            code=GuideError.INVALID_QUERY,
            message=_("Enter at most %(max)s characters.") % {"max": MAX_QUERY_LENGTH},
        )
    region_ref = region_get(code=region) if region else None
    if service:
        service_check(code=service)
    point = parse_near(near) if near else None
    if radius_km is not None and point is None:
        raise InvalidInput(
            field="radius_km",
            code=GuideError.INVALID_COORDINATES,
            message=_("A radius needs a location (near)."),
        )
    if radius_km is not None and not 0 < radius_km <= MAX_RADIUS_KM:
        raise InvalidInput(
            field="radius_km",
            code=GuideError.INVALID_COORDINATES,
            message=_("The radius must be more than 0 and at most %(max)s km.")
            % {"max": int(MAX_RADIUS_KM)},
        )
    indices, distances = directory.search(
        terms=search_terms(q),
        region=region_ref,
        service=service or None,
        near=point,
        radius_km=radius_km,
        open_now=open_now,
        now=now,
    )
    window = range(offset, min(offset + limit, len(indices)))
    results = [
        HallResult(
            hall=directory.halls[indices[i]],
            distance_km=None if distances is None else round(float(distances[i]), 2),
            status=directory.status(directory.halls[indices[i]], now),
        )
        for i in window
    ]
    return HallPage(results=results, count=len(indices))


def hall_get(*, code: str) -> HallEntry:
    """Return an active hall by code or raise 404."""
    hall = get_directory().by_code.get(code)
    if hall is None:
        raise NotFound(code=GuideError.HALL_NOT_FOUND, detail=_("There is no hall with this code."))
    return hall


def hall_status(*, hall: HallEntry, now: dt.datetime | None = None) -> OpenStatus:
    return get_directory().status(hall, now or timezone.now())


MAX_DAYS_AHEAD = 400
MAX_DAYS_BACK = 366
MAX_DAYS_SHOWN = 31


def hall_week(*, hall: HallEntry, start: dt.date | None = None, days: int = 7) -> list[DaySchedule]:
    """The hall's hours for `days` days from `start` (today), holidays and exceptions applied."""
    directory = get_directory()
    today = dt.datetime.now(SHANGHAI).date()
    start = start or today
    if (
        not today - dt.timedelta(days=MAX_DAYS_BACK)
        <= start
        <= today + dt.timedelta(days=MAX_DAYS_AHEAD)
    ):
        raise InvalidInput(
            field="from",
            code=GuideError.INVALID_DATE,
            message=_("Choose a date from %(first)s to %(last)s.")
            % {
                "first": (today - dt.timedelta(days=MAX_DAYS_BACK)).isoformat(),
                "last": (today + dt.timedelta(days=MAX_DAYS_AHEAD)).isoformat(),
            },
        )
    if not 1 <= days <= MAX_DAYS_SHOWN:
        raise InvalidInput(
            field="days",
            code=GuideError.INVALID_DATE,
            message=_("Show from 1 to %(max)s days.") % {"max": MAX_DAYS_SHOWN},
        )
    schedule = []
    for offset in range(days):
        date = start + dt.timedelta(days=offset)
        info = directory.day_of(date)
        special = hall.special.get(date, ())
        schedule.append(DaySchedule(date, info, hours_on(hall.weekly, info, special), special))
    return schedule


def service_list() -> list[tuple[str, str, str, str]]:
    """Services in display order as (code, name_zh, name_en, kind)."""
    return [(code, *names) for code, names in get_directory().services.items()]


def service_names(codes: tuple[str, ...]) -> list[tuple[str, str, str]]:
    services = get_directory().services
    return [(code, services[code][0], services[code][1]) for code in codes if code in services]


def region_list(*, parent: str | None = None, level: str | None = None) -> QuerySet[Region]:
    """Regions, optionally the children of one region or those of one level."""
    regions = Region.objects.all()
    if parent:
        if not Region.objects.filter(code=parent).exists():
            raise InvalidInput(
                field="parent",
                code=GuideError.UNKNOWN_REGION,
                message=_("There is no region with the code %(code)s.") % {"code": parent[:12]},
            )
        regions = regions.filter(parent_id=parent)
    if level:
        regions = regions.filter(level=level)
    return regions.order_by("code")


def region_choices() -> list[tuple[RegionRef, list[RegionRef]]]:
    """Provinces with the cities and counties below them that have halls, for the search form.

    Within a province, each city comes before its counties (codes sort that way).
    """
    directory = get_directory()
    with_halls: dict[str, set[str]] = {}
    for hall in directory.halls:
        province, *below = hall.regions
        with_halls.setdefault(province.code, set()).update(ref.code for ref in below)
    return [
        (directory.regions[p], [directory.regions[c] for c in sorted(codes)])
        for p, codes in sorted(with_halls.items())
    ]


def guide_list(*, service: str | None = None) -> QuerySet[Guide]:
    guides = Guide.objects.filter(is_published=True).select_related("service")
    if service:
        guides = guides.filter(service__code=service)
    return guides.order_by("order", "slug")


def guide_get(*, slug: str) -> Guide:
    """Return a published guide with its FAQs or raise 404."""
    guide = (
        Guide.objects.filter(slug=slug, is_published=True)
        .select_related("service")
        .prefetch_related(Prefetch("faqs", queryset=GuideFAQ.objects.order_by("order", "id")))
        .first()
    )
    if guide is None:
        raise NotFound(
            code=GuideError.GUIDE_NOT_FOUND, detail=_("There is no guide with this name.")
        )
    return guide


def is_day_closed(day: DaySchedule) -> bool:
    return not day.intervals


def is_makeup_day(day: DaySchedule) -> bool:
    return day.info.kind == DayKind.MAKEUP_WORKDAY
