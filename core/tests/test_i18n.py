from django.utils import translation

from applications.models import ApplicationStatus
from core.i18n import choice_labels, localized


def test_choice_labels_are_the_labels_in_each_language():
    # given a choices class with translated labels
    # when its labels are asked for in each language, and in the active one
    chinese = choice_labels(ApplicationStatus, "zh-hans")
    english = choice_labels(ApplicationStatus, "en")
    with translation.override("en"):
        active = choice_labels(ApplicationStatus)
    # then each value has its label in that language, as the lazy label renders there
    for value, label in ApplicationStatus.choices:
        with translation.override("zh-hans"):
            assert chinese[value] == str(label)
        with translation.override("en"):
            assert english[value] == str(label)
    assert active is english
    assert chinese[ApplicationStatus.ACCEPTED] != english[ApplicationStatus.ACCEPTED]
    assert all(isinstance(text, str) for text in chinese.values())


def test_localized_picks_the_language_and_falls_back():
    record = {"name_zh": "出入境大厅", "name_en": ""}
    assert localized(record, "name", "en") == "出入境大厅"
    assert localized(record, "name", "zh-hans") == "出入境大厅"
