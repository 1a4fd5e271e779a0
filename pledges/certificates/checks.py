"""System checks: what certificate rendering needs from the machine."""

import subprocess
from pathlib import Path

from django.core import checks

CJK_FONT = "Noto Serif CJK SC"


@checks.register(checks.Tags.compatibility)
def certificate_rendering(app_configs=None, **kwargs):
    errors = []
    try:
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset
    except OSError as error:  # pango missing altogether
        return [
            checks.Error(
                f"WeasyPrint cannot load its libraries: {error}",
                hint="Install pango (make setup does).",
                id="pledges.E001",
            )
        ]
    # Without HarfBuzz's subsetter WeasyPrint silently falls back to fontTools, and one
    # Chinese certificate takes seconds instead of about a tenth of a second.
    if harfbuzz_subset is None or not harfbuzz.hb_version_atleast(4, 1, 0):
        errors.append(
            checks.Error(
                "libharfbuzz-subset (HarfBuzz >= 4.1) is missing: certificates would render "
                "about 60 times slower through fontTools.",
                hint="apt-get install libharfbuzz-subset0 (make setup does).",
                id="pledges.E002",
            )
        )
    if not _font_installed(CJK_FONT):
        errors.append(
            checks.Error(
                f"The font {CJK_FONT!r} is not installed: certificates cannot print Chinese.",
                hint="apt-get install fonts-noto-cjk (make setup does).",
                id="pledges.E003",
            )
        )
    return errors


@checks.register(checks.Tags.compatibility)
def certificate_font(app_configs=None, **kwargs):
    """The reduced certificate font must have been built (make setup does): without it
    certificates would not render, rather than silently embed the 60,000-glyph font."""
    from . import fonts

    path = fonts.font_path()
    hint = (
        "Run `make setup`, `python -m pledges.certificates.fonts` "
        "or `manage.py build_certificate_font`."
    )
    if not path.is_file():
        return [
            checks.Error(
                f"The certificate font {path} has not been built.", hint=hint, id="pledges.E004"
            )
        ]
    problem = fonts.font_problem(path)
    if problem:
        return [
            checks.Error(
                f"The certificate font {path} is unusable: {problem}",
                hint="Build it again: `python -m pledges.certificates.fonts --force`.",
                id="pledges.E004",
            )
        ]
    return []


def _font_installed(family: str) -> bool:
    try:
        result = subprocess.run(  # noqa: S603 - fixed arguments
            ["fc-list", f"{family}:", "family"],  # noqa: S607 - fontconfig's own tool
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return family in result.stdout


@checks.register(checks.Tags.security)
def signing_keys(app_configs=None, **kwargs):
    """Private keys readable only by their owner, and a key to sign with."""
    from django.conf import settings

    from . import keys

    errors = [
        checks.Error(
            f"The private key {path} can be read by other users (mode {path.stat().st_mode:o}).",
            hint=f"chmod 600 {path}",
            id="pledges.E020",
        )
        for path in keys.private_key_files()
        if keys.readable_by_others(path)
    ]
    base = Path(settings.BASE_DIR).resolve()
    folder = keys.keys_dir().resolve()
    if folder.is_relative_to(base) and not folder.is_relative_to(base / "var"):
        errors.append(
            checks.Error(
                f"SIGNING_KEYS_DIR ({folder}) is inside the repository.",
                hint="Keep private keys outside the repository (var/ is never committed).",
                id="pledges.E021",
            )
        )
    try:
        keys.signing_key()
    except keys.SigningKeyMissing as error:
        errors.append(
            checks.Warning(
                f"Certificates cannot be issued: {error}",
                hint="manage.py create_signing_key --dev (development), or see the README.",
                id="pledges.W020",
            )
        )
    return errors
