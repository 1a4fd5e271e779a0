"""Check a certificate PDF from the command line: signature, issuer, integrity, status, dates."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pledges.certificates import verification


class Command(BaseCommand):
    help = (
        "Check a certificate PDF: its PAdES signature against the trust roots, the signed QR "
        "payload against the published keys and, unless --offline, its status in the record. "
        "Exits with status 1 when a check fails."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--offline", action="store_true", help="do not ask the record for the status"
        )

    def handle(self, *args, file: Path, offline=False, **options):
        try:
            pdf = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from error
        standing_of = None
        if not offline:
            from pledges.public.verify import standing

            standing_of = standing
        report = verification.report_for_pdf(pdf, standing_of)
        if report.number:
            self.stdout.write(f"Certificate {report.number}")
        for check in report.checks:
            self.stdout.write(f"{check.outcome:<12} {check.name:<10} {check.detail}")
        if report.failed:
            raise CommandError("The certificate did not pass every check.", returncode=1)
        self.stdout.write(self.style.SUCCESS("Every check passed or was not asked for."))
