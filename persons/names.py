"""Names in pinyin as passports write them: surname, then the given name as one word."""

import re

from pypinyin import lazy_pinyin

# Two-character surnames: the given name starts after them.
COMPOUND_SURNAMES = {
    "欧阳": "Ouyang", "司马": "Sima", "上官": "Shangguan", "诸葛": "Zhuge", "东方": "Dongfang",
    "皇甫": "Huangfu", "尉迟": "Yuchi", "公孙": "Gongsun", "慕容": "Murong", "长孙": "Zhangsun",
    "宇文": "Yuwen", "司徒": "Situ", "夏侯": "Xiahou", "轩辕": "Xuanyuan", "令狐": "Linghu",
    "端木": "Duanmu", "西门": "Ximen", "南宫": "Nangong", "独孤": "Dugu", "申屠": "Shentu",
    "呼延": "Huyan", "万俟": "Moqi", "司空": "Sikong", "钟离": "Zhongli", "澹台": "Tantai",
}  # fmt: skip
# Surnames read differently from the same character in ordinary words.
SURNAME_READINGS = {
    "单": "Shan", "曾": "Zeng", "仇": "Qiu", "解": "Xie", "区": "Ou", "朴": "Piao", "查": "Zha",
    "盖": "Ge", "乐": "Yue", "缪": "Miao", "翟": "Zhai", "覃": "Qin", "秘": "Bi", "种": "Chong",
    "员": "Yun", "重": "Chong", "黑": "He", "繁": "Po", "纪": "Ji", "柏": "Bai",
}  # fmt: skip
_HAN = re.compile(r"^[\u3400-\u9fff·]+$")
PINYIN_NAME = re.compile(r"^[A-Za-z]+(?:[ '-][A-Za-z]+)*$")


def _syllables(text: str) -> str:
    # ü is written YU in passports (吕 LYU, 女 NYU); it only follows l and n in pinyin.
    return "".join(lazy_pinyin(text, v_to_u=True)).replace("ü", "yu")


def split_chinese_name(name_zh: str) -> tuple[str, str]:
    """(surname, given name) of a Chinese name, knowing the common compound surnames."""
    name = name_zh.strip()
    length = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:length], name[length:]


def pinyin_name(name_zh: str) -> str:
    """Pinyin as passports write it: 王建国 Wang Jianguo, 欧阳修 Ouyang Xiu, 吕方 Lyu Fang."""
    name = "".join(name_zh.split())
    if not name:
        return ""
    if not _HAN.match(name):
        # Already in Latin letters, or mixed: leave it to the person who entered it.
        return " ".join(name_zh.split())
    surname, given = split_chinese_name(name)
    family = (
        COMPOUND_SURNAMES.get(surname)
        or SURNAME_READINGS.get(surname)
        or _syllables(surname).capitalize()
    )
    given_pinyin = _syllables(given.replace("·", "")).capitalize()
    return f"{family} {given_pinyin}".strip()


def pinyin_parts(name_pinyin: str) -> tuple[str, str]:
    """("WANG", "JIANGUO") from "Wang Jianguo": the first word is the surname."""
    words = name_pinyin.upper().split()
    return (words[0] if words else "", " ".join(words[1:]))
