"""Rebuild the published record from the decisions, or (--check) report how it differs."""

from django.core.management.base import BaseCommand, CommandError

from pledges.services.publication import record_drift, record_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the published record (listings and their tallies) from the reviewed "
        "decisions. With --check, change nothing and exit 1 if the record has drifted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Report differences; change nothing."
        )

    def handle(self, *args, check=False, **options):
        if check:
            drift = record_drift()
            for line in drift:
                self.stdout.write(line)
            if drift:
                raise CommandError(
                    f"The published record differs from the decisions in {len(drift)} place(s)."
                )
            self.stdout.write(self.style.SUCCESS("The published record matches the decisions."))
            return
        changed = record_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Rebuilt: {changed} listing(s) changed."))
