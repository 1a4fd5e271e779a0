"""Importing an earlier year's list of signatories: each row added, updated, unchanged or
refused with the reason, and a second run of the same file changes nothing."""

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from .. import events
from ..history.cleaning import CleanRow, RowRefused, clean_row, province_key
from ..history.reading import ImportFileError, read_table
from ..history.runs import listing_runs_refresh
from ..models import Campaign, ImportedSignature, Industry, Province, SignatoryImport
from ..responses import safe_cell, text_cell
from .publication import public_record_changed

FIRST_YEAR = 2000
ADDED, UPDATED, UNCHANGED, REFUSED = "added", "updated", "unchanged", "refused"
OUTCOME_LABELS = {
    ADDED: pgettext_lazy("import outcome", "added"),
    UPDATED: pgettext_lazy("import outcome", "updated"),
    UNCHANGED: pgettext_lazy("import outcome", "unchanged"),
    REFUSED: pgettext_lazy("import outcome", "refused"),
}
COMPARED_FIELDS = ("name", "province_id", "industry_id")
_ENGLISH_SUFFIX = re.compile(
    r"\s+(province|municipality|autonomous region|special administrative region)$", re.I
)


@dataclass
class ReportRow:
    row: int
    outcome: str
    raw_code: str
    raw_name: str
    code: str = ""
    name: str = ""
    province: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME_LABELS[self.outcome])


@dataclass
class ImportResult:
    year: int
    file_name: str
    dry_run: bool
    rows: list[ReportRow]
    record: SignatoryImport | None = None

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys((ADDED, UPDATED, UNCHANGED, REFUSED), 0)
        for row in self.rows:
            counts[row.outcome] += 1
        return counts

    @property
    def changed(self) -> bool:
        counts = self.counts
        return bool(counts[ADDED] or counts[UPDATED])

    @property
    def refused(self) -> list[ReportRow]:
        return [row for row in self.rows if row.outcome == REFUSED]


def check_import_year(year: int) -> None:
    this_year = timezone.localdate().year
    if not FIRST_YEAR <= year <= this_year:
        raise ImportFileError(
            _("The year must be between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": this_year}
        )
    if Campaign.objects.filter(year=year).exists():
        raise ImportFileError(
            _(
                "%(year)s is a campaign run here: its signatories are the reviewed pledges, "
                "not an import."
            )
            % {"year": year}
        )


def _province_lookup() -> dict[str, str]:
    lookup = {}
    for code, name, short_name, name_en in Province.objects.values_list(
        "code", "name", "short_name", "name_en"
    ):
        for key in (code, name, short_name, _ENGLISH_SUFFIX.sub("", name_en), name_en):
            lookup[province_key(key)] = code
    return lookup


def _industry_lookup() -> dict[str, str]:
    lookup = {}
    for code, name, name_en in Industry.objects.filter(level=Industry.Level.DIVISION).values_list(
        "code", "name", "name_en"
    ):
        for key in (code, name, name_en):
            lookup[province_key(key)] = code
    return lookup


def signatories_import(
    *, year: int, file_name: str, data: bytes, actor=None, dry_run: bool = False
) -> ImportResult:
    """Read the file and bring the year's imported signatures in line with it. Raises
    ImportFileError when the file as a whole cannot be imported (nothing is written then)."""
    check_import_year(year)
    table = read_table(file_name, data)
    provinces, industries = _province_lookup(), _industry_lookup()
    province_names = dict(Province.objects.values_list("code", "name"))
    existing = {
        signature.credit_code: signature
        for signature in ImportedSignature.objects.filter(year=year)
    }
    result = ImportResult(year=year, file_name=file_name, dry_run=dry_run, rows=[])
    seen: dict[str, int] = {}
    to_add, to_update = [], []
    for number, cells in table.rows:
        values = {
            name: cells[column] if column < len(cells) else None
            for name, column in table.columns.items()
        }
        report = ReportRow(
            row=number,
            outcome=REFUSED,
            raw_code=str(values.get("credit_code") or "").strip(),
            raw_name=str(values.get("name") or "").strip(),
        )
        result.rows.append(report)
        try:
            clean = clean_row(number, values, provinces, industries)
        except RowRefused as refusal:
            report.notes.append(refusal.reason)
            continue
        report.code, report.name = clean.code, clean.name
        report.province = province_names.get(clean.province_code, "")
        report.notes.extend(clean.notes)
        if clean.code in seen:
            report.notes.append(
                _("The same credit code as row %(row)s: imported once.") % {"row": seen[clean.code]}
            )
            continue
        seen[clean.code] = number
        report.outcome = _apply(clean, existing.get(clean.code), to_add, to_update)
    if not dry_run and (to_add or to_update):
        result.record = _write(result, data, actor, to_add, to_update)
    return result


def _apply(clean: CleanRow, current, to_add: list, to_update: list) -> str:
    values = {
        "name": clean.name,
        "province_id": clean.province_code or None,
        "industry_id": clean.industry_code or None,
    }
    if current is None:
        to_add.append((clean, values))
        return ADDED
    if all(getattr(current, name) == value for name, value in values.items()):
        return UNCHANGED
    to_update.append((clean, current, values))
    return UPDATED


def _write(result: ImportResult, data: bytes, actor, to_add, to_update) -> SignatoryImport:
    with transaction.atomic():
        record = SignatoryImport.objects.create(
            year=result.year,
            file_name=result.file_name[:200],
            file_sha256=hashlib.sha256(data).hexdigest(),
            imported_by=actor,
            counts=result.counts,
            report_csv=report_csv(result),
        )
        ImportedSignature.objects.bulk_create(
            [
                ImportedSignature(
                    year=result.year,
                    credit_code=clean.code,
                    source=record,
                    source_row=clean.row,
                    **values,
                )
                for clean, values in to_add
            ],
            batch_size=1000,
        )
        now = timezone.now()
        for clean, current, values in to_update:
            for name, value in values.items():
                setattr(current, name, value)
            current.source, current.source_row, current.updated_at = record, clean.row, now
        ImportedSignature.objects.bulk_update(
            [current for _clean, current, _values in to_update],
            [*COMPARED_FIELDS, "source", "source_row", "updated_at"],
            batch_size=1000,
        )
        events.signatories_imported_event(record=record, actor=actor)
        # Enterprise pages show imported years, and the list's runs count them.
        listing_runs_refresh(codes=[row[0].code for row in to_add + to_update])
        public_record_changed()
    return record


def report_header() -> list[str]:
    return [
        _("Row"),
        _("Outcome"),
        _("Reason or note"),
        _("Credit code in the file"),
        _("Name in the file"),
        _("Credit code imported"),
        _("Name imported"),
        _("Province"),
    ]


def report_csv(result: ImportResult) -> str:
    """The per-row report as CSV text (UTF-8 with a BOM when written out, for Excel)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(report_header())
    for row in result.rows:
        writer.writerow(
            [
                row.row,
                row.outcome_label,
                safe_cell(" ".join(row.notes)),
                text_cell(row.raw_code),
                safe_cell(row.raw_name),
                text_cell(row.code),
                safe_cell(row.name),
                row.province,
            ]
        )
    return out.getvalue()
