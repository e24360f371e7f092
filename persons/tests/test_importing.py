import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from documents.models import Document, DocumentStatus
from guide.tests.factories import CountyFactory
from persons.idnumbers import id_number_make
from persons.importing import ImportFileError, read_rows, registry_import
from persons.models import Guardianship, Person

pytestmark = pytest.mark.django_db
ADULT = id_number_make(area="440303", birth_date=dt.date(1986, 5, 20), sequence=123)
CHILD = id_number_make(area="440303", birth_date=dt.date(2016, 9, 1), sequence=456)
OTHER = id_number_make(area="440303", birth_date=dt.date(1990, 1, 1), sequence=11)

CSV_HEADER = (
    "record,id_number,name_zh,name_pinyin,household_region,phone_on_file,holder_id_number,"
    "type,number,issued_on,expires_on,status,guardian_id_number,child_id_number,relation\n"
)
GOOD_CSV = CSV_HEADER + (
    f"person,{ADULT},王建国,,440303,13800138000,,,,,,,,,\n"
    f"person,{CHILD},王小明,,440303,,,,,,,,,,\n"
    f"document,,,,,,{ADULT},passport,E12345678,2012-01-01,2022-01-01,valid,,,\n"
    f"document,,,,,,{ADULT},passport,EA1234567,2023-01-01,2033-01-01,,,,\n"
    f"document,,,,,,{CHILD},hk_macao_pass,CA1234567,2024-01-01,2028-12-31,valid,,,\n"
    f"guardianship,,,,,,,,,,,,{ADULT},{CHILD},parent\n"
)


@pytest.fixture(autouse=True)
def luohu(db):
    return CountyFactory()


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_csv_file_is_imported(tmp_path):
    # when
    report = registry_import(read_rows(write(tmp_path, "registry.csv", GOOD_CSV)))
    # then
    assert report.rejects == []
    adult = Person.objects.get(id_number=ADULT)
    assert (adult.name_pinyin, adult.phone_on_file) == ("Wang Jianguo", "+8613800138000")
    assert Guardianship.objects.filter(guardian=adult, child__id_number=CHILD).exists()
    # the newer passport invalidated the older one
    statuses = dict(Document.objects.filter(person=adult).values_list("number", "status"))
    assert statuses == {"E12345678": "invalidated", "EA1234567": "valid"}
    assert report.summary() == (
        "6 rows: persons 2 created, 0 updated, 0 unchanged; documents 3 created, 0 updated, "
        "0 unchanged; guardianships 1 created, 0 updated, 0 unchanged; 0 rejected."
    )


def test_importing_twice_changes_nothing(tmp_path):
    path = write(tmp_path, "registry.csv", GOOD_CSV)
    registry_import(read_rows(path))
    report = registry_import(read_rows(path))
    assert report.rejects == []
    assert set(report.counts) == {
        ("person", "unchanged"),
        ("document", "unchanged"),
        ("guardianship", "unchanged"),
    }
    assert (Person.objects.count(), Document.objects.count()) == (2, 3)
    assert Document.objects.filter(status=DocumentStatus.VALID).count() == 2


def test_json_with_sections_persons_first(tmp_path):
    payload = {
        "guardianships": [{"guardian_id_number": ADULT, "child_id_number": CHILD}],
        "documents": [
            {
                "holder_id_number": CHILD,
                "type": "hk_macao_pass",
                "number": "CA1234567",
                "issued_on": "2024-01-01",
                "expires_on": "2028-12-31",
            }
        ],
        "persons": [
            {"id_number": ADULT, "name_zh": "王建国", "household_region": 440303},
            {"id_number": CHILD, "name_zh": "王小明", "household_region": "440303"},
        ],
    }
    path = write(tmp_path, "registry.json", json.dumps(payload, ensure_ascii=False))
    report = registry_import(read_rows(path))
    assert report.rejects == []
    assert Guardianship.objects.count() == 1
    assert Document.objects.get().person.id_number == CHILD


def test_json_as_a_list_of_records(tmp_path):
    payload = [
        {"record": "person", "id_number": ADULT, "name_zh": "王建国", "household_region": "440303"}
    ]
    report = registry_import(read_rows(write(tmp_path, "r.json", json.dumps(payload))))
    assert report.rejects == [] and Person.objects.count() == 1


