"""Data of the crossings benchmarks (bench/crossings.sh, issue 12), straight on the PostgreSQL
database in DATABASE_URL (the bench database, never production's).

python bench/crossings_data.py generate DIR --persons 100000 --crossings 1000000 [--sample 20000]
    Persons (valid ID numbers, in one county of the demo regions), their documents (a passport
    and a Hong Kong/Macao pass each, an old invalidated passport for one in three), an active
    Hong Kong endorsement on the pass of one in three (2 trips or multiple), 20 ports with
    one credential each, and crossings spread over the last 10 years (1M or 10M rows): the
    persons with COPY, documents and crossings by PostgreSQL (INSERT ... SELECT). Writes
    DIR/ports.json (key ids and secrets), DIR/documents.tsv (--sample documents for the
    ingestion driver) and DIR/data.json (counts, bytes per row, table and index sizes).
python bench/crossings_data.py sizes
    Rows, bytes per row (pg_column_size), heap and index sizes of the crossings table: the
    figures of docs/scaling.md.
"""

import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exitentry.settings")

PORTS = [
    ("SZ-LUOHU", "罗湖口岸", "Luohu", "land", "HKG"),
    ("SZ-FUTIAN", "福田口岸", "Futian", "land", "HKG"),
    ("SZ-SZBAY", "深圳湾口岸", "Shenzhen Bay", "land", "HKG"),
    ("SZ-HUANGGANG", "皇岗口岸", "Huanggang", "land", "HKG"),
    ("SZ-LIANTANG", "莲塘口岸", "Liantang", "land", "HKG"),
    ("ZH-GONGBEI", "拱北口岸", "Gongbei", "land", "MAC"),
    ("ZH-HENGQIN", "横琴口岸", "Hengqin", "land", "MAC"),
    ("ZH-QINGMAO", "青茂口岸", "Qingmao", "land", "MAC"),
    ("ZH-HZMB", "港珠澳大桥珠海公路口岸", "HZM Bridge (Zhuhai)", "land", "HKG"),
    ("GZ-WKL", "广深港高铁西九龙站口岸", "West Kowloon Station", "rail", "HKG"),
    ("PEK", "北京首都国际机场", "Beijing Capital Airport", "air", "other"),
    ("PKX", "北京大兴国际机场", "Beijing Daxing Airport", "air", "other"),
    ("PVG", "上海浦东国际机场", "Shanghai Pudong Airport", "air", "other"),
    ("SHA", "上海虹桥国际机场", "Shanghai Hongqiao Airport", "air", "other"),
    ("CAN", "广州白云国际机场", "Guangzhou Baiyun Airport", "air", "other"),
    ("SZX", "深圳宝安国际机场", "Shenzhen Bao'an Airport", "air", "other"),
    ("CTU", "成都双流国际机场", "Chengdu Shuangliu Airport", "air", "other"),
    ("TFU", "成都天府国际机场", "Chengdu Tianfu Airport", "air", "other"),
    ("XMN", "厦门高崎国际机场", "Xiamen Gaoqi Airport", "air", "other"),
    ("XM-WUTONG", "厦门五通客运码头", "Xiamen Wutong Pier", "sea", "TWN"),
]
ABROAD = ["JPN", "KOR", "THA", "SGP", "USA", "GBR", "FRA", "DEU", "AUS", "MYS"]


def _django() -> None:
    import django

    django.setup()


