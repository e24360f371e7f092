"""Service guide endpoints: halls, regions, services and guides (public, no sign-in)."""

import datetime as dt
import math
import re

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Query, Router, Schema
from pydantic import Field

from core.api import (
    ENCODE,
    Page,
    ProblemOut,
    mounted_api,
    page_links,
    prevalidated_response,
    renders_plain_json,
)
from core.bounds import BoundedDate
from core.i18n import is_chinese, localized

from . import selectors
from .calendar import SHANGHAI
from .directory import HallEntry
from .maps import map_links
from .materials import materials_parse
from .models import Region

router = Router(tags=["service guide"])
PROBLEMS = {404: ProblemOut, 422: ProblemOut}


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None = None


class LocationOut(Schema):
    latitude: float = Field(description="WGS-84")
    longitude: float = Field(description="WGS-84")


class HallSummaryOut(Schema):
    code: str
    name: str
    address: str
    phone: str
    regions: list[RegionOut] = Field(description="Province first, down to the hall's region.")
    location: LocationOut
    services: list[str]
    distance_km: float | None = Field(None, description="From `near`, when given.")
    open_now: bool
    closes_at: dt.datetime | None = Field(None, description="When open: end of this session.")
    next_opening: dt.datetime | None = Field(None, description="When closed: next opening.")
    is_sample: bool
    url: str


class IntervalOut(Schema):
    opens: str = Field(examples=["09:00"])
    closes: str = Field(examples=["12:00"])


class DayOut(Schema):
    date: dt.date
    weekday: int = Field(description="0 = Monday")
    day_kind: str = Field(description="workday, weekend, holiday or makeup_workday")
    day_name: str = Field(description="Name of the holiday or make-up day, if any.")
    open: bool
    hours: list[IntervalOut]
    note: str = Field(description="Why the hall's hours differ that day, if they do.")
    confirmed: bool = Field(description="False when the official calendar is not yet published.")


class ServiceOut(Schema):
    code: str
    name: str
    kind: str


class MapLinkOut(Schema):
    key: str
    label: str
    url: str


class HallDetailOut(HallSummaryOut):
    accessibility: str
    service_details: list[ServiceOut]
    week: list[DayOut]
    map_links: list[MapLinkOut]


class HallFilters(Schema):
    q: str = Field("", description="Text: Chinese, pinyin or English (name, address, region).")
    region: str | None = Field(None, description="Region code (province, city or county).")
    service: str | None = Field(None, description="Service code, see GET services.")
    near: str | None = Field(None, description="lat,lng (WGS-84): sort by distance.")
    radius_km: float | None = Field(None, description="With near: only halls within this radius.")
    open_now: bool = Field(False, description="Only halls open at this moment.")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)


class GuideSummaryOut(Schema):
    slug: str
    service: str
    title: str
    summary: str
    url: str


class FaqOut(Schema):
    question: str
    answer: str


class GuideOut(Schema):
    slug: str
    service: str
    title: str
    summary: str
    eligibility: str
    materials: list[str] = Field(
        description="Every item; the appointment's own checklist keeps those that apply to the "
        "applicant (age, kind of application, replacement reason, endorsements)."
    )
    fees: str
    processing_time: str
    steps: list[str]
    where: str
    faqs: list[FaqOut]
    updated_at: dt.datetime


class RegionFilters(Schema):
    parent: str | None = Field(None, description="Children of this region code.")
    level: Region.Level | None = None
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=100_000)


def _regions(hall: HallEntry, language: str | None = None) -> list[dict]:
    parent = None
    out = []
    for ref in hall.regions:
        out.append(
            {
                "code": ref.code,
                "name": localized(ref, "name", language),
                "level": ref.level,
                "parent": parent,
            }
        )
        parent = ref.code
    return out


_SAFE_CODE = re.compile(r"[A-Za-z0-9_-]+")
_CODE_PLACEHOLDER = "0HALLCODE0"


