"""Reading an earlier year's list of signatories from a spreadsheet (CSV or XLSX) as found:
a title above the header, merged cells, a byte-order mark, GB 18030 from older Excel."""

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ..errors import DomainError

MAX_FILE_BYTES = 20 * 1024 * 1024
# The header is looked for among the first rows (a title and a note may sit above it).
HEADER_SEARCH_ROWS = 20

# Each column the import reads, and the headers it goes by (compared after normalising:
# half width, lower case, no spaces, no bracketed note such as "（18位）").
COLUMN_HEADERS = {
    "credit_code": (
        "统一社会信用代码",
        "社会信用代码",
        "信用代码",
        "统一代码",
        "unifiedsocialcreditcode",
        "creditcode",
        "uscc",
    ),
    "name": (
        "企业名称",
        "单位名称",
        "公司名称",
        "名称",
        "企业",
        "name",
        "enterprisename",
        "enterprise",
        "companyname",
        "company",
    ),
    "province": ("省份", "省", "省(区、市)", "所在省份", "地区", "所在地区", "province", "region"),
    "industry": ("行业", "行业代码", "所属行业", "行业门类", "industry", "industrycode"),
}
_BRACKETED = re.compile(r"[(（\[【].*?[)）\]】]")
_HEADER_ALIASES = {alias: field for field, aliases in COLUMN_HEADERS.items() for alias in aliases}


class ImportFileError(DomainError):
    default_message = _("The file could not be read.")


@dataclass(frozen=True)
class Table:
    """The rows below the header, each with its row number in the file (1-based)."""

    columns: dict[str, int]  # field → column index
    header_row: int
    rows: list[tuple[int, list]]


def header_key(cell) -> str:
    text = unicodedata.normalize("NFKC", str(cell or "")).lower()
    text = _BRACKETED.sub("", re.sub(r"\s+", "", text)).rstrip(":：*")
    return text


def read_table(file_name: str, data: bytes) -> Table:
    if not data:
        raise ImportFileError(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(_("The file is larger than 20 MB."))
    if data.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(data)
    elif file_name.lower().endswith((".xlsx", ".xls")):
        raise ImportFileError(
            _("This is not an .xlsx workbook. Save it as .xlsx (Excel 2007 or later) or as CSV.")
        )
    else:
        rows = _csv_rows(data)
    return _table(rows)


def _xlsx_rows(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        # Not read-only: only a full load knows the merged cells.
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        message = _("The workbook could not be opened: %(error)s") % {"error": error}
        raise ImportFileError(message) from error
    sheet = workbook.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    # A merged range shows its first cell's value in every cell it covers (a province
    # merged down a block of rows, say): give each row what a reader sees.
    for merged in sheet.merged_cells.ranges:
        value = rows[merged.min_row - 1][merged.min_col - 1]
        for row in rows[merged.min_row - 1 : merged.max_row]:
            row.extend([None] * (merged.max_col - len(row)))
            for column in range(merged.min_col - 1, merged.max_col):
                row[column] = value
    workbook.close()
    return rows


def _csv_rows(data: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The file is neither UTF-8 nor GB 18030 text."))
    if "\x00" in text:
        raise ImportFileError(_("This is not a CSV or XLSX file."))
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text, newline=""), dialect))


def _table(rows: list[list]) -> Table:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns = {}
        for column, cell in enumerate(row):
            field = _HEADER_ALIASES.get(header_key(cell))
            if field and field not in columns:
                columns[field] = column
        if "credit_code" in columns and "name" in columns:
            body = [
                (number, row)
                for number, row in enumerate(rows[index + 1 :], start=index + 2)
                if any(cell not in (None, "") and str(cell).strip() for cell in row)
            ]
            return Table(columns=columns, header_row=index + 1, rows=body)
    raise ImportFileError(
        _(
            "No header row with a credit code column and a name column was found in the first "
            "%(rows)s rows (for example 统一社会信用代码 and 企业名称, or credit code and name)."
        )
        % {"rows": HEADER_SEARCH_ROWS}
    )
