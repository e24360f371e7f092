import datetime as dt

from guide.materials import Material, applicant_facts, materials_parse

TEXT = """Resident ID card
[under16] For a child under 16: the guardian's ID card
[16+] Registered state employees: the written consent of your employer
[lost] If lost or stolen: a written statement
[adult, renewal] Your current passport
[note] A line whose brackets are not conditions stays as it is
"""


def test_materials_are_read_with_their_conditions():
    items = materials_parse(TEXT)
    assert items[0] == Material("Resident ID card", frozenset())
    assert items[1] == Material("For a child under 16: the guardian's ID card", {"under16"})
    assert items[4].conditions == {"adult", "renewal"}
    assert items[5].text.startswith("[note] ") and not items[5].conditions


def test_a_ten_year_old_is_not_asked_for_the_employers_consent():
    # given a 10-year-old renewing a passport
    facts = applicant_facts(birth_date=dt.date(2016, 9, 1), on=dt.date(2026, 12, 7), kind="renewal")
    # when the checklist is filtered for them
    wanted = [item.text for item in materials_parse(TEXT) if item.applies_to(facts)]
    # then the guardian's papers are asked, the employer's consent and adults' items are not
    assert wanted[:2] == ["Resident ID card", "For a child under 16: the guardian's ID card"]
    assert len(wanted) == 3  # and the line without conditions


def test_an_adult_replacing_a_lost_passport():
    facts = applicant_facts(
        birth_date=dt.date(1992, 11, 20),
        on=dt.date(2026, 12, 7),
        kind="replacement",
        replacement_reason="lost",
    )
    wanted = [item.text for item in materials_parse(TEXT) if item.applies_to(facts)]
    assert "If lost or stolen: a written statement" in wanted
    assert "Registered state employees: the written consent of your employer" in wanted
    assert "For a child under 16: the guardian's ID card" not in wanted
    assert "Your current passport" not in wanted  # a renewal's


def test_age_counts_on_the_day_of_the_appointment():
    # the day before the 16th birthday: under 16; on the birthday: 16+
    born = dt.date(2010, 12, 7)
    assert "under16" in applicant_facts(birth_date=born, on=dt.date(2026, 12, 6), kind="first")
    assert "16+" in applicant_facts(birth_date=born, on=dt.date(2026, 12, 7), kind="first")
