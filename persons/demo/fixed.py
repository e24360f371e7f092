"""The fixed demo persons that demo logins are bound to (accounts) and tests rely on.

Two sets: 王建国 / 王小明 / 李秀英 (the registry's own examples) and 陈建国 / 陈小雨 / 林晓梅 (the
persons accounts.management.commands.load_demo_accounts binds by ID number).

Synthetic: these persons do not exist. Their documents' dates are relative to the month the
demo is loaded in, so that what each one shows (valid, expired, expiring soon) stays true.
"""

import datetime as dt

from dateutil.relativedelta import relativedelta

from persons.idnumbers import id_number_make

# A guardian (王建国) of a child (王小明), in Luohu, Shenzhen.
GUARDIAN_NAME = "王建国"
GUARDIAN_ID_NUMBER = id_number_make(area="440303", birth_date=dt.date(1986, 5, 20), sequence=123)
GUARDIAN_PHONE = "+8613800138000"
GUARDIAN_PASSPORT = "EA6000001"  # valid
GUARDIAN_HK_MACAO_PASS = "CA6000001"  # valid  # noqa: S105 (a "pass", not a password)
GUARDIAN_TAIWAN_PERMIT = "L60000001"  # expired

CHILD_NAME = "王小明"
CHILD_ID_NUMBER = id_number_make(area="440303", birth_date=dt.date(2016, 9, 1), sequence=456)
CHILD_HK_MACAO_PASS = "CA6000002"  # valid  # noqa: S105

# An adult (李秀英) of Chaoyang, Beijing, whose passport was reported lost and replaced.
LOST_PASSPORT_NAME = "李秀英"
LOST_PASSPORT_ID_NUMBER = id_number_make(
    area="110105", birth_date=dt.date(1990, 2, 14), sequence=222
)
LOST_PASSPORT_PHONE = "+8613900139000"
LOST_PASSPORT = "E60000002"  # reported lost
REPLACEMENT_PASSPORT = "EA6000002"  # valid, issued after the loss
EXPIRING_TAIWAN_PERMIT = "L60000002"  # valid, expires in about 4 months: shows the warning
# A Beijing resident's pass for applying for endorsements (service 1): Beijing is on the list
# of cities open to individual travel (G).
LOST_PASSPORT_HK_MACAO_PASS = "CA6000005"  # valid  # noqa: S105

# The demo citizens of accounts (load_demo_accounts binds them by these ID numbers): a guardian
# (陈建国) of a child (陈小雨), and 林晓梅, left unbound for trying real-name binding.
CHEN_NAME = "陈建国"
CHEN_ID_NUMBER = "440303198503120316"  # 1985-03-12, male
CHEN_PHONE = "+8613900000001"
CHEN_PASSPORT = "EA6000003"  # valid, expires in about 5 months: shows the warning
CHEN_HK_MACAO_PASS = "CA6000003"  # valid  # noqa: S105
CHEN_CHILD_NAME = "陈小雨"
CHEN_CHILD_ID_NUMBER = "440303201609010427"  # 2016-09-01, female
CHEN_CHILD_HK_MACAO_PASS = "CA6000004"  # valid  # noqa: S105
LIN_NAME = "林晓梅"
LIN_ID_NUMBER = "440303199211200589"  # 1992-11-20, female
LIN_PHONE = "+8613800000002"  # the demo account 13800000002 (README walkthrough)
LIN_PASSPORT = "EA6000004"  # valid

FIXED_ID_NUMBERS = (
    GUARDIAN_ID_NUMBER,
    CHILD_ID_NUMBER,
    LOST_PASSPORT_ID_NUMBER,
    CHEN_ID_NUMBER,
    CHEN_CHILD_ID_NUMBER,
    LIN_ID_NUMBER,
)


def _span(issued: dt.date, years: int) -> tuple[str, str]:
    return issued.isoformat(), (issued + relativedelta(years=years, days=-1)).isoformat()


