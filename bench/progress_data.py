"""Data and report of the applications benchmark (bench/progress.sh, issue 10): "My applications"
with bearer tokens and the progress lookup, on 100,000 applications, straight on the database
in DATABASE_URL (the bench database, never production's).

python bench/progress_data.py setup DIR [--applications 100000] [--accounts 10000]
    Makes with bulk_create: registry persons (adults, and a minor for one account in five),
    an account bound to each of the first ACCOUNTS adults with a bearer token made as
    POST auth/token makes them, and APPLICATIONS applications accepted over the last three
    years at the demo halls offering their document: per adult 1 to 4 (the newest may still be
    in progress, the older ones ended: collected, delivered, rejected or withdrawn), each minor
    one, each with the timeline events of the steps it went through. Writes the token keys to
    DIR/application_tokens.txt and "number ID-number" pairs of every application to
    DIR/lookup_pairs.txt (one a line), and what the answers hold to DIR/data.json.
python bench/progress_data.py touch
    Sets each token's "last used" to a random moment of the last 5 minutes (the production
    steady state, as bench/documents_data.py does) and clears the lookup's rate-limit
    counters (every run draws the same applications).
python bench/progress_data.py report DIR
    The table and DIR/results.json from the wrk outputs (`<run>.txt`, `<run>-cpu.json`,
    `<run>.loadavg`, `<run>.calibration`), the ceiling (ceiling.json) and meta.json; each figure
    also as a ratio to the /db ceiling measured in the same run. Exit 1 if a run had a non-2xx
    answer or a socket error, or a target is missed.
"""

import datetime as dt
import json
import os
import random
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exitentry.settings")

# Targets (issue 10): at saturation >= 0.45 of the /db ceiling; p99 <= 50 ms paced at 0.3 of it.
TARGET_RATIO = 0.45
PACED_RATIO = 0.3
TARGET_P99_MS = 50.0
SCENARIOS = ("applications", "lookup")
TOKEN_NAME = "applications bench"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂建国雨晓梅子涵浩然欣怡宇轩"


def _django() -> None:
    import django

    django.setup()


def _name(rnd: random.Random) -> str:
    return rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2))))


