"""Data and report of the "My documents" benchmark (bench/documents.sh, issue 3), straight on
the database in DATABASE_URL (the bench database, never production's).

python bench/documents_data.py setup DIR [--accounts 10000]
    Binds an account to each of the first 10,000 registry persons (by id) that have none, and
    gives each a bearer token made as POST auth/token makes them (bulk_create). Writes the keys
    to DIR/document_tokens.txt (one a line) and what the answers will hold to DIR/data.json
    (documents per answer, persons with minors, persons without documents).
python bench/documents_data.py touch
    Sets each token's "last used" to a random moment of the last 5 minutes, so that a run sees
    the production steady state: a token used again after 5 minutes has its "last used"
    written once (accounts.auth.LAST_USED_RESOLUTION), here ~N/300 writes a second.
python bench/documents_data.py report DIR
    The table and DIR/results.json from the wrk outputs (`<run>.txt`, `<run>.cpu` with the CPU
    seconds of the server, wrk, the whole machine and PostgreSQL, `<run>.loadavg`,
    `<run>.calibration`, meta.json, data.json);
    exit 1 if a run had a non-2xx answer or a socket error, or a target is missed.
"""

import datetime as dt
import json
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exitentry.settings")

TARGET_RPS = 800.0
TARGET_P99_MS = 50.0
RUNS = ("documents", "documents-paced")


def _django() -> None:
    import django

    django.setup()


def setup(out: Path, *, accounts: int) -> None:
    _django()
    from accounts_data import bound_accounts_with_tokens  # bench/accounts_data.py
    from django.db.models import Count
    from django.utils import timezone

    from documents.models import Document
    from documents.selectors import today_shanghai
    from persons.models import Guardianship, Person
    from persons.selectors import ADULT_AGE

    now = timezone.now()
    persons = list(
        Person.objects.filter(account__isnull=True)
        .order_by("pk")
        .only("pk", "birth_date")[:accounts]
    )
    if len(persons) < accounts:
        raise SystemExit(f"only {len(persons)} registry persons without an account")
    keys = bound_accounts_with_tokens(
        persons, phone_prefix="171", token_name="documents bench", now=now, batch_size=2000
    )

    # What the answers hold: the person's documents and those of their minors.
    today = today_shanghai()
    # as persons.selectors.minors_of: born after this date, not yet 18 today
    if (today.month, today.day) == (2, 29):
        cutoff = dt.date(today.year - ADULT_AGE, 3, 1)
    else:
        cutoff = today.replace(year=today.year - ADULT_AGE)
    ids = [p.pk for p in persons]
    per_person = dict(
        Document.objects.values_list("person_id")
        .annotate(n=Count("id"))
        .values_list("person_id", "n")
        .order_by()
    )
    minors: dict[int, list[int]] = {}
    for guardian, child in Guardianship.objects.filter(
        guardian_id__in=ids, child__birth_date__gt=cutoff
    ).values_list("guardian_id", "child_id"):
        minors.setdefault(guardian, []).append(child)
    per_answer = [
        per_person.get(pk, 0) + sum(per_person.get(c, 0) for c in minors.get(pk, [])) for pk in ids
    ]
    groups = [1 + len(minors.get(pk, [])) for pk in ids]
    data = {
        "registry_persons": Person.objects.count(),
        "registry_documents": Document.objects.count(),
        "accounts": len(keys),
        "documents_per_answer_mean": round(sum(per_answer) / len(per_answer), 2),
        "documents_per_answer": dict(sorted(Counter(min(n, 6) for n in per_answer).items())),
        "answers_without_documents": sum(1 for n in per_answer if n == 0),
        "accounts_with_minors": sum(1 for g in groups if g > 1),
        "persons_per_answer_mean": round(sum(groups) / len(groups), 2),
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "document_tokens.txt").write_text("\n".join(keys) + "\n")
    (out / "data.json").write_text(json.dumps(data, indent=2) + "\n")
    print(
        f"documents: {len(keys)} bound accounts with a token; registry "
        f"{data['registry_persons']} persons, {data['registry_documents']} documents; "
        f"{data['documents_per_answer_mean']} documents per answer "
        f"(0: {data['answers_without_documents']}), "
        f"{data['accounts_with_minors']} accounts with minors"
    )


def touch() -> None:
    _django()
    from django.db import connection

    # One UPDATE: last_used_at spread uniformly over the last 300 s (LAST_USED_RESOLUTION).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_apitoken SET last_used_at = now() - random() * interval '300 seconds'"
            " WHERE name = 'documents bench'"
        )


