"""Deterministic demo data for exit-entry halls.

All of this is sample data: names, addresses, phone numbers and locations are
plausible but made up (city centres are approximate WGS-84 coordinates).
``demo_halls()`` returns the same list on every run: the hand-written halls of
``halls_extra.csv`` followed by ``weight`` halls for every row of ``cities.csv``,
placed 0.5 to 8 km from the city centre.
"""

import csv
import math
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
CITIES_CSV = HERE / "cities.csv"
HALLS_EXTRA_CSV = HERE / "halls_extra.csv"

SEED = 20261125

HALL_KEYS = (
    "code",
    "name_zh",
    "name_en",
    "region_code",
    "address_zh",
    "address_en",
    "latitude",
    "longitude",
    "phone",
    "hours",
    "services",
    "accessibility_zh",
    "accessibility_en",
)

ALL_SERVICES = [
    "passport",
    "hk-macao-pass",
    "taiwan-permit",
    "endorsement-hk-macao",
    "endorsement-taiwan",
    "exit-entry-record",
]
SMALL_SERVICES = ["hk-macao-pass", "endorsement-hk-macao", "exit-entry-record"]


def _weekdays(*periods: tuple[str, str]) -> list[list]:
    """The given periods on every day from Monday (0) to Friday (4)."""
    return [[day, start, end] for day in range(5) for start, end in periods]


# Profile name -> list of [weekday (0 = Monday), "HH:MM", "HH:MM"].
PROFILES = {
    "standard": _weekdays(("09:00", "12:00"), ("13:30", "17:00")),
    "long": [*_weekdays(("08:30", "12:00"), ("14:00", "17:30")), [5, "09:00", "12:00"]],
    "weekend": [[day, "09:00", "17:00"] for day in range(7)],
    "south": _weekdays(("09:00", "12:00"), ("14:00", "18:00")),
}

# Provinces where the long lunch break ("south" profile) is usual.
SOUTH_PROVINCES = {"35", "44", "45", "46"}
MUNICIPALITIES = {"11": "北京市", "12": "天津市", "31": "上海市", "50": "重庆市"}

PROVINCES = {
    "11": ("北京市", "Beijing"),
    "12": ("天津市", "Tianjin"),
    "13": ("河北省", "Hebei"),
    "14": ("山西省", "Shanxi"),
    "15": ("内蒙古自治区", "Inner Mongolia"),
    "21": ("辽宁省", "Liaoning"),
    "22": ("吉林省", "Jilin"),
    "23": ("黑龙江省", "Heilongjiang"),
    "31": ("上海市", "Shanghai"),
    "32": ("江苏省", "Jiangsu"),
    "33": ("浙江省", "Zhejiang"),
    "34": ("安徽省", "Anhui"),
    "35": ("福建省", "Fujian"),
    "36": ("江西省", "Jiangxi"),
    "37": ("山东省", "Shandong"),
    "41": ("河南省", "Henan"),
    "42": ("湖北省", "Hubei"),
    "43": ("湖南省", "Hunan"),
    "44": ("广东省", "Guangdong"),
    "45": ("广西壮族自治区", "Guangxi"),
    "46": ("海南省", "Hainan"),
    "50": ("重庆市", "Chongqing"),
    "51": ("四川省", "Sichuan"),
    "52": ("贵州省", "Guizhou"),
    "53": ("云南省", "Yunnan"),
    "54": ("西藏自治区", "Tibet"),
    "61": ("陕西省", "Shaanxi"),
    "62": ("甘肃省", "Gansu"),
    "63": ("青海省", "Qinghai"),
    "64": ("宁夏回族自治区", "Ningxia"),
    "65": ("新疆维吾尔自治区", "Xinjiang"),
}

