import pytest

from core.masking import mask_name


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("王建国", "王**"),
        ("张三", "张*"),
        ("欧阳修", "欧**"),
        ("买买提·艾力", "买*****"),
        ("Wang Jianguo", "Wang J."),
        ("Ouyang Xiu", "Ouyang X."),
        ("  Li   Na ", "Li N."),
        ("Madonna", "Madonna"),
        ("", ""),
    ],
)
def test_names_keep_the_surname_and_hide_the_given_name(name, masked):
    assert mask_name(name) == masked
