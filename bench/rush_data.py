"""Data and checks of the appointments rush (bench/rush.sh), straight on the database in
DATABASE_URL (the bench database, never production's).

python bench/rush_data.py setup DIR [--citizens 2000] [--slots 10] [--seats 300]
                                    [--availability-halls 200]
    2,000 bound citizens with a bearer token each (bulk_create, tokens made as POST auth/token
    makes them), 10 released passport times two days ahead at one hall holding 300 seats in
    all, and the coming week's times at 200 other halls for the availability scenario; and,
    apart, 200 citizens and 2 times of 100 seats at another hall to warm the server up. Writes
    DIR/rush_tokens.txt, DIR/rush_slots.txt, DIR/rush_hall.txt, DIR/availability_halls.txt,
    DIR/warmup_tokens.txt, DIR/warmup_slots.txt.
python bench/rush_data.py reset DIR
    Undo a race (and the warm-up): its appointments, their events and messages gone, seats
    back to 0, rate-limit counters cleared. The next race starts from the same state.
python bench/rush_data.py check DIR
    Print (JSON) what the database holds after a race: seats per time against capacity,
    appointments against seats taken, persons holding two. Exit 1 if anything is oversold.
"""

import datetime as dt
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exitentry.settings")

import django  # noqa: E402

django.setup()

from accounts_data import bound_accounts_with_tokens  # noqa: E402  (bench/accounts_data.py)
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, F, Sum  # noqa: E402
from django.utils import timezone  # noqa: E402

from appointments.models import ACTIVE_STATUSES, Appointment, AppointmentEvent, Slot  # noqa: E402
from appointments.slots import slots_generate  # noqa: E402
from guide.calendar import SHANGHAI  # noqa: E402
from guide.directory import get_directory  # noqa: E402
from guide.models import Region, Service  # noqa: E402
from notifications.models import Notification  # noqa: E402
from persons.idnumbers import id_number_make  # noqa: E402
from persons.models import Person  # noqa: E402

SERVICE = "passport"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"
PINYIN_SURNAMES = (
    "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo"
)
PINYIN_GIVEN = (
    "Wei Fang Na Min Jing Li Qiang Lei Jun Yang Yong Yan Jie Juan Tao Ming Chao Xiu Xia Ping"
)


def _passport_halls() -> list:
    return [h for h in get_directory().halls if SERVICE in h.services]


def _times(hall_id: int, service: Service, day: dt.date, count: int, seats: int, now) -> list:
    """`count` released 30-minute times from 09:00 on `day` holding `seats` in all."""
    start = dt.datetime.combine(day, dt.time(9), tzinfo=SHANGHAI)
    Slot.objects.filter(hall_id=hall_id, service=service).delete()
    rows = [
        Slot(
            hall_id=hall_id,
            service=service,
            date=day,
            starts_at=start + dt.timedelta(minutes=30 * i),
            ends_at=start + dt.timedelta(minutes=30 * (i + 1)),
            capacity=seats // count + (1 if i < seats % count else 0),
            released_at=now - dt.timedelta(hours=1),
        )
        for i in range(count)
    ]
    return Slot.objects.bulk_create(rows)


