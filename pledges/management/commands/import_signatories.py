"""Import an earlier year's list of signatories (CSV or XLSX) as historical records."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pledges.errors import DomainError
from pledges.services.imports import REFUSED, report_csv, signatories_import


class Command(BaseCommand):
    help = (
        "Import an earlier year's list of signatories from a CSV or XLSX file with headers in "
        "Chinese or English. Each row is added, updated, unchanged or refused with the reason; "
        "running the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would happen; write nothing"
        )
        parser.add_argument(
            "--report",
            type=Path,
            help="write the per-row report here as CSV (default: FILE.report.csv)",
        )

    def handle(self, *args, file: Path, year: int, dry_run=False, report=None, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from error
        try:
            result = signatories_import(year=year, file_name=file.name, data=data, dry_run=dry_run)
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        report = report or file.with_name(file.name + ".report.csv")
        report.write_text(report_csv(result), encoding="utf-8-sig")
        counts = result.counts
        summary = ", ".join(f"{outcome} {count}" for outcome, count in counts.items())
        self.stdout.write(f"{year}: {summary}{' (dry run: nothing written)' if dry_run else ''}")
        for row in result.rows:
            if row.outcome == REFUSED:
                self.stdout.write(f"row {row.row}: {' '.join(row.notes)}")
        self.stdout.write(f"Report: {report}")
