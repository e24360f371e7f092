"""Administrative divisions (GB/T 2260) from the table python-stdnum ships for ID numbers.

Provinces, prefecture-level cities and counties that are current (no end year). The pseudo
prefectures of the municipalities (市辖区, 县) and of province-administered counties
(省直辖县级行政区划) are skipped: their counties hang directly under the province.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import stdnum
from pypinyin import lazy_pinyin

PROVINCES_EN = {
    "11": "Beijing", "12": "Tianjin", "13": "Hebei", "14": "Shanxi", "15": "Inner Mongolia",
    "21": "Liaoning", "22": "Jilin", "23": "Heilongjiang", "31": "Shanghai", "32": "Jiangsu",
    "33": "Zhejiang", "34": "Anhui", "35": "Fujian", "36": "Jiangxi", "37": "Shandong",
    "41": "Henan", "42": "Hubei", "43": "Hunan", "44": "Guangdong", "45": "Guangxi",
    "46": "Hainan", "50": "Chongqing", "51": "Sichuan", "52": "Guizhou", "53": "Yunnan",
    "54": "Xizang", "61": "Shaanxi", "62": "Gansu", "63": "Qinghai", "64": "Ningxia",
    "65": "Xinjiang",
}  # fmt: skip
_LINE = re.compile(r'^(\s*)(\d+) \w+="(.*)"$')
_PERIOD = re.compile(r"^\[(\d{4})?-(\d{4})?\]")
_PSEUDO = {
    "市辖区",
    "县",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
    "省直辖县级行政单位",
    "自治区直辖县级行政单位",
    "省直辖行政单位",
}
_ETHNIC = re.compile(
    r"(蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|拉祜|"
    r"水|东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|"
    r"怒|鄂温克|德昂|保安|裕固|京|独龙|鄂伦春|赫哲|门巴|珞巴|基诺)族"
)
_SUFFIXES = [
    ("自治州", "Prefecture"), ("自治县", "County"), ("自治旗", "Banner"), ("地区", "Prefecture"),
    ("林区", "Forestry District"), ("特区", "Special District"), ("新区", "New Area"),
    ("市", ""), ("盟", "League"), ("区", "District"), ("县", "County"), ("旗", "Banner"),
]  # fmt: skip


@dataclass(frozen=True)
class RegionRow:
    code: str
    name_zh: str
    name_en: str
    level: str
    parent: str | None


# Readings pypinyin gets wrong in place names (polyphones).
_READINGS = {"朝阳": "Chaoyang", "长安": "Chang'an", "长宁": "Changning", "重庆": "Chongqing"}


def _pinyin(text: str) -> str:
    for chars, reading in _READINGS.items():
        if text.startswith(chars):
            return reading + "".join(lazy_pinyin(text[len(chars) :]))
    return "".join(lazy_pinyin(text)).capitalize()


def english_name(name_zh: str) -> str:
    """A readable English name from pinyin: 深圳市 -> Shenzhen, 朝阳区 -> Chaoyang District."""
    for suffix, word in _SUFFIXES:
        if name_zh.endswith(suffix) and len(name_zh) > len(suffix) + 1:
            stem = _ETHNIC.sub("", name_zh[: -len(suffix)]) or name_zh[: -len(suffix)]
            return f"{_pinyin(stem)} {word}".strip()
    return _pinyin(name_zh)


def _table_path() -> Path:
    return Path(stdnum.__file__).parent / "cn" / "loc.dat"


def gbt2260_regions() -> list[RegionRow]:
    """Parse the current divisions, provinces first, each after its parent."""
    rows: list[RegionRow] = []
    known_cities: set[str] = set()
    province = None
    for line in _table_path().read_text(encoding="utf-8").splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        indent, digits, history = match.groups()
        raw = history.split(",")[-1]  # renamed divisions list every name; the last is current
        period = _PERIOD.match(raw)
        if period and period.group(2):
            continue  # ended: no longer a current division
        name = _PERIOD.sub("", raw)
        if not indent:
            province = digits
            if province in PROVINCES_EN:
                rows.append(
                    RegionRow(f"{digits}0000", name, PROVINCES_EN[digits], "province", None)
                )
            continue
        if province not in PROVINCES_EN or digits == "0000" or name in _PSEUDO:
            continue
        code = f"{province}{digits}"
        if digits.endswith("00"):
            known_cities.add(code)
            rows.append(RegionRow(code, name, english_name(name), "city", f"{province}0000"))
        else:
            city = f"{code[:4]}00"
            parent = city if city in known_cities else f"{province}0000"
            rows.append(RegionRow(code, name, english_name(name), "county", parent))
    return rows
