"""Certificate rendering: HTML template → PDF with WeasyPrint, plus the QR code.

Rendering is pure (data in, bytes out) so the service decides what to store and when.
One WeasyPrint FontConfiguration is kept per process: making one per render costs time and
makes memory swing widely.

Text is set in the reduced certificate font built at setup (.fonts): a GB 2312 copy of
Noto Serif CJK SC with compact glyph ids, which makes each PDF about a third of the
size and each render faster than with the 65,535-glyph system font. The system font stays
the fallback for rarer characters. A missing build is an error, never a silent fallback.
"""

import atexit
import base64
import functools
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from . import fonts

# The certificate font as the template's @font-face names it. No file path appears in the
# HTML: the fetcher below maps this one URL to the built file.
FONT_URL = "chengxin-font:certificate-serif"
# The QR code's mask pattern, fixed (see qr_data_uri).
QR_MASK = 4
# Pixels per module in the QR code's image.
QR_SCALE = 4

_font_config = None


class CertificateFontMissing(fonts.CertificateFontError):
    """The reduced certificate font has not been built on this machine."""


def certificate_font() -> Path:
    """The built certificate font, or a clear error (never the 60,000-glyph fallback)."""
    path = fonts.font_path()
    if not path.is_file():
        raise CertificateFontMissing(
            f"The certificate font {path} has not been built: run `make setup`, "
            "`python -m pledges.certificates.fonts` or `python manage.py build_certificate_font`."
        )
    return path


def font_config():
    """The process's FontConfiguration, made on first use (after the worker forked)."""
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = FontConfiguration()
        # WeasyPrint (70) copies each @font-face font into the configuration's ``_folder``
        # and removes it only when the object is collected. A recycled Celery child leaves
        # through os._exit and never is, so each would leave a 2 MB copy in /tmp: give it
        # a folder named after this process instead, and remove those of processes gone.
        config._folder = _process_font_folder()
        _font_config = config
    return _font_config


def font_folders_root() -> Path:
    return Path(tempfile.gettempdir()) / f"chengxin-certificate-fonts-{os.getuid()}"


def remove_font_folders_of_dead_processes(root: Path) -> None:
    for folder in root.glob("pid-*"):
        pid = folder.name.removeprefix("pid-")
        if pid.isdigit() and int(pid) != os.getpid() and not _process_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _process_font_folder() -> Path:
    root = font_folders_root()
    root.mkdir(mode=0o700, exist_ok=True)
    remove_font_folders_of_dead_processes(root)
    folder = root / f"pid-{os.getpid()}"
    # Start empty: WeasyPrint skips registering a font whose copy is already there, which a
    # folder left by an earlier process with the same id would make it do.
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@functools.cache
def _fetcher_class():
    # Defined on first use: importing WeasyPrint loads pango, which the web process need not.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class CertificateURLFetcher(URLFetcher):
        """Our own font files (an allow-list of URL → resolved path) and data: URIs (the QR
        code); nothing from the network or the rest of the file system.

        A refused or broken resource stops the rendering rather than leave a part out.
        """

        def __init__(self, files: dict[str, Path]):
            super().__init__(allowed_protocols={"data"}, fail_on_errors=True)
            self.files = {url: Path(path).resolve(strict=True) for url, path in files.items()}

        def fetch(self, url, headers=None):
            path = self.files.get(url)
            if path is not None:
                return URLFetcherResponse(
                    url, path.read_bytes(), {"Content-Type": "font/otf"}, status=200
                )
            # Everything else but data: URIs is refused here (ValueError), file: included.
            return super().fetch(url, headers)

    return CertificateURLFetcher


def url_fetcher():
    """The fetcher certificates are rendered with: the built font and data: URIs only."""
    return _fetcher_class()({FONT_URL: certificate_font()})


@dataclass(frozen=True)
class CertificateData:
    number: str
    enterprise_name: str
    credit_code: str
    campaign_title: str
    campaign_year: int
    issued_at: datetime
    # Its bit in the campaign year's status list (the certificate's sequence number).
    status_index: int = 0
    # The signed QR payload (credentials.qr_payload) and the signed credential: the QR code
    # carries the first after the URL's "#"; the PDF carries both as attached files.
    qr_payload: str = ""
    credential: str = ""


# The names of the files attached to the PDF (what verify_certificate reads back).
QR_PAYLOAD_FILE = "qr-payload.jws"
CREDENTIAL_FILE = "credential.jwt"


def verify_url(number: str) -> str:
    return settings.SITE_URL + reverse("public:verify", args=[number])


def qr_text(data: CertificateData) -> str:
    url = verify_url(data.number)
    return f"{url}#{data.qr_payload}" if data.qr_payload else url


def qr_data_uri(url: str) -> str:
    """The QR code as a PNG of 4 × 4 pixels per module, drawn without interpolation (the
    template's ``image-rendering: pixelated``), so every module prints as a sharp square.

    A vector path looked the same but cost WeasyPrint about a tenth of each render to parse
    and draw (some 280 path commands); this image is under 2 KB in the PDF. segno lays out
    the modules; Pillow writes the PNG, in a third of the time of segno's own PNG writer
    (a signed payload makes the code 77 modules wide).
    """
    # A verification URL never fits a Micro QR code: skip trying one. Any of the eight masks
    # makes a valid code; scoring all eight to pick the "best" cost a tenth of each render.
    code = segno.make(url, error="m", micro=False, mask=QR_MASK)
    width = len(code.matrix)
    modules = bytes(0 if dark else 255 for row in code.matrix for dark in row)
    image = Image.frombytes("L", (width, width), modules).convert("1")
    image = image.resize((width * QR_SCALE, width * QR_SCALE), Image.Resampling.NEAREST)
    png = BytesIO()
    image.save(png, "PNG")
    return "data:image/png;base64," + base64.b64encode(png.getvalue()).decode("ascii")


def render_html(data: CertificateData) -> str:
    url = verify_url(data.number)
    issued = timezone.localtime(data.issued_at)
    return render_to_string(
        "certificates/certificate.html",
        {
            "font_url": FONT_URL,
            "number": data.number,
            "enterprise_name": data.enterprise_name,
            "credit_code": data.credit_code,
            "campaign_title": data.campaign_title,
            "campaign_year": data.campaign_year,
            "issued_on": f"{issued.year}年{issued.month}月{issued.day}日",
            "issuer": settings.CERTIFICATE_ISSUER,
            "verify_url": url,
            "qr_data_uri": qr_data_uri(qr_text(data)),
        },
    )


def render_pdf(data: CertificateData) -> bytes:
    from weasyprint import HTML, Attachment

    attachments = [
        Attachment(string=text, name=name)
        for name, text in ((QR_PAYLOAD_FILE, data.qr_payload), (CREDENTIAL_FILE, data.credential))
        if text
    ]
    html = HTML(string=render_html(data), url_fetcher=url_fetcher())
    return html.write_pdf(font_config=font_config(), attachments=attachments)