def report(run_dir: Path) -> int:
    sys.path.insert(0, str(ROOT / "bench"))
    from report import parse_wrk  # bench/report.py

    meta = json.loads((run_dir / "meta.json").read_text())
    data = json.loads((run_dir / "data.json").read_text())
    runs = {}
    for name in RUNS:
        out = run_dir / f"{name}.txt"
        if not out.exists():
            continue
        r = parse_wrk(out.read_text())
        cpu = run_dir / f"{name}.cpu"
        if cpu.exists():
            server, load, busy, postgres = (float(x) for x in cpu.read_text().split())
            r["server_cpu_cores"] = round(server / r["seconds"], 2)
            r["wrk_cpu_cores"] = round(load / r["seconds"], 2)
            r["postgres_cpu_cores"] = round(postgres / r["seconds"], 2)
            other = max(busy - server - load - postgres, 0.0)
            r["other_cpu_cores"] = round(other / r["seconds"], 2)
            r["server_cpu_ms_per_request"] = round(1000 * server / r["requests"], 2)
            r["postgres_cpu_ms_per_request"] = round(1000 * postgres / r["requests"], 2)
        loadavg = run_dir / f"{name}.loadavg"
        if loadavg.exists():
            r["loadavg_before"] = loadavg.read_text().strip()
        calibration = run_dir / f"{name}.calibration"
        if calibration.exists():
            r["cpu_loop_s"] = float(calibration.read_text())
        runs[name] = r

    problems = []
    top, paced = runs.get("documents"), runs.get("documents-paced")
    if top is None:
        problems.append("no saturating run")
    elif top["rps"] < TARGET_RPS:
        problems.append(f"throughput {top['rps']:.0f} req/s, {top['rps'] / TARGET_RPS - 1:+.0%}")
    if paced is None:
        problems.append("no paced run for p99")
    else:
        if paced["rps"] < 0.95 * TARGET_RPS:
            problems.append(f"paced run reached only {paced['rps']:.0f} req/s")
        if paced["p99_ms"] > TARGET_P99_MS:
            problems.append(f"p99 {paced['p99_ms']:.0f} ms at ~{paced['rps']:.0f} req/s")
    errors = any(r["non2xx"] or any(r["socket_errors"].values()) for r in runs.values())
    if errors:
        problems.append("errors")
    verdict = "met" if not problems else "MISSED: " + "; ".join(problems)
    result = {
        **meta,
        "data": data,
        "targets": {"rps": TARGET_RPS, "p99_ms": TARGET_P99_MS},
        "runs": runs,
        "verdict": verdict,
    }
    (run_dir / "results.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")

    print(
        f"\n{data['accounts']} bound accounts with tokens ({data['registry_persons']} registry "
        f"persons, {data['documents_per_answer_mean']} documents per answer), "
        f"{meta['workers']} workers ({meta['worker_class']}, {meta['threads']} threads), "
        f"wrk -t{meta['wrk_threads']} -c{meta['connections']} -d{meta['duration']}, "
        f"LOG_LEVEL={meta['log_level']}, {meta['cpus']} CPUs shared by server, wrk, "
        f"PostgreSQL and anything else; load average at the start "
        f"{meta['loadavg_at_start']}, load_demo_registry {meta['load_demo_registry_seconds']} s\n"
    )
    print(
        "| run | load avg before | CPU loop s | req/s | p50 ms | p90 ms | p99 ms | max ms "
        "| non-2xx | socket errors | CPU cores: server / wrk / PostgreSQL / other "
        "| CPU ms per request: server / PostgreSQL |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for name, r in runs.items():
        label = name.replace("-paced", f" paced ~{meta['paced_rps']}/s")
        cpu = " / ".join(
            str(r.get(k, "-"))
            for k in ("server_cpu_cores", "wrk_cpu_cores", "postgres_cpu_cores", "other_cpu_cores")
        )
        per_request = " / ".join(
            str(r.get(k, "-")) for k in ("server_cpu_ms_per_request", "postgres_cpu_ms_per_request")
        )
        print(
            f"| {label} | {r.get('loadavg_before', '-')} | {r.get('cpu_loop_s', '-')} "
            f"| {r['rps']:.0f} | {r['p50_ms']:.1f} "
            f"| {r['p90_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.1f} | {r['non2xx']} "
            f"| {sum(r['socket_errors'].values())} | {cpu} | {per_request} |"
        )
    print(
        f"\nTarget (>= {TARGET_RPS:.0f} req/s at saturation, p99 <= {TARGET_P99_MS:.0f} ms "
        f"at ~{TARGET_RPS:.0f} req/s): {verdict}"
    )
    print(f"\nwritten: {run_dir / 'results.json'}")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["setup", "touch", "report"])
    parser.add_argument("dir", type=Path, nargs="?")
    parser.add_argument("--accounts", type=int, default=10_000)
    args = parser.parse_args(argv)
    if args.command == "setup":
        setup(args.dir, accounts=args.accounts)
    elif args.command == "touch":
        touch()
    else:
        return report(args.dir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