BAD_ROWS = [
    # (row, field, part of the reason)
    (f"person,{ADULT[:-1]}0,王建国,,440303,,,,,,,,,,", "id_number", "check the last character"),
    (f"person,{OTHER},,,440303,,,,,,,,,,", "name_zh", "required"),
    (f"person,{OTHER},李四,,999999,,,,,,,,,,", "household_region", "no region"),
    (f"person,{OTHER},李四,,440303,12345,,,,,,,,,", "phone_on_file", "mobile number"),
    (f"document,,,,,,{ADULT},passport,C12345678,2020-01-01,2030-01-01,,,,", "number", "start"),
    (f"document,,,,,,{ADULT},passport,E87654321,2020-13-01,2030-01-01,,,,", "issued_on", "date"),
    (f"document,,,,,,{ADULT},passport,E87654321,2020-01-01,2019-01-01,,,,", "expires_on", "after"),
    (f"document,,,,,,{ADULT},passport,E87654321,2020-01-01,2030-01-01,lost,,,", "status", "one of"),
    (f"document,,,,,,{ADULT},visa,V1,2020-01-01,2030-01-01,,,,", "type", "one of"),
    (
        f"document,,,,,,{OTHER},passport,E87654321,2020-01-01,2030-01-01,,,,",
        "holder_id_number",
        "No person",
    ),
    (f"guardianship,,,,,,,,,,,,{CHILD},{ADULT},parent", "guardian_id_number", "adult"),
    ("alien,,,,,,,,,,,,,,", "record", "one of"),
]


def test_each_bad_row_is_reported_with_its_row_number_and_the_import_goes_on(tmp_path):
    # given a good file with a bad row of every kind after it
    text = GOOD_CSV + "\n".join(row for row, _f, _r in BAD_ROWS) + "\n"
    # when
    rejected = []
    with translation.override("en"):
        report = registry_import(
            read_rows(write(tmp_path, "registry.csv", text)), on_reject=rejected.append
        )
    # then every good row is in, every bad row reported with its line in the file
    assert Person.objects.count() == 2 and Document.objects.count() == 3
    assert len(report.rejects) == len(BAD_ROWS) == len(rejected)
    by_line = {r.row.number: r for r in report.rejects}
    for line, (_row, field, reason) in enumerate(BAD_ROWS, start=8):
        reject = by_line[line]
        assert reject.field == field, (line, reject)
        assert reason.lower() in reject.reason.lower(), (line, reject)
        assert str(reject).startswith(f"row {line} (")
        # and no full ID number in what is printed
        assert ADULT not in str(reject) and OTHER not in str(reject)
    assert report.summary().endswith(f"; {len(BAD_ROWS)} rejected.")


def test_files_that_cannot_be_read(tmp_path):
    with pytest.raises(ImportFileError, match=r"\.csv or \.json"):
        read_rows(write(tmp_path, "registry.txt", GOOD_CSV))
    with pytest.raises(ImportFileError, match="record"):
        read_rows(write(tmp_path, "registry.csv", "id_number,name_zh\n1,2\n"))
    with pytest.raises(ImportFileError, match="JSON"):
        read_rows(write(tmp_path, "registry.json", "{nope"))
    with pytest.raises(ImportFileError, match="unknown sections"):
        read_rows(write(tmp_path, "registry.json", '{"people": []}'))
    with pytest.raises(ImportFileError, match="cannot read"):
        read_rows(tmp_path / "missing.csv")


def test_a_json_row_that_is_not_an_object_is_rejected(tmp_path):
    report = registry_import(read_rows(write(tmp_path, "r.json", '{"persons": [1, "x"]}')))
    assert [r.row.where for r in report.rejects] == ["persons row 1", "persons row 2"]


def test_the_command_reports_rejects_and_a_summary(tmp_path):
    text = GOOD_CSV + BAD_ROWS[0][0] + "\n"
    out, err = StringIO(), StringIO()
    call_command("import_registry", str(write(tmp_path, "r.csv", text)), stdout=out, stderr=err)
    assert "rejected: row 8 (person): id_number:" in err.getvalue()
    assert "persons 2 created" in out.getvalue()
    assert "1 rejected." in out.getvalue()
    with pytest.raises(CommandError):
        call_command("import_registry", str(tmp_path / "r.xlsx"))
