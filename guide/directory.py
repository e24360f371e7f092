"""The hall directory: an in-process snapshot of every active hall, built for fast search.

Halls change a few times a day and are read thousands of times a second, so each process keeps
one immutable snapshot (a few thousand rows, a few MB) and rebuilds it when the shared version key
in the cache changes. Writes bump the key (guide.signals); a process checks the key at most once
per GUIDE_DIRECTORY_CHECK_SECONDS. See docs/architecture.md.
"""

import datetime as dt
import math
import re
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.core.cache import cache

from .calendar import (
    SHANGHAI,
    DayLookup,
    Interval,
    OpenStatus,
    Override,
    SpecialDay,
    WeeklyHours,
    status_at,
)
from .text import normalise, pinyin_forms

VERSION_KEY = "guide:directory-version"
EARTH_RADIUS_KM = 6371.0088
# Bounds of the per-snapshot memos (a snapshot lives until the next change of the halls).
TERM_MEMO_SIZE = 1024  # search terms -> which halls match; 3 kB each with 3,000 halls
OPEN_MEMO_SIZE = 4  # minutes -> which halls are open
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


@dataclass(frozen=True, slots=True)
class RegionRef:
    code: str
    name_zh: str
    name_en: str
    level: str


@dataclass(slots=True)
class HallEntry:
    index: int
    id: int
    code: str
    name_zh: str
    name_en: str
    regions: tuple[RegionRef, ...]  # province first, down to the hall's own region
    address_zh: str
    address_en: str
    latitude: float
    longitude: float
    phone: str
    services: tuple[str, ...]
    accessibility_zh: str
    accessibility_en: str
    is_sample: bool
    weekly: WeeklyHours
    special: dict[dt.date, tuple[SpecialDay, ...]]
    group: int = -1
    blob: str = field(default="", repr=False)
    # Values derived from this entry, filled on demand (e.g. the API's rendered fragments); they
    # go away with the snapshot.
    memo: dict = field(default_factory=dict, repr=False, compare=False)


def _codes_for(entry: HallEntry) -> tuple[int, int, int]:
    """Province, city and county codes of a hall as integers (0 where the level is absent)."""
    codes = {ref.level: int(ref.code) for ref in entry.regions}
    return codes.get("province", 0), codes.get("city", 0), codes.get("county", 0)


def _blob(entry: HallEntry) -> str:
    """The text a search term is matched against: names, addresses, pinyin and regions."""
    parts = [entry.name_zh, entry.name_en, entry.address_zh, entry.address_en, entry.code]
    parts += [pinyin_forms(entry.name_zh), pinyin_forms(entry.address_zh)]
    for ref in entry.regions:
        parts += [ref.name_zh, ref.name_en, pinyin_forms(ref.name_zh)]
    # Joined by a separator that no normalised term contains, so a term never spans two parts.
    return "|".join(normalise(word) for part in parts for word in [part, *part.split()] if word)


def _search_text(blob: str) -> str:
    """The blob without the pieces a term could only match where a longer piece matches too.

    A term (never empty, never containing "|") is in the blob exactly when it is in one of its
    pieces; a piece that is a substring of another adds nothing. The blob repeats each part and
    then its words, so this halves what every search scans.
    """
    kept: list[str] = []
    joined = ""
    for piece in sorted(set(blob.split("|")) - {""}, key=len, reverse=True):
        if piece not in joined:
            kept.append(piece)
            joined = "|".join(kept)
    return joined


