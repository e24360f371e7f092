"""Data of the endorsements apply benchmark (bench/endorsements.sh, issue 11), straight on the
database in DATABASE_URL (the bench database, never production's; `load_demo` first, for the
regions).

python bench/endorsements_data.py setup DIR [--persons 100000]
    Makes with bulk_create: PERSONS registry adults, each holding a valid Hong Kong/Macao card
    pass (issued a year ago, 4 years left), with an account bound to them and a bearer token made
    as POST auth/token makes them. Three in five are registered in Shenzhen districts (eligible for
    individual travel, G, to Hong Kong and Macao), the others in cities that are not on the G list
    (group travel, L, is open to anyone). Writes DIR/apply_tokens.txt, one line a person:
    "<token key> <document id> <destination> <type>", in a shuffled order: what each request
    of bench/apply.lua asks for passes every automatic check, so it is approved at once.
python bench/endorsements_data.py touch
    Sets each token's "last used" within the last 5 minutes (the steady state, as
    bench/documents_data.py does).
"""

import datetime as dt
import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exitentry.settings")

TOKEN_NAME = "endorsements bench"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂建国雨晓梅子涵浩然欣怡宇轩"
ELIGIBLE_SHARE = 0.6  # registered in Shenzhen: individual travel (G)


def _django() -> None:
    import django

    django.setup()


def _regions() -> tuple[list, list]:
    """County-level regions of Shenzhen (eligible for G) and of cities not on the G list."""
    from endorsements.policy_seed import G_REGIONS
    from guide.models import Region

    counties = list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code"))
    shenzhen = [r for r in counties if r.code.startswith("4403")]

    def g_listed(code: str) -> bool:
        return bool({code, f"{code[:4]}00", f"{code[:2]}0000"} & set(G_REGIONS))

    others = [r for r in counties if not g_listed(r.code)]
    if not shenzhen or not others:
        raise SystemExit("no regions: run load_demo first")
    return shenzhen, others


def setup(out: Path, *, persons: int) -> None:
    _django()
    from accounts_data import bound_accounts_with_tokens  # bench/accounts_data.py
    from django.db import transaction
    from django.utils import timezone

    from documents.models import Document, DocumentType
    from guide.calendar import SHANGHAI
    from persons.idnumbers import id_number_make
    from persons.models import Person
    from persons.names import pinyin_name

    rnd = random.Random(20261206)
    now = timezone.now()
    today = now.astimezone(SHANGHAI).date()
    shenzhen, others = _regions()
    people, eligible = [], []
    for i in range(persons):
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=i // 900)
        g = rnd.random() < ELIGIBLE_SHARE
        region = rnd.choice(shenzhen if g else others)
        name = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2))))
        eligible.append(g)
        people.append(
            Person(
                # the area of the ID number is the household's; 900 sequences a day of birth
                id_number=id_number_make(area=region.code, birth_date=birth, sequence=i % 900),
                name_zh=name,
                name_pinyin=pinyin_name(name),
                sex="M" if i % 2 else "F",
                birth_date=birth,
                household_region=region,
                phone_on_file=f"+86138{i:08d}",
            )
        )
    issued = today - dt.timedelta(days=365)
    with transaction.atomic():
        Person.objects.bulk_create(people, batch_size=5000)
        documents = Document.objects.bulk_create(
            [
                Document(
                    person=p,
                    type=DocumentType.HK_MACAO_PASS,
                    number=f"C{20000000 + i:08d}",
                    issued_on=issued,
                    expires_on=issued.replace(year=issued.year + 5),
                    issuing_authority_zh="深圳市公安局出入境管理局",
                    issuing_authority_en="Exit and Entry Administration, Shenzhen PSB",
                )
                for i, p in enumerate(people)
            ],
            batch_size=5000,
        )
        keys = bound_accounts_with_tokens(
            people, phone_prefix="173", token_name=TOKEN_NAME, now=now, batch_size=5000
        )
    lines = [
        f"{key} {doc.pk} {rnd.choice(('HKG', 'MAC'))} {'G' if g else 'L'}"
        for key, doc, g in zip(keys, documents, eligible, strict=True)
    ]
    rnd.shuffle(lines)
    out.mkdir(parents=True, exist_ok=True)
    (out / "apply_tokens.txt").write_text("\n".join(lines) + "\n")
    data = {
        "persons": persons,
        "eligible_for_g": sum(eligible),
        "shenzhen_regions": len(shenzhen),
        "other_regions": len(others),
    }
    (out / "data.json").write_text(json.dumps(data, indent=2) + "\n")
    print(
        f"endorsements: {persons} persons with a valid card pass, a bound account and a token; "
        f"{data['eligible_for_g']} registered in Shenzhen (individual travel)"
    )


def touch() -> None:
    _django()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_apitoken SET last_used_at = now() - random() * interval '300 seconds'"
            " WHERE name = %s",
            [TOKEN_NAME],
        )


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    if argv[0] == "setup":
        persons = int(argv[argv.index("--persons") + 1]) if "--persons" in argv else 100_000
        setup(Path(argv[1]), persons=persons)
    elif argv[0] == "touch":
        touch()
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
