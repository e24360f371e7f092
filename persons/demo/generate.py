"""Deterministic synthetic registry for the demo and the benchmark.

Nothing here is real: names come from the pools in names.json, ID numbers are built with valid
check characters for counties of GB/T 2260 (which `manage.py load_demo` loads as regions), phone
numbers and document numbers are made up. The same arguments give the same records.

Persons and their ID numbers do not depend on the date; document dates are relative to `anchor`
(the first day of the current month), so that the mix of valid, expiring and expired documents
stays the same whenever the demo is loaded.

    python -m persons.demo.generate --persons 50 > registry.json   # an import file
"""

import argparse
import datetime as dt
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path

from dateutil.relativedelta import relativedelta

from persons.idnumbers import id_number_make

from .fixed import FIXED_ID_NUMBERS

HERE = Path(__file__).resolve().parent
NAMES_JSON = HERE / "names.json"
SEED = 20261125
# Birth dates count back from this year, whatever today is: ID numbers never change.
REFERENCE_YEAR = 2026
NOTE = "Synthetic demo data: these persons and documents do not exist."
_PHONE_PREFIXES = ("135", "136", "137", "139", "150", "151", "158", "159", "186", "187", "188")
# Letters of the newer number series (C + letter excludes I and O; so do we everywhere).
_SERIES_LETTERS = "BDFGHJKMNPRTW"