def fixed_records(anchor: dt.date) -> dict[str, list[dict]]:
    """The fixed persons in the import format; `anchor` is the first day of the current month."""
    ago = lambda **kw: anchor - relativedelta(**kw)  # noqa: E731

    def document(holder, type_, number, issued, years, status="valid"):
        issued_on, expires_on = _span(issued, years)
        return {
            "holder_id_number": holder,
            "type": type_,
            "number": number,
            "issued_on": issued_on,
            "expires_on": expires_on,
            "status": status,
            "issuing_authority_zh": "国家移民管理局",
            "issuing_authority_en": "National Immigration Administration",
        }

    return {
        "persons": [
            {
                "id_number": GUARDIAN_ID_NUMBER,
                "name_zh": GUARDIAN_NAME,
                "household_region": "440303",
                "phone_on_file": GUARDIAN_PHONE,
            },
            {"id_number": CHILD_ID_NUMBER, "name_zh": CHILD_NAME, "household_region": "440303"},
            {
                "id_number": LOST_PASSPORT_ID_NUMBER,
                "name_zh": LOST_PASSPORT_NAME,
                "household_region": "110105",
                "phone_on_file": LOST_PASSPORT_PHONE,
            },
            {
                "id_number": CHEN_ID_NUMBER,
                "name_zh": CHEN_NAME,
                "household_region": "440303",
                "phone_on_file": CHEN_PHONE,
            },
            {
                "id_number": CHEN_CHILD_ID_NUMBER,
                "name_zh": CHEN_CHILD_NAME,
                "household_region": "440303",
            },
            {
                "id_number": LIN_ID_NUMBER,
                "name_zh": LIN_NAME,
                "household_region": "440303",
                "phone_on_file": LIN_PHONE,
            },
        ],
        "documents": [
            document(GUARDIAN_ID_NUMBER, "passport", GUARDIAN_PASSPORT, ago(months=30), 10),
            document(
                GUARDIAN_ID_NUMBER, "hk_macao_pass", GUARDIAN_HK_MACAO_PASS, ago(months=20), 10
            ),
            document(
                GUARDIAN_ID_NUMBER,
                "taiwan_permit",
                GUARDIAN_TAIWAN_PERMIT,
                ago(years=10, months=14),
                10,
                status="expired",
            ),
            document(CHILD_ID_NUMBER, "hk_macao_pass", CHILD_HK_MACAO_PASS, ago(months=8), 5),
            document(
                LOST_PASSPORT_ID_NUMBER,
                "passport",
                LOST_PASSPORT,
                ago(years=6),
                10,
                status="reported_lost",
            ),
            document(LOST_PASSPORT_ID_NUMBER, "passport", REPLACEMENT_PASSPORT, ago(months=2), 10),
            document(
                LOST_PASSPORT_ID_NUMBER,
                "hk_macao_pass",
                LOST_PASSPORT_HK_MACAO_PASS,
                ago(months=14),
                10,
            ),
            document(
                LOST_PASSPORT_ID_NUMBER,
                "taiwan_permit",
                EXPIRING_TAIWAN_PERMIT,
                ago(years=10) + relativedelta(months=4),
                10,
            ),
            document(
                CHEN_ID_NUMBER,
                "passport",
                CHEN_PASSPORT,
                ago(years=10) + relativedelta(months=5),
                10,
            ),
            document(CHEN_ID_NUMBER, "hk_macao_pass", CHEN_HK_MACAO_PASS, ago(months=40), 10),
            document(
                CHEN_CHILD_ID_NUMBER, "hk_macao_pass", CHEN_CHILD_HK_MACAO_PASS, ago(months=6), 5
            ),
            document(LIN_ID_NUMBER, "passport", LIN_PASSPORT, ago(months=15), 10),
        ],
        "guardianships": [
            {
                "guardian_id_number": GUARDIAN_ID_NUMBER,
                "child_id_number": CHILD_ID_NUMBER,
                "relation": "parent",
            },
            {
                "guardian_id_number": CHEN_ID_NUMBER,
                "child_id_number": CHEN_CHILD_ID_NUMBER,
                "relation": "parent",
            },
        ],
    }
