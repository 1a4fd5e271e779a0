"""Importing earlier years' lists: real-world mess, row by row, and a second run that changes
nothing."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from pledges.history.reading import ImportFileError
from pledges.models import AuditEvent, ImportedSignature, SignatoryImport
from pledges.services.imports import report_csv, signatories_import
from tests import factories

from .messy_files import (
    BEIJING,
    GUANGDONG,
    JIANGSU,
    ZHEJIANG,
    messy_csv,
    messy_xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # The reasons are asserted in English; the product speaks Chinese by default.
    with translation.override("en"):
        yield


def outcomes(result) -> dict[int, str]:
    return {row.row: row.outcome for row in result.rows}


def notes(result, number: int) -> str:
    return " ".join(next(row.notes for row in result.rows if row.row == number))


def test_messy_csv_row_by_row():
    result = signatories_import(year=2010, file_name="2010.csv", data=messy_csv())
    assert outcomes(result) == {
        3: "added",
        4: "added",
        5: "added",
        6: "refused",
        7: "refused",
        8: "refused",
        9: "added",
        10: "refused",
    }
    stored = {s.credit_code: s for s in ImportedSignature.objects.filter(year=2010)}
    assert set(stored) == {JIANGSU[0], JIANGSU[1], ZHEJIANG, BEIJING}
    # Full width, spaces and lower case repaired; the brackets kept Chinese, letters half width.
    assert stored[JIANGSU[1]].name == "无锡恒泰（ABC）电子科技有限公司"
    assert "repaired" in notes(result, 4)
    assert "repaired" in notes(result, 5)
    # The province comes from the code, and the disagreeing column is reported.
    assert stored[BEIJING].province_id == "11"
    assert "上海" in notes(result, 9)
    assert stored[JIANGSU[0]].province_id == "32"
    assert "row 3" in notes(result, 6)
    assert "scientific notation" in notes(result, 7)
    assert "check character" in notes(result, 8)
    assert "No name" in notes(result, 10)
    record = SignatoryImport.objects.get()
    assert record.counts == {"added": 4, "updated": 0, "unchanged": 0, "refused": 4}
    event = AuditEvent.objects.get(action=AuditEvent.Action.SIGNATORIES_IMPORTED)
    assert event.details["import_id"] == record.pk and event.details["year"] == 2010


def test_a_second_run_changes_nothing():
    signatories_import(year=2010, file_name="2010.csv", data=messy_csv())
    before = list(ImportedSignature.objects.order_by("pk").values())
    again = signatories_import(year=2010, file_name="2010.csv", data=messy_csv())
    assert again.counts == {"added": 0, "updated": 0, "unchanged": 4, "refused": 4}
    assert list(ImportedSignature.objects.order_by("pk").values()) == before
    # No import recorded, no audit event: nothing happened.
    assert SignatoryImport.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SIGNATORIES_IMPORTED).count() == 1


def test_a_corrected_name_updates_the_record():
    signatories_import(year=2010, file_name="2010.csv", data=messy_csv())
    corrected = messy_csv().replace(
        "杭州鑫盛食品有限公司".encode(), "杭州鑫盛食品股份有限公司".encode()
    )
    result = signatories_import(year=2010, file_name="2010-v2.csv", data=corrected)
    assert result.counts["updated"] == 1 and result.counts["added"] == 0
    record = ImportedSignature.objects.get(credit_code=ZHEJIANG)
    assert record.name == "杭州鑫盛食品股份有限公司"
    assert record.source.file_name == "2010-v2.csv"


def test_dry_run_writes_nothing():
    result = signatories_import(year=2010, file_name="2010.csv", data=messy_csv(), dry_run=True)
    assert result.counts["added"] == 4
    assert not ImportedSignature.objects.exists()
    assert not SignatoryImport.objects.exists()


def test_messy_xlsx_merged_cells_and_a_number_cell():
    result = signatories_import(year=2011, file_name="2011.xlsx", data=messy_xlsx())
    assert outcomes(result) == {3: "added", 4: "added", 5: "refused", 6: "added"}
    assert "stored as a number" in notes(result, 5)
    stored = {s.credit_code: s for s in ImportedSignature.objects.filter(year=2011)}
    # The merged industry cell covers both rows; the name by its English header.
    assert stored[JIANGSU[0]].industry_id == stored[JIANGSU[1]].industry_id == "34"
    assert stored[JIANGSU[0]].name == "Suzhou Huazhi Precision Co., Ltd."
    assert stored[GUANGDONG].province_id == "44"


def test_gb18030_csv_with_tabs():
    text = "企业名称\t统一社会信用代码\n苏州华质精密机械有限公司\t" + JIANGSU[0] + "\n"
    result = signatories_import(year=2012, file_name="2012.txt", data=text.encode("gb18030"))
    assert result.counts["added"] == 1
    assert ImportedSignature.objects.get().name == "苏州华质精密机械有限公司"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "a.csv", "empty"),
        ("名称,地址\n甲,乙\n".encode(), "a.csv", "No header row"),
        (b"\x00\x01\x02binary", "a.xlsx", "not an .xlsx"),
        (b"PK\x03\x04broken zip", "a.xlsx", "could not be opened"),
    ],
)
def test_files_that_cannot_be_imported(data, name, message):
    with pytest.raises(ImportFileError, match=message):
        signatories_import(year=2010, file_name=name, data=data)
    assert not ImportedSignature.objects.exists()


def test_years_outside_the_range_or_run_here_are_refused():
    factories.campaign(2024)
    with pytest.raises(ImportFileError, match="campaign run here"):
        signatories_import(year=2024, file_name="a.csv", data=messy_csv())
    with pytest.raises(ImportFileError, match="between"):
        signatories_import(year=1999, file_name="a.csv", data=messy_csv())


def test_report_csv_lists_every_row_safely():
    data = messy_csv().replace("北京德正光电有限公司".encode(), b"=HYPERLINK(1)")
    result = signatories_import(year=2010, file_name="2010.csv", data=data, dry_run=True)
    rows = list(csv.reader(io.StringIO(report_csv(result))))
    assert len(rows) == 1 + 8
    assert rows[1][:2] == ["3", "added"]
    by_row = {row[0]: row for row in rows[1:]}
    assert by_row["7"][1] == "refused" and "scientific" in by_row["7"][2]
    # A code stays text in Excel; a formula is neutralised.
    assert by_row["3"][5] == "\t" + JIANGSU[0]
    assert by_row["9"][4] == "'=HYPERLINK(1)"


def test_command_imports_reports_and_dry_runs(tmp_path):
    path = tmp_path / "2010.csv"
    path.write_bytes(messy_csv())
    out = io.StringIO()
    call_command("import_signatories", str(path), "--year", "2010", "--dry-run", stdout=out)
    assert "added 4" in out.getvalue() and "dry run" in out.getvalue()
    assert not ImportedSignature.objects.exists()
    out = io.StringIO()
    call_command("import_signatories", str(path), "--year", "2010", stdout=out)
    assert ImportedSignature.objects.count() == 4
    assert "row 7:" in out.getvalue()
    report = (tmp_path / "2010.csv.report.csv").read_bytes()
    assert report.startswith(b"\xef\xbb\xbf") and b"refused" in report
    with pytest.raises(CommandError, match="No header row"):
        (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
        call_command("import_signatories", str(tmp_path / "bad.csv"), "--year", "2010")