# Telephone area codes: "prefix code" pairs. A region code is looked up by its first
# 6, then 4, then 2 digits; the 2-digit entries are the provincial capitals (fallback).
_AREA_CODE_TABLE = """
11 010 12 022 13 0311 14 0351 15 0471 21 024 22 0431 23 0451 31 021 32 025 33 0571
34 0551 35 0591 36 0791 37 0531 41 0371 42 027 43 0731 44 020 45 0771 46 0898 50 023
51 028 52 0851 53 0871 54 0891 61 029 62 0931 63 0971 64 0951 65 0991
1302 0315 1303 0335 1304 0310 1305 0319 1306 0312 1307 0313 1308 0314 1309 0317
1310 0316 1311 0318 1402 0352 1403 0353 1404 0355 1405 0356 1406 0349 1407 0354
1408 0359 1409 0350 1410 0357 1411 0358 1502 0472 1503 0473 1504 0476 1505 0475
1506 0477 1507 0470 1508 0478 1509 0474 1522 0482 1525 0479 1529 0483 2102 0411
2103 0412 2104 0413 2105 0414 2106 0415 2107 0416 2108 0417 2109 0418 2110 0419
2111 0427 2112 0410 2113 0421 2114 0429 2202 0432 2203 0434 2204 0437 2205 0435
2206 0439 2207 0438 2208 0436 2224 0433 2302 0452 2303 0467 2304 0468 2305 0469
2306 0459 2307 0458 2308 0454 2309 0464 2310 0453 2311 0456 2312 0455 2327 0457
3202 0510 3203 0516 3204 0519 3205 0512 3206 0513 3207 0518 3208 0517 3209 0515
3210 0514 3211 0511 3212 0523 3213 0527 3302 0574 3303 0577 3304 0573 3305 0572
3306 0575 3307 0579 3308 0570 3309 0580 3310 0576 3311 0578 3402 0553 3403 0552
3404 0554 3405 0555 3406 0561 3407 0562 3408 0556 3410 0559 3411 0550 3412 0558
3413 0557 3415 0564 3416 0558 3417 0566 3418 0563 3502 0592 3503 0594 3504 0598
3505 0595 3506 0596 3507 0599 3508 0597 3509 0593 3602 0798 3603 0799 3604 0792
3605 0790 3606 0701 3607 0797 3608 0796 3609 0795 3610 0794 3611 0793 3702 0532
3703 0533 3704 0632 3705 0546 3706 0535 3707 0536 3708 0537 3709 0538 3710 0631
3711 0633 3713 0539 3714 0534 3715 0635 3716 0543 3717 0530 4103 0379 4104 0375
4105 0372 4106 0392 4107 0373 4108 0391 4109 0393 4110 0374 4111 0395 4112 0398
4113 0377 4114 0370 4115 0376 4116 0394 4117 0396 419001 0391 4202 0714 4203 0719
4205 0717 4206 0710 4207 0711 4208 0724 4209 0712 4210 0716 4211 0713 4212 0715
4213 0722 4228 0718 429004 0728 429005 0728 429006 0728 429021 0719 4304 0734
4305 0739 4306 0730 4307 0736 4308 0744 4309 0737 4310 0735 4311 0746 4312 0745
4313 0738 4331 0743 4402 0751 4403 0755 4404 0756 4405 0754 4406 0757 4407 0750
4408 0759 4409 0668 4412 0758 4413 0752 4414 0753 4415 0660 4416 0762 4417 0662
4418 0763 4419 0769 4420 0760 4451 0768 4452 0663 4453 0766 4502 0772 4503 0773
4504 0774 4505 0779 4506 0770 4507 0777 4508 0775 4509 0775 4510 0776 4511 0774
4512 0778 4513 0772 5103 0813 5104 0812 5105 0830 5106 0838 5107 0816 5108 0839
5109 0825 5110 0832 5111 0833 5113 0817 5115 0831 5116 0826 5117 0818 5118 0835
5119 0827 5132 0837 5133 0836 5134 0834 5303 0874 5304 0877 5305 0875 5306 0870
5307 0888 5308 0879 5309 0883 5323 0878 5325 0873 5326 0876 5328 0691 5329 0872
5331 0692 5333 0886 5334 0887 5402 0892 5403 0895 5404 0894 5405 0893 5406 0896
5425 0897 6102 0919 6103 0917 6105 0913 6106 0911 6107 0916 6108 0912 6109 0915
6110 0914 6202 0937 6203 0935 6204 0943 6205 0938 6206 0935 6207 0936 6208 0933
6209 0937 6210 0934 6211 0932 6212 0939 6229 0930 6230 0941 6302 0972 6322 0970
6323 0973 6325 0974 6326 0975 6327 0976 6328 0977 6402 0952 6403 0953 6404 0954
6405 0955 6502 0990 6504 0995 6505 0902 6523 0994 6527 0909 6528 0996 6529 0997
6530 0908 6531 0998 6532 0903 6540 0999 6542 0901 6543 0906 659001 0993 659002 0997
659003 0998 659004 0994 659005 0906 659006 0996 659007 0909 659008 0999 659009 0903
659010 0993
"""
_words = _AREA_CODE_TABLE.split()
AREA_CODES = dict(zip(_words[::2], _words[1::2], strict=True))
del _words

