"""Checks on what users send: the credit code and uploaded files (by content, not name)."""

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image
from pypdf import PdfReader
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

# An image bigger than this many pixels is refused before it is decoded (decompression bombs).
MAX_IMAGE_PIXELS = 60_000_000


def normalise_credit_code(value: str) -> str:
    """Upper case, without spaces or dashes, and with a correct check character."""
    try:
        return uscc.validate(value or "")
    except InvalidLength:
        raise ValidationError(
            _("A Unified Social Credit Code has exactly 18 characters."), code="length"
        ) from None
    except InvalidChecksum:
        raise ValidationError(
            _(
                "The check character (the last one) does not match: please check the code "
                "on the business licence."
            ),
            code="checksum",
        ) from None
    except (InvalidFormat, ValueError):
        raise ValidationError(
            _(
                "This is not a Unified Social Credit Code: it uses digits and capital letters "
                "except I, O, Z, S and V."
            ),
            code="format",
        ) from None


def credit_code_province(code: str) -> str:
    """The GB/T 2260 province code inside a (normalised) credit code: characters 3 and 4."""
    return code[2:4]


def inspect_upload(upload) -> str:
    """Return the real content type of a PDF/JPEG/PNG upload, or raise ValidationError."""
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    kind = filetype.guess(upload.read(262))
    upload.seek(0)
    content_type = kind.mime if kind else ""
    if content_type not in settings.PLEDGE_UPLOAD_TYPES:
        raise ValidationError(
            _(
                "Only PDF, JPEG or PNG files are accepted; this file is not one of them, "
                "whatever its name says."
            ),
            code="type",
        )
    try:
        if content_type == "application/pdf":
            _check_pdf(upload)
        else:
            _check_image(upload)
    finally:
        upload.seek(0)
    return content_type


def _check_pdf(upload) -> None:
    try:
        reader = PdfReader(upload, strict=False)
        encrypted = reader.is_encrypted
        pages = 0 if encrypted else len(reader.pages)
    except Exception:  # noqa: BLE001 - any failure to parse untrusted input means "damaged"
        raise ValidationError(
            _("The PDF file is damaged and cannot be read."), code="pdf_damaged"
        ) from None
    if encrypted:
        raise ValidationError(
            _("The PDF is protected by a password; upload it without protection."),
            code="pdf_encrypted",
        )
    if pages == 0:
        raise ValidationError(_("The PDF has no pages."), code="pdf_empty")


def _check_image(upload) -> None:
    try:
        with Image.open(upload) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError(_("The image has too many pixels."), code="image_pixels")
            image.verify()
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise ValidationError(_("The image has too many pixels."), code="image_pixels") from None
    except Exception:  # noqa: BLE001 - any failure to decode untrusted input means "damaged"
        raise ValidationError(
            _("The image file is damaged and cannot be read."), code="image_damaged"
        ) from None
