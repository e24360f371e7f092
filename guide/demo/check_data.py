"""Check the demo hall data; exits non-zero on any problem.

Run from the project root: .venv/bin/python guide/demo/check_data.py
"""

import csv
import itertools
import math
import re
import sys
from pathlib import Path

import stdnum

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the project root

from guide.demo import generate

LOC_DAT = Path(stdnum.__file__).parent / "cn" / "loc.dat"
LAT_RANGE = (18.0, 54.0)
LNG_RANGE = (73.0, 135.0)
PROVINCE_CODES = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33",
    "34", "35", "36", "37", "41", "42", "43", "44", "45", "46", "50",
    "51", "52", "53", "54", "61", "62", "63", "64", "65",
]  # fmt: skip
SERVICES = set(generate.ALL_SERVICES)
LUOHU_PORT = (22.533, 114.113)
GONGBEI_PORT = (22.218, 113.548)
CITY_COLUMNS = ["region_code", "name_zh", "name_en", "latitude", "longitude", "weight"]

problems: list[str] = []


def problem(message: str) -> None:
    problems.append(message)


def load_current_codes(path: Path = LOC_DAT) -> dict[str, str]:
    """GB/T 2260 codes from python-stdnum's loc.dat whose latest name has not ended."""
    current = {}
    province = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = re.match(r'(\d\d) province="(.*)"', line)
        if match:
            province = match.group(1)
            suffix, names = "0000", match.group(2)
        else:
            match = re.match(r'\s+(\d{4}) county="(.*)"', line)
            if not match or province is None:
                raise ValueError(f"unexpected line in {path}: {line!r}")
            suffix, names = match.groups()
        latest = names.split(",")[-1]
        period = re.match(r"\[(\d*)-(\d*)\](.*)", latest)
        if period and period.group(2):
            continue  # ended
        current[province + suffix] = period.group(3) if period else latest
    return current


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 12742.0 * math.asin(math.sqrt(h))


def nearest_km(point: tuple[float, float], halls: list[dict]) -> float:
    return min(distance_km(point, (h["latitude"], h["longitude"])) for h in halls)


def check_point(where: str, lat: float, lng: float) -> None:
    inside = LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LNG_RANGE[0] <= lng <= LNG_RANGE[1]
    if not inside:
        problem(f"{where}: location {lat}, {lng} is outside China's bounding box")


def check_code(where: str, code: str, current: dict[str, str]) -> None:
    if not re.fullmatch(r"\d{6}", code):
        problem(f"{where}: region code {code!r} is not six digits")
    elif code not in current:
        problem(f"{where}: region code {code} is not a current code in loc.dat")


def check_cities(current: dict[str, str]) -> list[dict]:
    with generate.CITIES_CSV.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != CITY_COLUMNS:
            problem(f"cities.csv: columns {reader.fieldnames}, expected {CITY_COLUMNS}")
        rows = list(reader)
    seen = set()
    for i, row in enumerate(rows, start=2):
        where = f"cities.csv line {i}"
        code = row["region_code"]
        check_code(where, code, current)
        if code in seen:
            problem(f"{where}: duplicate region code {code}")
        seen.add(code)
        if code in current and current[code] != row["name_zh"]:
            expected = current[code]
            problem(f"{where}: name {row['name_zh']!r}, loc.dat has {expected!r}")
        if not row["name_en"].strip():
            problem(f"{where}: empty name_en")
        try:
            check_point(where, float(row["latitude"]), float(row["longitude"]))
        except ValueError:
            problem(f"{where}: latitude/longitude are not numbers")
        if not row["weight"].isdigit() or int(row["weight"]) < 1:
            problem(f"{where}: weight {row['weight']!r} is not a positive integer")
    return rows


def check_extra_halls(current: dict[str, str]) -> list[dict]:
    with generate.HALLS_EXTRA_CSV.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != list(generate.HALL_KEYS):
            problem(f"halls_extra.csv: unexpected columns {reader.fieldnames}")
        rows = list(reader)
    seen = set()
    for i, row in enumerate(rows, start=2):
        where = f"halls_extra.csv line {i}"
        check_code(where, row["region_code"], current)
        if row["code"] in seen:
            problem(f"{where}: duplicate code {row['code']}")
        seen.add(row["code"])
        if row["hours"] not in generate.PROFILES:
            problem(f"{where}: unknown hours profile {row['hours']!r}")
        try:
            check_point(where, float(row["latitude"]), float(row["longitude"]))
        except ValueError:
            problem(f"{where}: latitude/longitude are not numbers")
    return rows


def minutes(hhmm: object) -> int | None:
    """Minutes since midnight of an "HH:MM" string, or None if it is not one."""
    if not isinstance(hhmm, str):
        return None
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", hhmm)
    return int(match.group(1)) * 60 + int(match.group(2)) if match else None