# Area codes whose local numbers have 8 digits (all 3-digit codes do too).
EIGHT_DIGIT_AREAS = {
    "0311", "0351", "0371", "0411", "0431", "0451", "0512", "0531", "0532", "0551",
    "0571", "0574", "0577", "0591", "0731", "0755", "0757", "0760", "0769", "0771",
    "0791", "0851", "0871", "0931", "0991",
}  # fmt: skip

STREETS = [
    ("人民路", "Renmin Road"),
    ("解放路", "Jiefang Road"),
    ("中山路", "Zhongshan Road"),
    ("建设路", "Jianshe Road"),
    ("文化路", "Wenhua Road"),
    ("新华路", "Xinhua Road"),
    ("和平路", "Heping Road"),
    ("东风路", "Dongfeng Road"),
    ("光明路", "Guangming Road"),
    ("青年路", "Qingnian Road"),
    ("府前路", "Fuqian Road"),
    ("迎宾大道", "Yingbin Avenue"),
    ("世纪大道", "Shiji Avenue"),
    ("长江路", "Changjiang Road"),
    ("人民南路", "Renmin South Road"),
    ("政通路", "Zhengtong Road"),
]

ACCESSIBILITY = [
    (
        "无障碍坡道与无障碍卫生间;可预约手语服务",
        "Step-free ramp and accessible toilet; sign-language interpreting on request",
    ),
    (
        "设无障碍通道;老年人与残障人士优先窗口",
        "Step-free access; priority counter for older and disabled applicants",
    ),
    (
        "无障碍电梯直达办证大厅;提供轮椅借用",
        "Lift to the hall; wheelchairs available on loan",
    ),
    ("设爱心窗口与无障碍停车位", "Priority counter and accessible parking spaces"),
    ("", ""),
]


def area_code(region_code: str) -> str:
    """The telephone area code of a region, falling back to the provincial capital's."""
    for length in (6, 4, 2):
        code = AREA_CODES.get(region_code[:length])
        if code:
            return code
    raise KeyError(region_code)


def hours_for(profile: str) -> list[list]:
    """A fresh copy of a profile's weekly intervals."""
    return [list(interval) for interval in PROFILES[profile]]


def read_cities(path: Path = CITIES_CSV) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def read_extra_halls(path: Path = HALLS_EXTRA_CSV) -> list[dict]:
    halls = []
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            hall = {key: row[key] for key in HALL_KEYS}
            hall["latitude"] = round(float(row["latitude"]), 6)
            hall["longitude"] = round(float(row["longitude"]), 6)
            hall["hours"] = hours_for(row["hours"])
            hall["services"] = row["services"].split("|")
            halls.append(hall)
    return halls


