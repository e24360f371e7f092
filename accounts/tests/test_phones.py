import pytest

from accounts.phones import InvalidPhone, mask_email, mask_phone, phone_clean


@pytest.mark.parametrize(
    "value",
    ["13912345678", "139 1234 5678", "+86 139-1234-5678", "008613912345678", "+8613912345678"],
)
def test_phone_clean_gives_e164(value):
    assert phone_clean(value) == "+8613912345678"


@pytest.mark.parametrize(
    "value", ["", "   ", "1391234567", "12345678901", "02012345678", "+85291234567", "x" * 40]
)
def test_phone_clean_refuses(value):
    with pytest.raises(InvalidPhone):
        phone_clean(value)


def test_masks():
    assert mask_phone("+8613912345678") == "*******5678"
    assert mask_phone(None) == ""
    assert mask_email("zhang.wei@example.com") == "z***@example.com"
    assert mask_email("") == ""
