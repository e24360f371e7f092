"""Writes of the service guide: regions, services, halls and guides.

Administrators edit single records in the back-office; these functions are for loading and
importing whole sets (demo data, a province's hall list) in one transaction each.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction

from .directory import invalidate_directory
from .models import Guide, GuideFAQ, Hall, OpeningHours, Region, Service
from .regions import RegionRow

# The services a hall can offer (DOMAIN.md): documents, endorsements, record certificates.
_DOC, _END, _REC = Service.Kind.DOCUMENT, Service.Kind.ENDORSEMENT, Service.Kind.RECORD
SERVICE_CATALOGUE = [
    ("passport", _DOC, "普通护照", "Ordinary passport"),
    ("hk-macao-pass", _DOC, "往来港澳通行证", "Hong Kong and Macao pass"),
    ("taiwan-permit", _DOC, "往来台湾通行证", "Taiwan travel permit"),
    ("endorsement-hk-macao", _END, "往来港澳签注", "Hong Kong and Macao endorsements"),
    ("endorsement-taiwan", _END, "赴台签注", "Taiwan endorsements"),
    ("exit-entry-record", _REC, "出入境记录证明", "Entry and exit record certificate"),
]


@transaction.atomic
def regions_load(*, rows: Iterable[RegionRow], names_en: dict[str, str] | None = None) -> int:
    """Create or update regions (parents before children); return how many were written."""
    names_en = names_en or {}
    count = 0
    existing = {r.code: r for r in Region.objects.all()}
    for row in rows:
        values = {
            "name_zh": row.name_zh,
            "name_en": names_en.get(row.code, row.name_en),
            "level": row.level,
            "parent_id": row.parent,
        }
        current = existing.get(row.code)
        if current is None:
            Region.objects.create(code=row.code, **values)
        elif any(getattr(current, k) != v for k, v in values.items()):
            Region.objects.filter(code=row.code).update(**values)
        else:
            continue
        count += 1
    invalidate_directory()
    return count


@transaction.atomic
def services_load() -> None:
    """Create or update the service catalogue."""
    for order, (code, kind, name_zh, name_en) in enumerate(SERVICE_CATALOGUE):
        Service.objects.update_or_create(
            code=code,
            defaults={"kind": kind, "name_zh": name_zh, "name_en": name_en, "order": order * 10},
        )


def _time(value: str) -> dt.time:
    return dt.time.fromisoformat(value)


@transaction.atomic
def hall_upsert(*, data: dict[str, Any], is_sample: bool = False) -> Hall:
    """Create or update one hall with its weekly hours and services, in one transaction.

    `data` has the keys of the demo data: code, name_zh, name_en, region_code, address_zh,
    address_en, latitude, longitude, phone, hours ([weekday, "HH:MM", "HH:MM"], ...), services
    (codes), accessibility_zh, accessibility_en.
    """
    hall, _created = Hall.objects.update_or_create(
        code=data["code"],
        defaults={
            "name_zh": data["name_zh"],
            "name_en": data["name_en"],
            "region_id": data["region_code"],
            "address_zh": data["address_zh"],
            "address_en": data["address_en"],
            "latitude": Decimal(str(round(float(data["latitude"]), 6))),
            "longitude": Decimal(str(round(float(data["longitude"]), 6))),
            "phone": data["phone"],
            "accessibility_zh": data.get("accessibility_zh", ""),
            "accessibility_en": data.get("accessibility_en", ""),
            "is_sample": is_sample,
            "is_active": True,
        },
    )
    wanted = {(int(d), _time(o), _time(c)) for d, o, c in data["hours"]}
    current = set(hall.hours.values_list("weekday", "opens", "closes"))
    if wanted != current:
        hall.hours.all().delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(hall=hall, weekday=d, opens=o, closes=c) for d, o, c in sorted(wanted)
        )
    services = list(Service.objects.filter(code__in=data["services"]))
    if len(services) != len(set(data["services"])):
        unknown = set(data["services"]) - {s.code for s in services}
        raise ValueError(f"unknown service codes: {sorted(unknown)}")
    hall.services.set(services)
    return hall


@transaction.atomic
def guide_upsert(*, data: dict[str, Any]) -> Guide:
    """Create or update one guide and replace its FAQs."""
    service = Service.objects.get(code=data["service"])
    fields = {
        "service": service,
        "order": data.get("order", 0),
        "is_published": True,
    }
    for name in ("title", "summary", "eligibility", "fees", "processing_time", "where"):
        for lang in ("zh", "en"):
            fields[f"{name}_{lang}"] = data[f"{name}_{lang}"]
    for name in ("materials", "steps"):
        for lang in ("zh", "en"):
            value = data[f"{name}_{lang}"]
            fields[f"{name}_{lang}"] = "\n".join(value) if isinstance(value, list) else value
    guide, _created = Guide.objects.update_or_create(slug=data["slug"], defaults=fields)
    guide.faqs.all().delete()
    GuideFAQ.objects.bulk_create(
        GuideFAQ(
            guide=guide,
            order=i * 10,
            question_zh=faq["question_zh"],
            question_en=faq["question_en"],
            answer_zh=faq["answer_zh"],
            answer_en=faq["answer_en"],
        )
        for i, faq in enumerate(data.get("faqs", []))
    )
    return guide