def setup(out: Path, *, applications: int, accounts: int) -> None:
    _django()
    from accounts_data import bound_accounts_with_tokens  # bench/accounts_data.py
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from applications.models import (
        FINAL,
        IN_PROGRESS,
        Application,
        ApplicationEvent,
        ApplicationStatus,
        Delivery,
    )
    from appointments.applying import DOCUMENT_SERVICE
    from appointments.models import ApplicationKind
    from guide.calendar import SHANGHAI
    from guide.models import Hall, Region, Service
    from persons.idnumbers import id_number_make
    from persons.models import Guardianship, Person
    from persons.names import pinyin_name

    rnd = random.Random(20261206)
    now = timezone.now()
    today = now.astimezone(SHANGHAI).date()
    region = Region.objects.filter(level=Region.Level.COUNTY).order_by("code").first()
    services = {doc: Service.objects.get(code=code) for doc, code in DOCUMENT_SERVICE.items()}
    halls = {
        doc: list(
            Hall.objects.filter(services=service, is_active=True).values_list("pk", flat=True)
        )
        for doc, service in services.items()
    }
    officer = get_user_model().objects.create_user(
        "bench.officer", password=None, is_staff=True, phone=None
    )

    # -- persons: adults, and a minor for one account in five ---------------------------------
    per_adult = [1, 2, 2, 3, 3, 4]  # applications per adult (mean 2.5)
    minors_wanted = accounts // 5
    counts: list[int] = []  # applications of each adult, adding up to the number asked for
    budget = applications - minors_wanted
    while budget > 0:
        counts.append(min(rnd.choice(per_adult), budget))
        budget -= counts[-1]
    adults_needed = max(accounts, len(counts))
    counts += [0] * (adults_needed - len(counts))
    adults, minors = [], []
    for i in range(adults_needed):
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=i // 500)
        name = _name(rnd)
        adults.append(
            Person(
                id_number=id_number_make(area="440303", birth_date=birth, sequence=i % 500),
                name_zh=name,
                name_pinyin=pinyin_name(name),
                sex="M" if i % 2 else "F",
                birth_date=birth,
                household_region=region,
                phone_on_file=f"+86139{i:08d}",
            )
        )
    for i in range(minors_wanted):
        birth = today.replace(year=today.year - 10) - dt.timedelta(days=i // 500)
        name = _name(rnd)
        minors.append(
            Person(
                id_number=id_number_make(area="440304", birth_date=birth, sequence=i % 500),
                name_zh=name,
                name_pinyin=pinyin_name(name),
                sex="F" if i % 2 else "M",
                birth_date=birth,
                household_region=region,
            )
        )
    with transaction.atomic():
        Person.objects.bulk_create(adults + minors, batch_size=2000)
        Guardianship.objects.bulk_create(
            [Guardianship(guardian=adults[i * 5], child=child) for i, child in enumerate(minors)],
            batch_size=2000,
        )

    # -- accounts and tokens -------------------------------------------------------------------
    keys = bound_accounts_with_tokens(
        adults[:accounts], phone_prefix="172", token_name=TOKEN_NAME, now=now, batch_size=2000
    )

    # -- applications and their timelines ------------------------------------------------------
    A = ApplicationStatus
    path_to = {  # the statuses an application went through to reach its status
        A.ACCEPTED: [A.ACCEPTED],
        A.UNDER_REVIEW: [A.ACCEPTED, A.UNDER_REVIEW],
        A.APPROVED: [A.ACCEPTED, A.UNDER_REVIEW, A.APPROVED],
        A.IN_PRODUCTION: [A.ACCEPTED, A.UNDER_REVIEW, A.APPROVED, A.IN_PRODUCTION],
        A.PRODUCED: [A.ACCEPTED, A.UNDER_REVIEW, A.APPROVED, A.IN_PRODUCTION, A.PRODUCED],
        A.READY: [A.ACCEPTED, A.UNDER_REVIEW, A.APPROVED, A.IN_PRODUCTION, A.PRODUCED, A.READY],
        A.MAILED: [A.ACCEPTED, A.UNDER_REVIEW, A.APPROVED, A.IN_PRODUCTION, A.PRODUCED, A.MAILED],
        A.COLLECTED: [
            *[A.ACCEPTED, A.UNDER_REVIEW, A.APPROVED, A.IN_PRODUCTION, A.PRODUCED, A.READY],
            A.COLLECTED,
        ],
        A.DELIVERED: [
            *[A.ACCEPTED, A.UNDER_REVIEW, A.APPROVED, A.IN_PRODUCTION, A.PRODUCED, A.MAILED],
            A.DELIVERED,
        ],
        A.REJECTED: [A.ACCEPTED, A.UNDER_REVIEW, A.REJECTED],
        A.WITHDRAWN: [A.ACCEPTED, A.UNDER_REVIEW, A.WITHDRAWN],
    }
    final_weights = {A.COLLECTED: 6, A.DELIVERED: 2, A.REJECTED: 1, A.WITHDRAWN: 1}
    owners = [(p, n) for p, n in zip(adults, counts, strict=True) if n]
    owners += [(child, 1) for child in minors]
    sequence = 0
    rows: list[Application] = []
    pairs: list[str] = []
    for person, count in owners:
        # newest first: the newest is in progress one time in three, the others have ended
        for n in range(count):
            accepted_at = now - dt.timedelta(
                days=rnd.randint(1, 20) if n == 0 else rnd.randint(60 * n, 300 * n),
                minutes=rnd.randint(0, 600),
            )
            if n == 0 and rnd.random() < 1 / 3:
                status = rnd.choice(list(IN_PROGRESS))
            else:
                status = rnd.choices(list(final_weights), weights=list(final_weights.values()))[0]
            assert status in IN_PROGRESS or status in FINAL
            document = rnd.choice(list(services))
            by_mail = status in (A.MAILED, A.DELIVERED)
            sequence += 1
            number = f"{accepted_at.astimezone(SHANGHAI):%y%m%d}{sequence:08d}"
            in_progress = status in IN_PROGRESS
            rows.append(
                Application(
                    number=number,
                    person=person,
                    document_type=document,
                    kind=rnd.choice(list(ApplicationKind.values)),
                    details={},
                    hall_id=rnd.choice(halls[document]),
                    service=services[document],
                    status=status,
                    fee_amount=Decimal("120.00"),
                    submitted_at=accepted_at - dt.timedelta(days=3),
                    accepted_at=accepted_at,
                    accepted_by=officer,
                    delivery=Delivery.MAIL if by_mail else Delivery.COLLECT,
                    delivery_address="广东省深圳市罗湖区人民南路 1 号" if by_mail else "",
                    carrier="EMS" if by_mail else "",
                    tracking_number=f"EMS{sequence:010d}" if by_mail else "",
                    due_on=(accepted_at + dt.timedelta(days=5)).date() if in_progress else None,
                    expected_on=(accepted_at + dt.timedelta(days=11)).date()
                    if in_progress
                    else None,
                )
            )
            pairs.append(f"{number} {person.id_number}")
    with transaction.atomic():
        Application.objects.bulk_create(rows, batch_size=2000)
    events = []
    for application in rows:
        steps = path_to[application.status]
        for k, status in enumerate(steps):
            events.append(
                ApplicationEvent(
                    application=application,
                    action="accept" if k == 0 else status,
                    from_status=steps[k - 1] if k else "",
                    status=status,
                    actor=officer,
                    at=application.accepted_at + dt.timedelta(days=k),
                )
            )
    with transaction.atomic():
        ApplicationEvent.objects.bulk_create(events, batch_size=5000)

    per_account = Counter()
    by_person = Counter(a.person_id for a in rows)
    children = {adults[i * 5].pk: child.pk for i, child in enumerate(minors)}
    for person in adults[:accounts]:
        per_account[
            by_person.get(person.pk, 0) + by_person.get(children.get(person.pk, -1), 0)
        ] += 1
    data = {
        "applications": len(rows),
        "application_events": len(events),
        "persons": len(adults) + len(minors),
        "accounts": len(keys),
        "accounts_with_a_minor": len(minors),
        "applications_per_account": dict(sorted(per_account.items())),
        "applications_per_account_mean": round(
            sum(k * v for k, v in per_account.items()) / max(1, sum(per_account.values())), 2
        ),
        "statuses": dict(Counter(a.status for a in rows).most_common()),
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "application_tokens.txt").write_text("\n".join(keys) + "\n")
    rnd.shuffle(pairs)
    (out / "lookup_pairs.txt").write_text("\n".join(pairs) + "\n")
    (out / "data.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    print(
        f"applications: {data['applications']} applications ({data['application_events']} "
        f"events) of {data['persons']} persons; {data['accounts']} bound accounts with a token, "
        f"{data['applications_per_account_mean']} applications per account"
    )


def touch() -> None:
    _django()
    from django.core.cache import cache
    from django.db import connection

    # Each wrk run draws the same sequence of applications (fixed seeds, bench/common.lua):
    # without this, runs within 10 minutes of each other would add up against the
    # per-number limit and meet 429s that no real applicant would.
    cache.delete_pattern("rl:progress-*")

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_apitoken SET last_used_at = now() - random() * interval '300 seconds'"
            " WHERE name = %s",
            [TOKEN_NAME],
        )