class Directory:
    """An immutable snapshot of the active halls with the arrays search runs on."""

    def __init__(
        self,
        *,
        halls: list[HallEntry],
        regions: dict[str, RegionRef],
        services: dict[str, tuple[str, str, str]],
        overrides: dict[dt.date, Override],
        version: str,
        service_ids: dict[str, int] | None = None,
    ) -> None:
        self.version = version
        self.halls = halls
        self.by_code = {h.code: h for h in halls}
        self.regions = regions
        self.services = services  # code -> (name_zh, name_en, kind), in display order
        self.service_ids = service_ids or {}  # code -> Service primary key
        self.day_of = DayLookup(overrides)
        # Values derived from the snapshot's sources (halls, calendar, services, guides), filled
        # on demand by their readers; they go away with the snapshot.
        self.memo: dict = {}
        n = len(halls)
        self.lat = np.radians(np.array([h.latitude for h in halls], dtype=np.float64))
        self.lng = np.radians(np.array([h.longitude for h in halls], dtype=np.float64))
        self.cos_lat = np.cos(self.lat)
        codes = np.array([_codes_for(h) for h in halls], dtype=np.int64).reshape(n, 3)
        self.province, self.city, self.county = codes[:, 0], codes[:, 1], codes[:, 2]
        self.service_mask = {
            code: np.array([code in h.services for h in halls], dtype=bool) for code in services
        }
        schedules: dict[WeeklyHours, int] = {}
        for h in halls:
            h.blob = _blob(h)
            h.group = -1 if h.special else schedules.setdefault(h.weekly, len(schedules))
        self.group_weekly = list(schedules)
        self.groups = np.array([h.group for h in halls], dtype=np.int64)
        self._status_memo: dict[tuple[int, int, int], OpenStatus] = {}
        # One hall per shared weekly schedule, and the halls with their own exceptions.
        self._representatives: dict[int, HallEntry] = {}
        for h in halls:
            if h.group >= 0:
                self._representatives.setdefault(h.group, h)
        self._own_schedule = [h for h in halls if h.group < 0]
        self._open_memo: dict[int, np.ndarray] = {}
        # Text search: the same matches as `t in blob`, over less text. An ASCII term can only
        # match ASCII characters, so it is looked for in the blobs with the rest blanked out,
        # which are shorter and searched faster (one byte per character).
        self._texts = [_search_text(h.blob) for h in halls]
        self._ascii_texts = [_NOT_ASCII.sub("|", text) for text in self._texts]
        self._term_memo: dict[str, np.ndarray] = {}

    # -- open or closed -------------------------------------------------------------------
    def status(self, entry: HallEntry, now: dt.datetime) -> OpenStatus:
        """Whether a hall is open at `now`, memoised per schedule and minute."""
        minute = int(now.timestamp() // 60)
        key = (entry.group, minute, entry.index if entry.group < 0 else -1)
        found = self._status_memo.get(key)
        if found is None:
            if len(self._status_memo) > 50_000:
                self._status_memo.clear()
            found = status_at(now, entry.weekly, self.day_of, entry.special)
            self._status_memo[key] = found
        return found

    def open_mask(self, now: dt.datetime) -> np.ndarray:
        """A boolean array: which halls are open at `now` (computed once a minute, read-only).

        Opening hours change on the minute, so every instant of a minute has the same answer.
        """
        minute = int(now.timestamp() // 60)
        mask = self._open_memo.get(minute)
        if mask is None:
            by_group = np.zeros(len(self.group_weekly) + 1, dtype=bool)
            for group, h in self._representatives.items():
                by_group[group] = self.status(h, now).is_open
            mask = by_group[self.groups]
            for h in self._own_schedule:
                mask[h.index] = self.status(h, now).is_open
            mask.flags.writeable = False
            if len(self._open_memo) >= OPEN_MEMO_SIZE:
                self._open_memo.clear()
            self._open_memo[minute] = mask
        return mask

    def _texts_for(self, term: str) -> list[str]:
        return self._ascii_texts if term.isascii() else self._texts

    def term_mask(self, term: str) -> np.ndarray:
        """A boolean array: which halls' text contains the (normalised) term (memoised)."""
        mask = self._term_memo.get(term)
        if mask is None:
            texts = self._texts_for(term)
            mask = np.fromiter((term in text for text in texts), dtype=bool, count=len(texts))
            mask.flags.writeable = False
            if len(self._term_memo) >= TERM_MEMO_SIZE:
                self._term_memo.clear()
            self._term_memo[term] = mask
        return mask

    def _match_terms(self, selected: np.ndarray, terms: list[str]) -> np.ndarray:
        """The indices in `selected` (kept in order) whose text contains every term."""
        for term in terms:
            if not len(selected):
                break
            mask = self._term_memo.get(term)
            if mask is None and len(selected) * 8 < len(self.halls):
                # Few candidates left: look at them alone rather than at every hall.
                texts = self._texts_for(term)
                keep = [i for i in selected.tolist() if term in texts[i]]
                selected = np.array(keep, dtype=np.int64)
                continue
            if mask is None:
                mask = self.term_mask(term)
            selected = selected[mask[selected]]
        return selected

    # -- search ---------------------------------------------------------------------------
    def distances_km(self, latitude: float, longitude: float) -> np.ndarray:
        """Great-circle distance (haversine) from a point to every hall."""
        lat0, lng0 = math.radians(latitude), math.radians(longitude)
        dlat = self.lat - lat0
        dlng = self.lng - lng0
        a = np.sin(dlat / 2) ** 2 + math.cos(lat0) * self.cos_lat * np.sin(dlng / 2) ** 2
        return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))

    def search(
        self,
        *,
        terms: list[str],
        region: RegionRef | None,
        service: str | None,
        near: tuple[float, float] | None,
        radius_km: float | None,
        open_now: bool,
        now: dt.datetime,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Return the matching hall indices in order, and their distances when `near` is given."""
        mask = np.ones(len(self.halls), dtype=bool)
        if service:
            mask &= self.service_mask[service]
        if region is not None:
            column = {"province": self.province, "city": self.city, "county": self.county}[
                region.level
            ]
            mask &= column == int(region.code)
        distances = None
        if near is not None:
            distances = self.distances_km(*near)
            if radius_km is not None:
                mask &= distances <= radius_km
        if open_now:
            mask &= self.open_mask(now)
        selected = np.flatnonzero(mask)
        if terms:
            selected = self._match_terms(selected, terms)
        if distances is not None:
            order = np.argsort(distances[selected], kind="stable")
            selected = selected[order]
            return selected, distances[selected]
        return selected, None


def _weekly(by_day: dict[int, list[Interval]]) -> WeeklyHours:
    return tuple(tuple(sorted(by_day.get(day, []))) for day in range(7))


def build_directory(version: str) -> Directory:
    """Read every active hall, its hours and exceptions, and the calendar, into a Directory."""
    from .models import CalendarDay, Hall, HallException, OpeningHours, Region, Service

    regions = {
        r.code: RegionRef(r.code, r.name_zh, r.name_en, r.level)
        for r in Region.objects.only("code", "name_zh", "name_en", "level")
    }
    parents = dict(Region.objects.values_list("code", "parent_id"))
    services = {s.code: (s.name_zh, s.name_en, s.kind) for s in Service.objects.all()}
    service_codes = dict(Service.objects.values_list("id", "code"))
    halls_services: dict[int, list[str]] = defaultdict(list)
    for hall_id, service_id in Hall.services.through.objects.values_list("hall_id", "service_id"):
        halls_services[hall_id].append(service_codes[service_id])
    order = {code: i for i, code in enumerate(services)}
    hours: dict[int, dict[int, list[Interval]]] = defaultdict(lambda: defaultdict(list))
    for hall_id, weekday, opens, closes in OpeningHours.objects.values_list(
        "hall_id", "weekday", "opens", "closes"
    ):
        hours[hall_id][weekday].append((opens, closes))
    since = dt.datetime.now(SHANGHAI).date() - dt.timedelta(days=1)
    special: dict[int, dict[dt.date, list[SpecialDay]]] = defaultdict(lambda: defaultdict(list))
    for ex in HallException.objects.filter(date__gte=since):
        interval = None if ex.closed else (ex.opens, ex.closes)
        special[ex.hall_id][ex.date].append(
            SpecialDay(ex.closed, interval, ex.reason_zh, ex.reason_en)
        )
    overrides = {
        c.date: Override(c.kind == CalendarDay.Kind.HOLIDAY, c.name_zh, c.name_en)
        for c in CalendarDay.objects.all()
    }

    def chain(code: str) -> tuple[RegionRef, ...]:
        refs = []
        current: str | None = code
        while current:
            refs.append(regions[current])
            current = parents.get(current)
        return tuple(reversed(refs))

    entries = []
    for hall in Hall.objects.filter(is_active=True).order_by("region_id", "code"):
        entries.append(
            HallEntry(
                index=len(entries),
                id=hall.id,
                code=hall.code,
                name_zh=hall.name_zh,
                name_en=hall.name_en,
                regions=chain(hall.region_id),
                address_zh=hall.address_zh,
                address_en=hall.address_en,
                latitude=float(hall.latitude),
                longitude=float(hall.longitude),
                phone=hall.phone,
                services=tuple(sorted(halls_services[hall.id], key=order.__getitem__)),
                accessibility_zh=hall.accessibility_zh,
                accessibility_en=hall.accessibility_en,
                is_sample=hall.is_sample,
                weekly=_weekly(hours.get(hall.id, {})),
                special={d: tuple(v) for d, v in special.get(hall.id, {}).items()},
            )
        )
    return Directory(
        halls=entries,
        regions=regions,
        services=services,
        overrides=overrides,
        version=version,
        service_ids={code: pk for pk, code in service_codes.items()},
    )


class _Holder:
    directory: Directory | None = None
    checked_at: float = 0.0
    lock = threading.Lock()


def _shared_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY) or "unknown"
    return version


def get_directory() -> Directory:
    """Return this process's snapshot, rebuilding it when the shared version has changed."""
    current = _Holder.directory
    now = time.monotonic()
    interval = getattr(settings, "GUIDE_DIRECTORY_CHECK_SECONDS", 1.0)
    if current is not None and now - _Holder.checked_at < interval:
        return current
    version = _shared_version()
    _Holder.checked_at = now
    if current is not None and current.version == version:
        return current
    with _Holder.lock:
        current = _Holder.directory
        if current is None or current.version != version:
            current = build_directory(version)
            _Holder.directory = current
    return current


def invalidate_directory() -> None:
    """Make every process rebuild its snapshot (called after halls or the calendar change)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    _Holder.directory = None
