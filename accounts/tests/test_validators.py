import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import User
from accounts.validators import GuessablePasswordValidator, MaximumLengthValidator
from persons.tests.factories import PersonFactory


@pytest.mark.parametrize(
    "password",
    [
        "12345678",
        "87654321",
        "abcdefgh",
        "aaaaaaaa",
        "abababab",
        "woaiwoai",
        "qwertyui",
        "asdfghjk",
        "1qaz2wsx",
        "zaq12wsx",
        "1q2w3e4r",
        "a1b2c3d4",
        "abcd1234",
        "Password1",
        "P@ssw0rd!",
        "woaini520",
        "iloveyou1314",
        "19900101",
        "Li19900101",
    ],
)
def test_guessable_passwords_are_refused(password):
    with pytest.raises(ValidationError) as caught:
        GuessablePasswordValidator().validate(password)
    assert caught.value.error_list[0].code == "password_guessable"


@pytest.mark.parametrize(
    "password",
    ["Harbour-Lantern-58", "Tr0ub4dor&3", "correct horse battery", "Xk9#mq2Lp", "Mango-Tree-42"],
)
def test_good_passwords_pass(password):
    GuessablePasswordValidator().validate(password)


@pytest.mark.django_db
def test_personal_numbers_are_refused():
    person = PersonFactory(birth_date=dt.date(1985, 3, 12), sequence=31)
    assert person.id_number == "440303198503120316"
    user = User(phone="+8613912345678", person=person)
    cases = {
        "My-13912345678!": "password_contains_phone",
        "Tiger-12345678-x": "password_contains_phone",
        "Tiger-19850312-x": "password_contains_birth_date",
        "Tiger-850312-xyz": "password_contains_birth_date",
        "Tiger-120316-xyz": "password_contains_id_number",
    }
    for password, code in cases.items():
        with pytest.raises(ValidationError) as caught:
            GuessablePasswordValidator().validate(password, user)
        assert code in [e.code for e in caught.value.error_list], password


def test_maximum_length():
    MaximumLengthValidator(128).validate("x" * 128)
    with pytest.raises(ValidationError):
        MaximumLengthValidator(128).validate("x" * 129)
    assert "128" in MaximumLengthValidator().get_help_text()
    assert GuessablePasswordValidator().get_help_text()


@pytest.mark.parametrize(
    ("password", "english", "chinese"),
    [
        ("+8613912345678x", "too like your mobile number or email address", "与您的手机号码"),
        ("Ab3$", "too short: use at least 8 characters", "至少使用 8 个字符"),
        ("sunshine", "one of the most used ones", "最常用的密码"),
        ("73918264505", "only digits", "只有数字"),
    ],
)
def test_weak_password_messages_are_the_projects_own_in_both_languages(password, english, chinese):
    # given a citizen, whose account is their mobile number (no "username" of their own)
    user = User(username="+8613912345678", phone="+8613912345678", email="")
    for language, expected, stock in (
        ("en", english, "username"),
        ("zh-hans", chinese, "用户名"),
    ):
        # when a weak password is checked with the project's validators
        with translation.override(language), pytest.raises(ValidationError) as raised:
            validate_password(password, user=user)
        # then the message is the project's, in the reader's language, and names no username
        text = " ".join(raised.value.messages)
        assert expected in text
        assert stock not in text
        assert "too similar" not in text and "太相似" not in text