def generate(
    out: Path, *, persons: int, crossings: int, sample_size: int = 20_000, seed: int = 12
) -> None:
    _django()
    from django.db import connection
    from django.utils import timezone

    from crossings.models import Port
    from crossings.services import port_credential_create
    from guide.models import Region
    from persons.idnumbers import id_number_make

    rnd = random.Random(seed)
    county = Region.objects.filter(level=Region.Level.COUNTY).order_by("code").first()
    if county is None:
        raise SystemExit("no county: run `manage.py load_demo` first")
    now = timezone.now()
    out.mkdir(parents=True, exist_ok=True)

    ports, secrets = [], {}
    for code, zh, en, kind, side in PORTS:
        port, _ = Port.objects.get_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "kind": kind, "side": side}
        )
        credential, secret = port_credential_create(port=port, label="bench")
        ports.append(port)
        secrets[code] = {"key_id": credential.key_id, "secret": secret, "side": side}
    (out / "ports.json").write_text(json.dumps(secrets, indent=2) + "\n")

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM persons_person")
        first_person = cursor.fetchone()[0] + 1
        cursor.execute("SELECT coalesce(max(id), 0) FROM documents_document")
        first_document = cursor.fetchone()[0] + 1
    raw = connection.connection  # psycopg connection: COPY
    person_ids = range(first_person, first_person + persons)
    with (
        raw.cursor() as cur,
        cur.copy(
            "COPY persons_person (id, id_number, name_zh, name_pinyin, sex, birth_date, "
            "household_region_id, phone_on_file, created_at, updated_at) FROM STDIN"
        ) as copy,
    ):
        id_numbers = {}
        for n, pid in enumerate(person_ids):
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=rnd.randrange(0, 365 * 55))
            id_number = id_number_make(area=county.code[:6], birth_date=birth, sequence=n % 1000)
            # The sequence repeats every 1,000 persons: make the number unique by birth day.
            while id_number in id_numbers:
                birth += dt.timedelta(days=1)
                id_number = id_number_make(
                    area=county.code[:6], birth_date=birth, sequence=n % 1000
                )
            id_numbers[id_number] = pid
            copy.write_row(
                (
                    pid,
                    id_number,
                    "张伟",
                    "Zhang Wei",
                    "M" if n % 2 else "F",
                    birth,
                    county.pk,
                    "",
                    now,
                    now,
                )
            )
    with connection.cursor() as cursor:
        # Documents and crossings are made by PostgreSQL itself (INSERT ... SELECT over
        # generate_series): ~10x faster than rows written from Python, so that the 10
        # million rows take minutes. Person n (from 0) has a passport (document first + 2n +
        # (n+2)//3), a Hong Kong/Macao pass (the next one) and, for one in three (n % 3 == 0),
        # an old invalidated passport (the one after).
        cursor.execute("SELECT setseed(0.12)")
        cursor.execute(
            "INSERT INTO documents_document (id, person_id, type, number, issued_on, expires_on, "
            "issuing_authority_zh, issuing_authority_en, status, status_changed_at, created_at) "
            "SELECT %s::bigint + 2 * n + (n + 2) / 3 + k, %s::bigint + n, "
            "CASE k WHEN 1 THEN 'hk_macao_pass' ELSE 'passport' END, "
            "CASE k WHEN 0 THEN 'E' || (10000000 + n) WHEN 1 THEN 'C' || (10000000 + n) "
            "ELSE 'E' || (50000000 + n) END, "
            "make_date(CASE k WHEN 0 THEN 2021 WHEN 1 THEN 2022 ELSE 2011 END, 3, 1), "
            "make_date(CASE k WHEN 0 THEN 2031 WHEN 1 THEN 2032 ELSE 2021 END, 2, 28), "
            "'国家移民管理局', 'National Immigration Administration', "
            "CASE k WHEN 2 THEN 'invalidated' ELSE 'valid' END, "
            "CASE k WHEN 2 THEN %s::timestamptz END, %s "
            "FROM generate_series(0, %s::int - 1) AS n, generate_series(0, 2) AS k "
            "WHERE k < 2 OR n %% 3 = 0",
            [first_document, first_person, now, now, persons],
        )
        documents_made = cursor.rowcount
        endorsements_made = _endorsements(cursor, first_person, first_document, persons, now)
        span = dt.timedelta(days=3650) - dt.timedelta(days=2)
        oldest = now - dt.timedelta(days=3650) + dt.timedelta(days=1)
        # Month by month (one partition at a time, its indexes small enough to stay in memory),
        # each month its share of the rows at random moments within it.
        port_ids = [port.pk for port in ports]
        port_sides = [port.side for port in ports]
        made, month = 0, oldest
        while made < crossings:
            following = (month.replace(day=1) + dt.timedelta(days=32)).replace(
                day=1, hour=0, minute=0, second=0, microsecond=0
            )
            following = min(following, oldest + span)
            share = (following - oldest) / span
            count = (
                crossings - made if following >= oldest + span else round(crossings * share) - made
            )
            cursor.execute(
                "INSERT INTO crossings_crossing (person_id, document_id, port_id, direction, "
                "occurred_at, destination, vehicle, event_id, received_at, flag) "
                "SELECT %s::bigint + n, %s::bigint + 2 * n + (n + 2) / 3 + k, (%s::bigint[])[q], "
                "CASE WHEN g %% 2 = 1 THEN 'exit' ELSE 'entry' END, occ, "
                "CASE WHEN k <> 1 THEN (%s::varchar[])[1 + floor(random() * 10)::int] "
                "WHEN (%s::varchar[])[q] = 'MAC' THEN 'MAC' ELSE 'HKG' END, "
                "'', 'gen-' || g, occ, '' FROM ("
                "SELECT g, n, floor(random() * CASE WHEN n %% 3 = 0 THEN 3 ELSE 2 END)::int AS k,"
                " q, occ FROM (SELECT g, floor(random() * %s::int)::int AS n,"
                " 1 + floor(random() * %s::int)::int AS q,"
                " %s::timestamptz + random() * (%s::timestamptz - %s::timestamptz) AS occ"
                " FROM generate_series(%s::bigint, %s::bigint) AS g) AS a) AS b",
                [
                    first_person,
                    first_document,
                    port_ids,
                    ABROAD,
                    port_sides,
                    persons,
                    len(port_ids),
                    month,
                    following,
                    month,
                    made,
                    made + count - 1,
                ],
            )
            made += count
            month = following
        cursor.execute(
            "SELECT d.type, d.number, p.id_number FROM documents_document d "
            "JOIN persons_person p ON p.id = d.person_id WHERE d.id >= %s "
            "ORDER BY random() LIMIT %s",
            [first_document, sample_size],
        )
        sample = cursor.fetchall()
    with connection.cursor() as cursor:
        # The months index, as the batch insert keeps it (crossings.services.crossing_months_add),
        # in (person, month) order: its unique index then grows at its right end (unordered, the
        # 9.6 million rows of the 10-million run took over 5 minutes of random index inserts).
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute(
            "INSERT INTO crossings_crossingmonth (person_id, month, count) "
            "SELECT person_id, date_trunc('month', occurred_at AT TIME ZONE 'UTC')::date, count(*) "
            "FROM crossings_crossing GROUP BY 1, 2 ORDER BY 1, 2 "
            "ON CONFLICT (person_id, month) DO UPDATE SET count = EXCLUDED.count"
        )
        cursor.execute("RESET work_mem")
        for table in ("persons_person", "documents_document"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        cursor.execute(
            "ANALYZE persons_person, documents_document, crossings_crossing, "
            "crossings_crossingmonth"
        )
    loaded = time.monotonic() - started
    (out / "documents.tsv").write_text(
        "".join(f"{kind}\t{number}\t{idn}\n" for kind, number, idn in sample)
    )
    data = {
        "persons": persons,
        "documents": documents_made,
        "endorsements": endorsements_made,
        "crossings": crossings,
        "load_seconds": round(loaded, 1),
        **sizes(),
    }
    (out / "data.json").write_text(json.dumps(data, indent=2) + "\n")
    print(json.dumps(data, indent=2))


def _endorsements(cursor, first_person: int, first_document: int, persons: int, now) -> int:
    """One person in three (n % 3 == 1) holds an active Hong Kong endorsement on their card pass,
    valid from 200 days ago for a year: half with 2 trips (the ingestion's exits use them up),
    half with multiple trips. So exits of the ingestion use trips, as at a real port."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from endorsements.models import EndorsementPolicy

    def policy(option_code: str) -> tuple[int, str] | None:
        return (
            EndorsementPolicy.objects.filter(destination="HKG", option_code=option_code)
            .order_by("id")
            .values_list("id", "type_code")
            .first()
        )

    two, multiple = policy("1y2"), policy("1yM")
    if two is None or multiple is None:
        raise SystemExit("no Hong Kong endorsement policy (1y2, 1yM): migrate first")
    # Who applied (a required column): one account without a usable password.
    applicant, _made = User.objects.get_or_create(
        username="bench-crossings-applicant", defaults={"password": make_password(None)}
    )
    since = now - dt.timedelta(days=200)
    cursor.execute(
        "INSERT INTO endorsements_endorsement (number, application_number, document_id, "
        "person_id, policy_id, destination, type_code, valid_from, valid_until, trips_total, "
        "trips_used, stay_days, fee, answers, channel, status, failed_checks, applied_by_id, "
        "applied_at, idempotency_key, request_hash, rejection_reason, rejection_note, "
        "payment_method, receipt_number, paid_at, printed_at, updated_at) "
        "SELECT 'B' || (900000000000000 + n), (90000000000000 + n)::text, "
        "%s::bigint + 2 * n + (n + 2) / 3 + 1, %s::bigint + n, "
        "CASE WHEN n %% 2 = 1 THEN %s::bigint ELSE %s::bigint END, 'HKG', "
        "CASE WHEN n %% 2 = 1 THEN %s ELSE %s END, %s::date, %s::date, "
        "CASE WHEN n %% 2 = 1 THEN 2 END, 0, 7, 15, '{}', 'kiosk', 'active', '[]', %s, %s, '', "
        "'', '', '', 'cash', '', %s, %s, %s "
        "FROM generate_series(0, %s::int - 1) AS n WHERE n %% 3 = 1",
        [
            first_document,
            first_person,
            two[0],
            multiple[0],
            two[1],
            multiple[1],
            since.date(),
            (since + dt.timedelta(days=365)).date(),
            applicant.pk,
            since,
            since,
            since,
            since,
            persons,
        ],
    )
    return cursor.rowcount


def sizes() -> dict:
    """Rows, bytes per row and sizes of the crossings table (all partitions)."""
    _django()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), avg(pg_column_size(c.*)) FROM crossings_crossing c")
        rows, row_bytes = cursor.fetchone()
        cursor.execute(
            "SELECT sum(pg_relation_size(i.inhrelid)), sum(pg_indexes_size(i.inhrelid)), "
            "count(*) FROM pg_inherits i WHERE i.inhparent = 'crossings_crossing'::regclass"
        )
        heap, indexes, partitions = cursor.fetchone()
        cursor.execute(
            "SELECT p.relname, sum(pg_relation_size(pi.inhrelid)) FROM pg_inherits pi "
            "JOIN pg_class p ON p.oid = pi.inhparent "
            "WHERE p.relkind = 'I' AND p.relname IN ("
            "SELECT indexname FROM pg_indexes WHERE tablename = 'crossings_crossing') "
            "GROUP BY p.relname ORDER BY p.relname"
        )
        per_index = {name: int(size) for name, size in cursor.fetchall()}
    rows = int(rows or 0)
    return {
        "rows": rows,
        "row_bytes_pg_column_size": round(float(row_bytes or 0), 1),
        "heap_bytes": int(heap or 0),
        "heap_bytes_per_row": round(int(heap or 0) / rows, 1) if rows else None,
        "index_bytes": int(indexes or 0),
        "index_bytes_per_row": round(int(indexes or 0) / rows, 1) if rows else None,
        "index_bytes_by_index": per_index,
        "partitions": int(partitions),
    }


def main(argv: list[str]) -> int:
    if argv[:1] == ["generate"] and len(argv) >= 2:
        args = dict(zip(argv[2::2], argv[3::2], strict=False))
        generate(
            Path(argv[1]),
            persons=int(args.get("--persons", 100_000)),
            crossings=int(args.get("--crossings", 1_000_000)),
            sample_size=int(args.get("--sample", 20_000)),
        )
        return 0
    if argv[:1] == ["sizes"]:
        print(json.dumps(sizes(), indent=2))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
