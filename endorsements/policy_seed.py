"""The endorsement policy as DOMAIN.md states it on 2026-12-06: the rows the data migration
(0003) writes. Facts marked [?] there are marked in each row's note: administrators confirm or
correct them in the back-office (with history); the code never reads these constants again."""

import datetime as dt
from decimal import Decimal

SINCE = dt.date(2019, 1, 1)  # [?] when the current rules took effect; a placeholder date

# Household registrations eligible for individual travel (G) to Hong Kong and Macao [?]: a
# province code ("440000") covers all its cities. The published list has 49 cities; these are
# the ones the registry's demo data uses and the best known.
G_REGIONS = [
    "110000",  # Beijing
    "120000",  # Tianjin
    "310000",  # Shanghai
    "500000",  # Chongqing
    "440000",  # Guangdong (all 21 cities)
    "320100",  # Nanjing
    "320500",  # Suzhou
    "330100",  # Hangzhou
    "350100",  # Fuzhou
    "350200",  # Xiamen
    "510100",  # Chengdu
    "530100",  # Kunming
    "210200",  # Dalian
    "370200",  # Qingdao
    "430100",  # Changsha
    "420100",  # Wuhan
    "460100",  # Haikou
]

NAMES = {
    "L": ("团队旅游", "Group travel"),
    "G": ("个人旅游", "Individual travel"),
    "S": ("商务", "Business"),
    "T": ("探亲", "Visiting relatives"),
    "Q": ("其他", "Other"),
    "D": ("逗留", "Stay"),
    "F": ("商务", "Business"),
    "Y": ("应邀", "Invited"),
}
ORDER = "LGSTQDFY"
Q15, Q30, Q80 = Decimal("15"), Decimal("30"), Decimal("80")
FEES_NOTE = "Fees [?]: 15 per single trip, 30 for two trips, 80 multiple trips up to 1 year."


def _row(destination, type_code, option, months, trips, stay, fee, note, **more):
    zh, en = NAMES[type_code]
    return {
        "destination": destination,
        "type_code": type_code,
        "option_code": option,
        "name_zh": zh,
        "name_en": en,
        "validity_months": months,
        "trips": trips,
        "stay_days": stay,
        "fee": fee,
        "effective_from": more.pop("effective_from", SINCE),
        "note": f"{note} {FEES_NOTE}".strip(),
        "sort": ORDER.index(type_code),
        **more,
    }


def rows() -> list[dict]:
    out: list[dict] = []
    for dest in ("HKG", "MAC"):
        for code in ("L", "G"):
            extra = {"eligible_regions": G_REGIONS} if code == "G" else {}
            note = (
                "Individual travel only for residents of listed cities [?]."
                if code == "G"
                else "Must travel with a registered tour."
            )
            out += [
                _row(dest, code, "3m1", 3, 1, 7, Q15, note, **extra),
                _row(dest, code, "3m2", 3, 2, 7, Q30, note, **extra),
                _row(dest, code, "1y1", 12, 1, 7, Q15, note, **extra),
                _row(dest, code, "1y2", 12, 2, 7, Q30, note, **extra),
            ]
        company = {"requires": ["inviting_company"]}
        out += [
            _row(dest, "S", "3m1", 3, 1, 7, Q15, "", **company),
            _row(dest, "S", "3mM", 3, None, 7, Q80, "", **company),
            _row(dest, "S", "1yM", 12, None, 7, Q80, "", **company),
        ]
        relatives = {"requires": ["relative_name", "relationship"]}
        out += [
            _row(
                dest,
                "T",
                "3m1",
                3,
                1,
                14,
                Q15,
                "Siblings and grandparents; stay 14 days [?].",
                relationships=["sibling", "grandparent", "grandchild"],
                **relatives,
            ),
            _row(
                dest,
                "T",
                "3mM",
                3,
                None,
                90,
                Q80,
                "Spouse, parents, children; stay 90 days [?].",
                relationships=["spouse", "parent", "child"],
                **relatives,
            ),
            _row(
                dest,
                "T",
                "1yM",
                12,
                None,
                90,
                Q80,
                "1 year multiple trips for applicants 60 or older [?]; stay 90 days [?].",
                relationships=["spouse", "parent", "child"],
                min_age=60,
                **relatives,
            ),
            _row(dest, "Q", "3m1", 3, 1, 14, Q15, "3 months 1 trip [?].", requires=["purpose"]),
            _row(
                dest,
                "D",
                "1yM",
                12,
                None,
                None,
                Q80,
                "Validity and stay as approved by the destination [?].",
                requires=["purpose"],
            ),
        ]
    out.append(
        _row(
            "HKG",
            "G",
            "1yM-sz",
            12,
            None,
            7,
            Q80,
            "Shenzhen residents: 1 year multiple trips from 2024-12-01 [?].",
            eligible_regions=["440300"],
            effective_from=dt.date(2024, 12, 1),
        )
    )
    suspended = {
        "suspended": True,
        "suspension_note_zh": "赴台团队旅游和个人旅游自2019年8月1日起暂停。",
        "suspension_note_en": (
            "Group and individual travel to Taiwan suspended since 1 August 2019."
        ),
    }
    out += [
        _row("TWN", "L", "3m1", 3, 1, 10, Q15, "Suspended since 2019 [?].", **suspended),
        _row("TWN", "L", "1y1", 12, 1, 10, Q15, "Suspended since 2019 [?].", **suspended),
        _row(
            "TWN",
            "G",
            "3m1",
            3,
            1,
            15,
            Q15,
            "Suspended since 2019 [?].",
            eligible_regions=["110000", "310000", "350000"],
            **suspended,
        ),
        _row(
            "TWN",
            "T",
            "3m1",
            3,
            1,
            30,
            Q15,
            "Taiwan types L G T F Q Y D [?].",
            relationships=["spouse", "parent", "child", "sibling", "grandparent"],
            requires=["relative_name", "relationship"],
        ),
        _row(
            "TWN",
            "F",
            "1yM",
            12,
            None,
            30,
            Q80,
            "[?]",
            requires=["inviting_company"],
        ),
        _row("TWN", "Q", "3m1", 3, 1, 30, Q15, "[?]", requires=["purpose"]),
        _row("TWN", "Y", "3m1", 3, 1, 30, Q15, "[?]", requires=["inviting_company"]),
        _row("TWN", "D", "1yM", 12, None, None, Q80, "Settlement [?].", requires=["purpose"]),
    ]
    return out