def _citizens(count: int, *, first: int, now) -> list[str]:
    """`count` bound citizens with a bearer token each; return the keys.

    Each is a registry person, an account bound to it, and a token used a moment ago (as by an
    app refreshing the availability before the release), so no request writes "last used".
    """
    region = Region.objects.filter(level=Region.Level.COUNTY).order_by("code").first()
    surnames, given = PINYIN_SURNAMES.split(), PINYIN_GIVEN.split()
    numbers = range(first, first + count)
    persons = Person.objects.bulk_create(
        [
            Person(
                id_number=id_number_make(
                    area=region.code,
                    birth_date=dt.date(1960, 1, 1) + dt.timedelta(days=i // 100),
                    sequence=900 + i % 100,
                ),
                name_zh=SURNAMES[i % 20] + GIVEN[i // 20 % 20],
                name_pinyin=f"{surnames[i % 20]} {given[i // 20 % 20]}",
                sex="M" if i % 2 else "F",
                birth_date=dt.date(1960, 1, 1) + dt.timedelta(days=i // 100),
                household_region=region,
                phone_on_file=f"+86170{i:08d}",
            )
            for i in numbers
        ],
        batch_size=1000,
    )
    return bound_accounts_with_tokens(
        persons, phone_prefix="170", token_name="rush bench", now=now, batch_size=1000, first=first
    )


def setup(out: Path, *, citizens: int, slots: int, seats: int, availability_halls: int) -> None:
    now = timezone.now()
    halls = _passport_halls()
    if len(halls) < availability_halls + 2:
        raise SystemExit(f"only {len(halls)} halls offer {SERVICE}")
    rush_hall, others = halls[0], halls[1 : availability_halls + 1]
    warmup_hall = halls[availability_halls + 1]
    service = Service.objects.get(code=SERVICE)
    day = now.astimezone(SHANGHAI).date() + dt.timedelta(days=2)

    made = _times(rush_hall.id, service, day, slots, seats, now)
    keys = _citizens(citizens, first=0, now=now)
    warmup = _times(warmup_hall.id, service, day, 2, 200, now)
    warmup_keys = _citizens(200, first=citizens, now=now)
    # The availability scenario reads the coming week at other halls: make their times now,
    # so that the measured runs only read (the first look at a week would write them).
    generated = slots_generate(hall_ids=[h.id for h in others], service_codes=[SERVICE], now=now)

    out.mkdir(parents=True, exist_ok=True)
    (out / "rush_tokens.txt").write_text("\n".join(keys) + "\n")
    (out / "rush_slots.txt").write_text("\n".join(str(s.pk) for s in made) + "\n")
    (out / "rush_hall.txt").write_text(f"{rush_hall.code} {SERVICE} {day.isoformat()}\n")
    (out / "availability_halls.txt").write_text("\n".join(h.code for h in others) + "\n")
    (out / "warmup_tokens.txt").write_text("\n".join(warmup_keys) + "\n")
    (out / "warmup_slots.txt").write_text("\n".join(str(s.pk) for s in warmup) + "\n")
    print(
        f"rush: {len(made)} times at {rush_hall.code} on {day} with {seats} seats, "
        f"{len(keys)} citizens with tokens; {generated} times made at {len(others)} halls "
        f"for availability; warm-up: {len(warmup)} times at {warmup_hall.code}, "
        f"{len(warmup_keys)} citizens"
    )


def _slot_ids(out: Path, name: str = "rush") -> list[int]:
    return [int(x) for x in (out / f"{name}_slots.txt").read_text().split()]


EVENTS = "appointments_appointmentevent"


def reset(out: Path) -> None:
    """Put the race's synthetic bookings back to nothing, for the next round.

    Appointment events are append-only in the database (core.appendonly). Only this reset of
    the benchmark's own synthetic rows, run by whoever owns the benchmark database, lifts the
    DELETE guard, for this one transaction (ALTER TABLE is transactional in PostgreSQL: the
    guard is back at commit or rollback).
    """
    ids = _slot_ids(out) + _slot_ids(out, "warmup")
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Deferred foreign-key checks still queued would make ALTER TABLE refuse.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {EVENTS} DISABLE TRIGGER {EVENTS}_append_only")
        appointments = Appointment.objects.filter(slot_id__in=ids)
        numbers = list(appointments.values_list("number", flat=True))
        Notification.objects.filter(reference__in=[f"appointment:{n}" for n in numbers]).delete()
        AppointmentEvent.objects.filter(appointment__in=appointments).delete()
        appointments.delete()
        Slot.objects.filter(pk__in=ids).update(booked=0)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {EVENTS} ENABLE TRIGGER {EVENTS}_append_only")
    cache.delete_pattern("rl:*")


def check(out: Path) -> int:
    ids = _slot_ids(out)
    slots = list(Slot.objects.filter(pk__in=ids).order_by("starts_at"))
    held = dict(
        Appointment.objects.filter(slot_id__in=ids, status__in=ACTIVE_STATUSES)
        .values_list("slot_id")
        .annotate(n=Count("id"))
    )
    doubles = (
        Appointment.objects.filter(status__in=ACTIVE_STATUSES)
        .values("person_id", "document_type")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    result = {
        "slots": [
            {
                "id": s.pk,
                "capacity": s.capacity,
                "booked": s.booked,
                "appointments": held.get(s.pk, 0),
            }
            for s in slots
        ],
        "capacity": sum(s.capacity for s in slots),
        "booked": sum(s.booked for s in slots),
        "appointments": sum(held.values()),
        "oversold_slots": sum(1 for s in slots if s.booked > s.capacity),
        "oversold_seats": sum(max(0, s.booked - s.capacity) for s in slots),
        "seats_not_matching_appointments": sum(1 for s in slots if s.booked != held.get(s.pk, 0)),
        "any_slot_over_capacity": Slot.objects.filter(booked__gt=F("capacity")).exists(),
        "persons_with_two_active": doubles,
        "events": AppointmentEvent.objects.filter(appointment__slot_id__in=ids).count(),
        "total_booked_all_slots": Slot.objects.aggregate(n=Sum("booked"))["n"] or 0,
    }
    print(json.dumps(result))
    bad = (
        result["oversold_seats"]
        or result["seats_not_matching_appointments"]
        or result["any_slot_over_capacity"]
        or result["persons_with_two_active"]
    )
    return 1 if bad else 0


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["setup", "reset", "check"])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--citizens", type=int, default=2000)
    parser.add_argument("--slots", type=int, default=10)
    parser.add_argument("--seats", type=int, default=300)
    parser.add_argument("--availability-halls", type=int, default=200)
    args = parser.parse_args(argv)
    if args.command == "setup":
        setup(
            args.dir,
            citizens=args.citizens,
            slots=args.slots,
            seats=args.seats,
            availability_halls=args.availability_halls,
        )
    elif args.command == "reset":
        reset(args.dir)
    else:
        return check(args.dir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
