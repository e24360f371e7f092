import pytest

from persons.names import pinyin_name, pinyin_parts, split_chinese_name


@pytest.mark.parametrize(
    ("name_zh", "expected"),
    [
        ("王建国", "Wang Jianguo"),
        ("王小明", "Wang Xiaoming"),
        ("李秀英", "Li Xiuying"),
        ("张伟", "Zhang Wei"),
        ("欧阳修", "Ouyang Xiu"),
        ("诸葛亮", "Zhuge Liang"),
        ("单雄信", "Shan Xiongxin"),  # a surname read differently from the word
        ("曾国藩", "Zeng Guofan"),
        ("吕方", "Lyu Fang"),  # ü as YU, as passports write it
        (" 王 芳 ", "Wang Fang"),
        ("Li  Na", "Li Na"),  # not Chinese characters: left as written
        ("", ""),
    ],
)
def test_pinyin_name(name_zh, expected):
    assert pinyin_name(name_zh) == expected


def test_split_and_parts():
    assert split_chinese_name("欧阳") == ("欧", "阳")  # two characters: a surname and a name
    assert split_chinese_name("司马光") == ("司马", "光")
    assert pinyin_parts("Wang Jianguo") == ("WANG", "JIANGUO")
    assert pinyin_parts("Wang Jian Guo") == ("WANG", "JIAN GUO")
    assert pinyin_parts("") == ("", "")