def _jitter(rng: random.Random, lat: float, lng: float) -> tuple[float, float]:
    """A point 0.5 to 8 km from (lat, lng), in a random direction."""
    distance = rng.uniform(0.5, 8.0)
    bearing = rng.uniform(0.0, 2 * math.pi)
    dlat = distance * math.cos(bearing) / 111.32
    dlng = distance * math.sin(bearing) / (111.32 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lng + dlng, 6)


def _phone(rng: random.Random, region_code: str) -> str:
    code = area_code(region_code)
    digits = 8 if len(code) == 3 or code in EIGHT_DIGIT_AREAS else 7
    rest = "".join(str(rng.randint(0, 9)) for _ in range(digits - 1))
    return f"{code}-{rng.randint(2, 8)}{rest}"


def _place_names(city: dict) -> tuple[str, str, str, str]:
    """(hall name prefix zh, en; address locality zh, en) for a city row."""
    code, name_zh, name_en = city["region_code"], city["name_zh"], city["name_en"]
    province_zh, province_en = PROVINCES[code[:2]]
    if code[:2] in MUNICIPALITIES:
        suffix = "" if name_en.endswith(("Area", "District")) else " District"
        return (
            province_zh + name_zh,
            f"{province_en} {name_en}",
            province_zh + name_zh,
            f"{name_en}{suffix}, {province_en}",
        )
    return name_zh, name_en, province_zh + name_zh, f"{name_en}, {province_en}"


def _city_halls(rng: random.Random, city: dict, first_seq: int) -> list[dict]:
    code = city["region_code"]
    weight = int(city["weight"])
    lat, lng = float(city["latitude"]), float(city["longitude"])
    prefix_zh, prefix_en, locality_zh, locality_en = _place_names(city)
    halls = []
    for n in range(1, weight + 1):
        if n == 1:
            name_zh = f"{prefix_zh}出入境接待大厅"
            name_en = f"{prefix_en} Exit-Entry Service Hall"
        else:
            name_zh = f"{prefix_zh}{n}号出入境办证大厅"
            name_en = f"{prefix_en} Exit-Entry Hall No. {n}"
        roll = rng.random()
        if n == 1 and weight >= 3:
            profile = "weekend"
        elif roll < 0.12:
            profile = "long"
        elif code[:2] in SOUTH_PROVINCES:
            profile = "south"
        else:
            profile = "standard"
        small = n > 1 and rng.random() < 0.15
        street_zh, street_en = rng.choice(STREETS)
        number = rng.randint(1, 999)
        access_zh, access_en = rng.choice(ACCESSIBILITY)
        hall_lat, hall_lng = _jitter(rng, lat, lng)
        halls.append(
            {
                "code": f"{code}-{first_seq + n - 1:02d}",
                "name_zh": name_zh,
                "name_en": name_en,
                "region_code": code,
                "address_zh": f"{locality_zh}{street_zh}{number}号",
                "address_en": f"{number} {street_en}, {locality_en}",
                "latitude": hall_lat,
                "longitude": hall_lng,
                "phone": _phone(rng, code),
                "hours": hours_for(profile),
                "services": list(SMALL_SERVICES if small else ALL_SERVICES),
                "accessibility_zh": access_zh,
                "accessibility_en": access_en,
            }
        )
    return halls


def demo_halls() -> list[dict]:
    """All demo halls: the hand-written ones, then the generated ones city by city."""
    rng = random.Random(SEED)
    halls = read_extra_halls()
    taken: dict[str, int] = {}
    for hall in halls:
        region, seq = hall["code"].split("-")
        taken[region] = max(taken.get(region, 0), int(seq))
    for city in read_cities():
        halls.extend(_city_halls(rng, city, taken.get(city["region_code"], 0) + 1))
    return halls


if __name__ == "__main__":
    import json

    print(json.dumps(demo_halls(), ensure_ascii=False, indent=1))
