"""Make a signing key from the development CA (rotation: each run adds the next key)."""

from django.core.management.base import BaseCommand

from pledges.certificates import keys


class Command(BaseCommand):
    help = (
        "Create a development CA (once) and a new EC P-256 signing key with its certificate "
        "in SIGNING_KEYS_DIR; the new key signs from now on unless SIGNING_KEY_ID names "
        "another. Older keys stay published, so what they signed keeps verifying. For "
        "production, install the association's own key and certificate instead (README)."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--dev",
            action="store_true",
            required=True,
            help="confirm that a development CA is wanted (never for production)",
        )
        parser.add_argument(
            "--if-missing", action="store_true", help="do nothing when a signing key exists"
        )

    def handle(self, *args, if_missing=False, **options):
        if if_missing and keys.key_ids():
            self.stdout.write(f"Signing keys already in {keys.keys_dir()}.")
            return
        kid = keys.create_development_key()
        self.stdout.write(f"Signing key {kid} created in {keys.keys_dir()}.")