def _number(prefix: str, serial: int, *, lettered: bool) -> str:
    """E/C/L + 8 digits, or (newer series) E/C + letter + 7 digits; unique per serial."""
    if lettered and prefix != "L":
        letter = _SERIES_LETTERS[serial // 9_000_000 % len(_SERIES_LETTERS)]
        return f"{prefix}{letter}{1_000_000 + serial % 9_000_000:07d}"
    return f"{prefix}{80_000_000 + serial:08d}"


def county_codes() -> list[str]:
    """County-level region codes of GB/T 2260 (the regions `load_demo` loads)."""
    from guide.regions import gbt2260_regions

    return [row.code for row in gbt2260_regions() if row.level == "county"]


class _Generator:
    def __init__(self, *, anchor: dt.date, seed: int, counties: Sequence[str]) -> None:
        names = json.loads(NAMES_JSON.read_text(encoding="utf-8"))
        self.surnames = [s for s, _w in names["surnames"]]
        self.weights = [w for _s, w in names["surnames"]]
        self.given = {"M": names["given_male"], "F": names["given_female"]}
        self.rng = random.Random(seed)
        self.seed = seed
        self.anchor = anchor
        by_province: dict[str, list[str]] = {}
        for code in sorted(counties):
            by_province.setdefault(code[:2], []).append(code)
        self.provinces = sorted(by_province.items())
        self.used_ids: set[str] = set(FIXED_ID_NUMBERS)
        self.persons: list[dict] = []
        self.documents: list[dict] = []
        self.guardianships: list[dict] = []

    # persons ---------------------------------------------------------------------------
    def county(self) -> str:
        _province, codes = self.rng.choice(self.provinces)
        return self.rng.choice(codes)

    def person(self, *, county: str, sex: str, born: dt.date, surname: str | None = None):
        while True:
            sequence = self.rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0)
            id_number = id_number_make(area=county, birth_date=born, sequence=sequence)
            if id_number not in self.used_ids:
                break
        self.used_ids.add(id_number)
        surname = surname or self.rng.choices(self.surnames, self.weights)[0]
        phone = f"+86{self.rng.choice(_PHONE_PREFIXES)}{self.rng.randrange(10**8):08d}"
        if relativedelta(self.anchor, born).years < 18:
            phone = ""  # minors have none on file
        record = {
            "id_number": id_number,
            "name_zh": surname + self.rng.choice(self.given[sex]),
            "household_region": county,
            "phone_on_file": phone,
        }
        self.persons.append(record)
        self.documents_for(record, born, index=len(self.persons))
        return record

    def birth_date(self, *, min_age: int, max_age: int) -> dt.date:
        year = REFERENCE_YEAR - self.rng.randint(min_age, max_age)
        return dt.date(year, 1, 1) + dt.timedelta(days=self.rng.randrange(365))

    # documents -------------------------------------------------------------------------
    def documents_for(self, person: dict, born: dt.date, *, index: int) -> None:
        # A random source of the person's own: the persons after them do not depend on how
        # many documents this one has (which depends on the month the demo is loaded in).
        rng = random.Random(f"{self.seed}-{person['id_number']}")
        adult = REFERENCE_YEAR - born.year >= 18
        chances = (
            {"passport": 0.75, "hk_macao_pass": 0.55, "taiwan_permit": 0.15}
            if adult
            else {"passport": 0.3, "hk_macao_pass": 0.6, "taiwan_permit": 0.05}
        )
        for type_, chance in chances.items():
            if rng.random() < chance:
                self.document(rng, person, born, type_, serial=index * 2)

    def document(self, rng, person: dict, born: dt.date, type_: str, *, serial: int) -> None:
        prefix = {"passport": "E", "hk_macao_pass": "C", "taiwan_permit": "L"}[type_]
        # Months ago it was issued: mostly within 10 years, some longer ago (now expired).
        months = rng.randrange(1, 120) if rng.random() < 0.9 else rng.randrange(121, 160)
        issued = self.anchor - relativedelta(months=months) + dt.timedelta(rng.randrange(28))
        issued = min(issued, self.anchor)
        if issued <= born + relativedelta(months=3):
            issued = born + relativedelta(months=3)
            if issued > self.anchor:
                return
        # Numbers of the newer series for documents of the last three years.
        lettered = months <= 36
        # An earlier document of the same type, replaced by this one (recorded first).
        if months < 60 and relativedelta(issued, born).years >= 26 and rng.random() < 0.25:
            old_issued = issued - relativedelta(years=10, months=rng.randrange(0, 6))
            self.documents.append(
                self.record(
                    person, born, type_, _number(prefix, serial, lettered=False), old_issued
                )
            )
        self.documents.append(
            self.record(person, born, type_, _number(prefix, serial + 1, lettered=lettered), issued)
        )

    def record(self, person, born, type_, number, issued) -> dict:
        years = 10 if relativedelta(issued, born).years >= 16 else 5
        return {
            "holder_id_number": person["id_number"],
            "type": type_,
            "number": number,
            "issued_on": issued.isoformat(),
            "expires_on": (issued + relativedelta(years=years, days=-1)).isoformat(),
            "status": "valid",
            "issuing_authority_zh": "国家移民管理局",
            "issuing_authority_en": "National Immigration Administration",
        }

    # families --------------------------------------------------------------------------
    def family(self) -> int:
        county = self.county()
        surname = self.rng.choices(self.surnames, self.weights)[0]
        father_born = self.birth_date(min_age=32, max_age=50)
        father = self.person(county=county, sex="M", born=father_born, surname=surname)
        mother_born = self.birth_date(min_age=30, max_age=48)
        mother = self.person(county=county, sex="F", born=mother_born)
        count = 2
        for _ in range(self.rng.choice([1, 1, 2])):
            born = self.birth_date(min_age=1, max_age=15)
            child = self.person(
                county=county, sex=self.rng.choice("MF"), born=born, surname=surname
            )
            count += 1
            for parent in (father, mother):
                self.guardianships.append(
                    {
                        "guardian_id_number": parent["id_number"],
                        "child_id_number": child["id_number"],
                        "relation": "parent",
                    }
                )
        return count

    def run(self, persons: int) -> dict[str, list]:
        made = 0
        while made < persons:
            # The same draws whatever `persons` is: a smaller set is the start of a larger one.
            if self.rng.random() < 0.3:
                made += self.family()
            else:
                born = self.birth_date(min_age=18, max_age=80)
                self.person(county=self.county(), sex=self.rng.choice("MF"), born=born)
                made += 1
        return {
            "_note": NOTE,
            "persons": self.persons,
            "documents": self.documents,
            "guardianships": self.guardianships,
        }


def demo_records(
    *,
    persons: int,
    anchor: dt.date,
    seed: int = SEED,
    counties: Sequence[str] | None = None,
) -> dict[str, list]:
    """About `persons` synthetic persons (families may add up to 3 more), with their documents
    and guardianships, in the import format (see persons.importing)."""
    generator = _Generator(anchor=anchor, seed=seed, counties=counties or county_codes())
    return generator.run(persons)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=400)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    anchor = dt.date.today().replace(day=1)
    records = demo_records(persons=args.persons, anchor=anchor, seed=args.seed)
    json.dump(records, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
