"""Build the reduced certificate font (what `make setup` does, for CI or a new server)."""

from django.core.management.base import BaseCommand, CommandError

from pledges.certificates import fonts


class Command(BaseCommand):
    help = (
        "Build var/fonts/ChengxinSerifSC-Regular.v*.otf, the GB 2312 copy of Noto Serif CJK SC "
        "that certificates are set in. Does nothing when it is already there."
    )
    # The check for this very font would stop the command that builds it.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="build again even if present")

    def handle(self, *args, force=False, **options):
        try:
            path = fonts.ensure_font(force=force, log=self.stdout.write)
        except fonts.CertificateFontError as error:
            raise CommandError(str(error)) from error
        problem = fonts.font_problem(path)
        if problem:
            raise CommandError(f"{path}: {problem}")
        self.stdout.write(f"Certificate font: {path}")