def _wrk_json(path: Path) -> dict:
    for line in path.read_text().splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON ") :])
    raise SystemExit(f"no BENCH_JSON line in {path}")


def _cpu_seconds(run_dir: Path, name: str, seconds: float) -> tuple[float, float, float, float]:
    """CPU seconds of the server, wrk, PostgreSQL and the rest during a run: from
    `<run>-cpu.json` (bench/helpers.py cpu-during, counted per process), or from the `<run>.cpu`
    totals of runs made before it (where a database connection that closed during the run
    could make PostgreSQL's figure negative)."""
    counted = run_dir / f"{name}-cpu.json"
    if counted.exists():
        cores = json.loads(counted.read_text())["cores_by_program"]
        server, wrk, postgres, other = (
            float(cores.get(program, 0.0)) * seconds
            for program in ("gunicorn", "wrk", "postgres", "other")
        )
        return server, wrk, postgres, other
    server_s, wrk_s, busy_s, pg_s = (
        float(x) for x in (run_dir / f"{name}.cpu").read_text().split()
    )
    return server_s, wrk_s, pg_s, max(0.0, busy_s - server_s - wrk_s - pg_s)


def report(run_dir: Path) -> int:
    meta = json.loads((run_dir / "meta.json").read_text())
    data = json.loads((run_dir / "data.json").read_text())
    ceiling = json.loads((run_dir / "ceiling.json").read_text())
    after_file = run_dir / "ceiling-after.json"
    ceiling_after = json.loads(after_file.read_text()) if after_file.exists() else ceiling
    db_before = float(ceiling["/db"]["rps"])
    db_after = float(ceiling_after["/db"]["rps"])
    db_rps = (db_before + db_after) / 2  # the targets are judged on the mean of the two
    runs = {}
    failures = []
    for scenario in SCENARIOS:
        for name in (scenario, f"{scenario}-paced"):
            wrk_file = run_dir / f"{name}.txt"
            if not wrk_file.exists():
                continue
            result = _wrk_json(wrk_file)
            seconds = result["duration_us"] / 1e6
            requests = max(1, result["requests"])
            server_s, wrk_s, pg_s, other_s = _cpu_seconds(run_dir, name, seconds)
            result.update(
                {
                    "ratio_to_db_ceiling": round(result["rps"] / db_rps, 3),
                    "ratio_to_db_ceiling_before": round(result["rps"] / db_before, 3),
                    "ratio_to_db_ceiling_after": round(result["rps"] / db_after, 3),
                    "cpu_cores": {
                        "server": round(server_s / seconds, 2),
                        "postgres": round(pg_s / seconds, 2),
                        "wrk": round(wrk_s / seconds, 2),
                        "other": round(other_s / seconds, 2),
                    },
                    "server_cpu_ms_per_request": round(server_s * 1000 / requests, 3),
                    "postgres_cpu_ms_per_request": round(pg_s * 1000 / requests, 3),
                    "loadavg_before": (run_dir / f"{name}.loadavg").read_text().strip(),
                    "cpu_loop_s": float((run_dir / f"{name}.calibration").read_text()),
                }
            )
            runs[name] = result
            errors = sum(result["socket_errors"].values())
            if result["non2xx"] or errors:
                failures.append(f"{name}: {result['non2xx']} non-2xx, {errors} socket errors")
    targets = {}
    for scenario in SCENARIOS:
        saturated, paced = runs.get(scenario), runs.get(f"{scenario}-paced")
        if saturated is None:
            continue
        met_rate = saturated["ratio_to_db_ceiling"] >= TARGET_RATIO
        targets[scenario] = {
            "rate_target": f">= {TARGET_RATIO} x /db ceiling ({TARGET_RATIO * db_rps:.0f} req/s)",
            "rate_met": met_rate,
        }
        if not met_rate:
            failures.append(
                f"{scenario}: {saturated['rps']:.0f} req/s = {saturated['ratio_to_db_ceiling']}"
                f" of the /db ceiling, below {TARGET_RATIO}"
            )
        if paced is not None:
            p99 = paced["latency_us"]["p99"] / 1000
            wanted = meta["paced_rps"][scenario]
            met_p99 = p99 <= TARGET_P99_MS and paced["rps"] >= 0.95 * wanted
            targets[scenario] |= {
                "paced_at": wanted,
                "p99_target_ms": TARGET_P99_MS,
                "p99_met": met_p99,
            }
            if not met_p99:
                failures.append(
                    f"{scenario} paced at {wanted}/s: {paced['rps']:.0f} req/s, p99 {p99:.1f} ms"
                )

    for label, measured in (("before", ceiling), ("after", ceiling_after)):
        print(
            f"ceiling {label} the runs: /hello {measured['/hello']['rps']} req/s, /db "
            f"{measured['/db']['rps']} req/s, /write {measured['/write']['rps']} req/s"
        )
    print(
        "| run | req/s | x /db ceiling (mean; before, after) | p50 ms | p90 ms | p99 ms | max ms | "
        "non-2xx | "
        "server CPU ms/req | PostgreSQL CPU ms/req | CPU cores: server / PostgreSQL / wrk / "
        "other | CPU loop s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for name, r in runs.items():
        lat = r["latency_us"]
        cores = r["cpu_cores"]
        print(
            f"| {name} | {r['rps']:.0f} | {r['ratio_to_db_ceiling']:.2f} "
            f"({r['ratio_to_db_ceiling_before']:.2f}, {r['ratio_to_db_ceiling_after']:.2f}) | "
            f"{lat['p50'] / 1000:.1f} | {lat['p90'] / 1000:.1f} | {lat['p99'] / 1000:.1f} | "
            f"{lat['max'] / 1000:.1f} | {r['non2xx']} | {r['server_cpu_ms_per_request']:.2f} | "
            f"{r['postgres_cpu_ms_per_request']:.2f} | {cores['server']}/{cores['postgres']}/"
            f"{cores['wrk']}/{cores['other']} | {r['cpu_loop_s']:.2f} |"
        )
    results = {
        "meta": meta,
        "data": data,
        "ceiling": ceiling,
        "ceiling_after": ceiling_after,
        "runs": runs,
        "targets": targets,
        "failures": failures,
    }
    (run_dir / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    for failure in failures:
        print(f"NOT MET: {failure}")
    return 1 if failures else 0


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "setup":
        options = dict(zip(argv[2::2], argv[3::2], strict=False))
        setup(
            Path(argv[1]),
            applications=int(options.get("--applications", 100_000)),
            accounts=int(options.get("--accounts", 10_000)),
        )
        return 0
    if argv[:1] == ["touch"]:
        touch()
        return 0
    if len(argv) == 2 and argv[0] == "report":
        return report(Path(argv[1]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