class _HallUrls:
    """The absolute URL of a hall's detail, with reverse() and build_absolute_uri() run once per
    request rather than once per hall (they were a third of a hall list's time)."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        url = self._slow(_CODE_PLACEHOLDER)
        self.head, _, self.tail = url.rpartition(_CODE_PLACEHOLDER)
        self.json_head, self.json_tail = ENCODE(self.head)[:-1], ENCODE(self.tail)[1:]

    def _slow(self, code: str) -> str:
        return self.request.build_absolute_uri(reverse("api:hall_get", args=[code]))

    def __call__(self, code: str) -> str:
        # Slug characters come out of reverse() and iri_to_uri() unchanged.
        if _SAFE_CODE.fullmatch(code):
            return f"{self.head}{code}{self.tail}"
        return self._slow(code)

    def as_json(self, code: str) -> str:
        """The URL as a JSON string (JSON escapes character by character; slugs need none)."""
        if _SAFE_CODE.fullmatch(code):
            return f"{self.json_head}{code}{self.json_tail}"
        return ENCODE(self._slow(code))


def _summary_static(hall: HallEntry, language: str | None) -> dict:
    """The fields of a hall summary that depend only on the hall and the language."""
    return {
        "code": hall.code,
        "name": localized(hall, "name", language),
        "address": localized(hall, "address", language),
        "phone": hall.phone,
        "regions": _regions(hall, language),
        "location": {"latitude": hall.latitude, "longitude": hall.longitude},
        "services": list(hall.services),
    }


def _summary_dynamic(result: selectors.HallResult, url: str) -> dict:
    """The fields of a hall summary that depend on the search, the time or the request."""
    status = result.status
    return {
        "distance_km": result.distance_km,
        "open_now": status.is_open,
        "closes_at": status.closes_at,
        "next_opening": status.next_opening,
        "is_sample": result.hall.is_sample,
        "url": url,
    }


def _summary(
    request: HttpRequest,
    result: selectors.HallResult,
    *,
    urls: _HallUrls | None = None,
    language: str | None = None,
) -> dict:
    language = language or get_language()
    url = (urls or _HallUrls(request))(result.hall.code)
    return {**_summary_static(result.hall, language), **_summary_dynamic(result, url)}


def _json(request: HttpRequest, data: dict) -> HttpResponse:
    """Render `data` exactly as ninja would after validating it against the response schema.

    The views below build their output from the directory, already in the schema's shape, field
    order and types (bench/check_output.py compares the bytes), so the validation pass, which
    took about 40% of a hall list's time, is skipped. The schemas still document the API.
    """
    return prevalidated_response(request, data)


# (OpenStatus, is_sample) -> '"open_now": …, "closes_at": …, "next_opening": …, "is_sample": …'.
# OpenStatus times are all in Asia/Shanghai (guide.calendar), so equal keys print the same.
_STATUS_JSON: dict[tuple, str] = {}


def _float_json(value: float | None) -> str:
    """A float as json.dumps writes it: repr() when finite (as the C encoder does)."""
    if value is None:
        return "null"
    if type(value) is float and math.isfinite(value):
        return float.__repr__(value)
    return ENCODE(value)


def _summary_json(
    result: selectors.HallResult, url_json: str, zh: bool, language: str | None
) -> str:
    """One hall summary as JSON, the same text json.dumps gives for `_summary`'s dict.

    json.dumps writes `{"a": 1, "b": 2}`, so a dict's text can be cut between two keys and put
    together from parts rendered earlier: what depends only on the hall and the language once per
    snapshot of the directory, the opening status once per status (they change by the minute).
    """
    hall = result.hall
    key = ("summary-json", zh)
    head = hall.memo.get(key)
    if head is None:
        head = hall.memo[key] = ENCODE(_summary_static(hall, language))[:-1]
    status_key = (result.status, hall.is_sample)
    status = _STATUS_JSON.get(status_key)
    if status is None:
        if len(_STATUS_JSON) >= 10_000:
            _STATUS_JSON.clear()
        fields = _summary_dynamic(result, "")
        del fields["distance_km"], fields["url"]
        status = _STATUS_JSON[status_key] = ENCODE(fields)[1:-1]
    distance = _float_json(result.distance_km)
    return f'{head}, "distance_km": {distance}, {status}, "url": {url_json}}}'


def _hall_page(request: HttpRequest, envelope: dict, results: list[selectors.HallResult]):
    urls, language = _HallUrls(request), get_language()
    api = mounted_api()
    if not renders_plain_json():
        data = {
            **envelope,
            "results": [_summary(request, r, urls=urls, language=language) for r in results],
        }
        return api.create_response(request, data, status=200)
    zh = is_chinese(language)
    items = ", ".join(_summary_json(r, urls.as_json(r.hall.code), zh, language) for r in results)
    body = f'{ENCODE(envelope)[:-1]}, "results": [{items}]}}'
    return HttpResponse(body, status=200, content_type=api.get_content_type())


@router.get("halls", response={200: Page[HallSummaryOut], **PROBLEMS}, url_name="hall_list")
def hall_list(request: HttpRequest, filters: Query[HallFilters]):
    """Find halls nationwide; with `near`, nearest first with the distance in km."""
    page = selectors.hall_search(
        q=filters.q,
        region=filters.region,
        service=filters.service,
        near=filters.near,
        radius_km=filters.radius_km,
        open_now=filters.open_now,
        limit=filters.limit,
        offset=filters.offset,
    )
    envelope = page_links(request, count=page.count, limit=filters.limit, offset=filters.offset)
    return _hall_page(request, envelope, page.results)


def _interval(opens: dt.time, closes: dt.time) -> dict:
    return {"opens": opens.strftime("%H:%M"), "closes": closes.strftime("%H:%M")}


def _day(day: selectors.DaySchedule) -> dict:
    note = "; ".join(localized(s, "reason") for s in day.special)
    return {
        "date": day.date,
        "weekday": day.date.weekday(),
        "day_kind": str(day.info.kind),
        "day_name": localized(day.info, "name"),
        "open": bool(day.intervals),
        "hours": [_interval(o, c) for o, c in day.intervals],
        "note": note,
        "confirmed": day.info.confirmed,
    }


class WeekParams(Schema):
    start: BoundedDate | None = Field(
        None,
        alias="from",
        description="First day of the hours shown (YYYY-MM-DD, Asia/Shanghai); default today.",
    )
    days: int = Field(7, ge=1, le=31, description="How many days of hours to show.")


@router.get("halls/{code}", response={200: HallDetailOut, **PROBLEMS}, url_name="hall_get")
def hall_get(request: HttpRequest, code: str, params: Query[WeekParams]):
    """One hall: address, phone, services, hours day by day (holidays applied), map links."""
    hall = selectors.hall_get(code=code)
    now = timezone.now()
    result = selectors.HallResult(hall, None, selectors.hall_status(hall=hall, now=now))
    language = get_language()
    zh = is_chinese(language)
    week = selectors.hall_week(
        hall=hall, start=params.start or now.astimezone(SHANGHAI).date(), days=params.days
    )
    return _json(
        request,
        {
            **_summary(request, result, language=language),
            "accessibility": localized(hall, "accessibility", language),
            "service_details": _service_details(hall, zh),
            "week": [_day(d) for d in week],
            "map_links": _map_links(hall, zh, language),
        },
    )


def _service_details(hall: HallEntry, zh: bool) -> list[dict]:
    """The hall's services with their names (the same for the snapshot's life: memoised)."""
    key = ("service-details", zh)
    found = hall.memo.get(key)
    if found is None:
        found = hall.memo[key] = [
            {"code": code, "name": zh_name if zh else en_name, "kind": kind}
            for code, zh_name, en_name, kind in selectors.service_list()
            if code in hall.services
        ]
    return found


def _map_links(hall: HallEntry, zh: bool, language: str | None) -> list[dict]:
    """Links to map apps (coordinate conversion and URL encoding: memoised per hall)."""
    key = ("map-links", zh)
    found = hall.memo.get(key)
    if found is None:
        found = hall.memo[key] = [
            {"key": link.key, "label": link.label_zh if zh else link.label_en, "url": link.url}
            for link in map_links(
                latitude=hall.latitude,
                longitude=hall.longitude,
                name=localized(hall, "name", language),
            )
        ]
    return found


@router.get("regions", response={200: Page[RegionOut], **PROBLEMS}, url_name="region_list")
def region_list(request: HttpRequest, filters: Query[RegionFilters]):
    """Administrative divisions (GB/T 2260): provinces, cities, counties."""
    regions = selectors.region_list(parent=filters.parent, level=filters.level)
    count = regions.count()
    rows = regions[filters.offset : filters.offset + filters.limit]
    return {
        **page_links(request, count=count, limit=filters.limit, offset=filters.offset),
        "results": [
            {"code": r.code, "name": r.name, "level": r.level, "parent": r.parent_id} for r in rows
        ],
    }


@router.get("services", response={200: list[ServiceOut]}, url_name="service_list")
def service_list(request: HttpRequest):
    """The services halls offer (documents, endorsements, certificates)."""
    zh = is_chinese()
    return [
        {"code": code, "name": name_zh if zh else name_en, "kind": kind}
        for code, name_zh, name_en, kind in selectors.service_list()
    ]


class GuideFilters(Schema):
    service: str | None = Field(None, description="Only the guides of this service code.")
    limit: int = Field(50, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)


@router.get("guides", response={200: Page[GuideSummaryOut], **PROBLEMS}, url_name="guide_list")
def guide_list(request: HttpRequest, filters: Query[GuideFilters]):
    """Service guides: one per document, endorsement type and certificate."""
    if filters.service:
        selectors.service_check(code=filters.service)
    guides = selectors.guide_list(service=filters.service)
    count = guides.count()
    rows = guides[filters.offset : filters.offset + filters.limit]
    return {
        **page_links(request, count=count, limit=filters.limit, offset=filters.offset),
        "results": [
            {
                "slug": g.slug,
                "service": g.service.code,
                "title": localized(g, "title"),
                "summary": localized(g, "summary"),
                "url": request.build_absolute_uri(reverse("api:guide_get", args=[g.slug])),
            }
            for g in rows
        ],
    }


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@router.get("guides/{slug}", response={200: GuideOut, **PROBLEMS}, url_name="guide_get")
def guide_get(request: HttpRequest, slug: str):
    """One guide: who may apply, materials, fees, processing time, steps, where, FAQs."""
    guide = selectors.guide_get(slug=slug)
    return {
        "slug": guide.slug,
        "service": guide.service.code,
        "title": localized(guide, "title"),
        "summary": localized(guide, "summary"),
        "eligibility": localized(guide, "eligibility"),
        "materials": [item.text for item in materials_parse(localized(guide, "materials"))],
        "fees": localized(guide, "fees"),
        "processing_time": localized(guide, "processing_time"),
        "steps": _lines(localized(guide, "steps")),
        "where": localized(guide, "where"),
        "faqs": [
            {"question": localized(f, "question"), "answer": localized(f, "answer")}
            for f in guide.faqs.all()
        ],
        "updated_at": guide.updated_at,
    }