def check_hours(where: str, hours: list) -> None:
    if not isinstance(hours, list) or not hours:
        problem(f"{where}: hours must be a non-empty list")
        return
    by_day: dict[int, list[tuple[int, int]]] = {}
    for interval in hours:
        if not (isinstance(interval, list) and len(interval) == 3):
            problem(f"{where}: interval {interval!r} is not [weekday, start, end]")
            continue
        day, start, end = interval[0], minutes(interval[1]), minutes(interval[2])
        if not isinstance(day, int) or isinstance(day, bool) or not 0 <= day <= 6:
            problem(f"{where}: bad weekday in {interval!r}")
        elif start is None or end is None or start >= end:
            problem(f"{where}: bad times in {interval!r}")
        else:
            by_day.setdefault(day, []).append((start, end))
    for day, intervals in by_day.items():
        intervals.sort()
        for (_, end), (start, _) in itertools.pairwise(intervals):
            if start < end:
                problem(f"{where}: overlapping intervals on weekday {day}")


def check_halls(current: dict[str, str], halls: list[dict]) -> None:
    codes = set()
    for hall in halls:
        where = f"hall {hall.get('code', '?')}"
        if set(hall) != set(generate.HALL_KEYS):
            problem(f"{where}: keys {sorted(hall)} are not the hall keys")
            continue
        code = hall["code"]
        if code in codes:
            problem(f"{where}: duplicate code")
        codes.add(code)
        if not re.fullmatch(r"\d{6}-\d{2}", code) or code[:6] != hall["region_code"]:
            problem(f"{where}: code must be '<region_code>-<nn>'")
        check_code(where, hall["region_code"], current)
        for key in ("name_zh", "name_en", "address_zh", "address_en"):
            if not isinstance(hall[key], str) or not hall[key].strip():
                problem(f"{where}: empty {key}")
        for key in ("accessibility_zh", "accessibility_en"):
            if not isinstance(hall[key], str):
                problem(f"{where}: {key} is not a string")
        lat, lng = hall["latitude"], hall["longitude"]
        if not (isinstance(lat, float) and isinstance(lng, float)):
            problem(f"{where}: latitude/longitude must be floats")
        else:
            check_point(where, lat, lng)
            if round(lat, 6) != lat or round(lng, 6) != lng:
                problem(f"{where}: latitude/longitude have more than 6 decimals")
        if not re.fullmatch(r"0\d{2,3}-[2-9]\d{6,7}", hall["phone"]):
            problem(f"{where}: bad phone {hall['phone']!r}")
        elif hall["phone"].split("-")[0] != generate.area_code(hall["region_code"]):
            problem(f"{where}: phone area code does not match the region")
        check_hours(where, hall["hours"])
        services = hall["services"]
        if not (isinstance(services, list) and services and set(services) <= SERVICES):
            problem(f"{where}: bad services {services!r}")
        elif len(set(services)) != len(services):
            problem(f"{where}: duplicate services")

    provinces = {hall["region_code"][:2] for hall in halls}
    missing = [p for p in PROVINCE_CODES if p not in provinces]
    if missing:
        problem(f"no halls in provinces {missing}")
    if not 400 <= len(halls) <= 700:
        problem(f"{len(halls)} halls, expected 400 to 700")
    ports = (("Luohu", LUOHU_PORT, 1.5), ("Gongbei", GONGBEI_PORT, 2.0))
    for port, point, limit in ports:
        if nearest_km(point, halls) > limit:
            problem(f"no hall within {limit} km of {port} port")


def main() -> int:
    current = load_current_codes()
    cities = check_cities(current)
    extra = check_extra_halls(current)
    halls = generate.demo_halls()
    check_halls(current, halls)
    if generate.demo_halls() != halls:
        problem("demo_halls() is not deterministic")

    provinces = {h["region_code"][:2] for h in halls}
    small = sum(1 for h in halls if len(h["services"]) < len(generate.ALL_SERVICES))
    profiles = {}
    for hall in halls:
        names = [n for n, p in generate.PROFILES.items() if p == hall["hours"]]
        name = names[0] if names else "other"
        profiles[name] = profiles.get(name, 0) + 1
    weight = sum(int(c["weight"]) for c in cities)
    luohu, gongbei = nearest_km(LUOHU_PORT, halls), nearest_km(GONGBEI_PORT, halls)
    print(f"loc.dat: {LOC_DAT} ({len(current)} current codes)")
    print(f"cities.csv: {len(cities)} cities, total weight {weight}")
    print(f"halls_extra.csv: {len(extra)} halls")
    print(f"demo_halls(): {len(halls)} halls in {len(provinces)} provinces")
    print(f"  reduced service set: {small}; hours: {dict(sorted(profiles.items()))}")
    print(f"  nearest hall: Luohu port {luohu:.2f} km, Gongbei port {gongbei:.2f} km")
    if problems:
        print(f"{len(problems)} problem(s):", file=sys.stderr)
        for message in problems:
            print(f"  {message}", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
