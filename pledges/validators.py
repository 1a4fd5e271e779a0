"""Checks on what users send: text, the credit code, certificate numbers and uploaded files
(by content, not name)."""

import re
import unicodedata
import warnings

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength

from .storage import UPLOAD_TYPES

# An image bigger than this many pixels is refused before it is decoded (decompression bombs).
MAX_IMAGE_PIXELS = 60_000_000
# A scanned page has a few hundred PDF objects; walking more than this is not worth the time.
MAX_PDF_OBJECTS = 50_000

# What makes a PDF act rather than show: reviewers open these files in their browsers.
PDF_SCRIPT, PDF_ATTACHMENT = "script", "attachment"
# Keys that carry scripts: an action's /JS, the document's /JavaScript name tree, XFA forms.
_SCRIPT_KEYS = frozenset({"/JS", "/JavaScript", "/XFA"})
# Action types (/S) that run code or programs, or open content from outside the page.
_SCRIPT_ACTIONS = frozenset({"/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute"})
# Keys and types of embedded files: the /EmbeddedFiles name tree, a file specification's
# /EF, an embedded file stream, a file-attachment annotation, a go-to-embedded action.
_ATTACHMENT_KEYS = frozenset({"/EmbeddedFiles", "/EF"})
_ATTACHMENT_TYPES = frozenset({"/EmbeddedFile", "/FileAttachment", "/GoToE"})


# Something that looks like an HTML tag, comment or doctype.
MARKUP = re.compile(r"<\s*[/!?a-zA-Z]|javascript:", re.IGNORECASE)


# Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) reorder what a reader
# sees ("Trojan Source"); zero-width characters hide inside names to dodge searches and
# screens. None has a place in a name, an address or a reason (the framework refuses NUL).
INVISIBLE_CONTROLS = re.compile(
    "[\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff\u00ad\u180e"
    "\x01-\x08\x0b\x0c\x0e-\x1f\x7f]"
)


def validate_plain_text(value: str) -> None:
    """Text as people type it: no markup, no invisible or direction-changing characters."""
    if not value:
        return
    if MARKUP.search(value):
        raise ValidationError(
            _("Please enter plain text: HTML tags and scripts are not allowed."), code="markup"
        )
    refuse_invisible_controls(value)


def refuse_invisible_controls(value: str) -> None:
    found = INVISIBLE_CONTROLS.search(value or "")
    if found:
        raise ValidationError(
            _(
                "Remove the invisible character U+%(code)s: direction overrides, zero-width "
                "and control characters are not allowed."
            ),
            code="invisible",
            params={"code": f"{ord(found.group()):04X}"},
        )


def refuse_banned_terms(value: str) -> None:
    """Names and other public text: none of the association's banned terms."""
    from .screening import banned_term_in

    term = banned_term_in(value)
    if term:
        raise ValidationError(
            _("“%(term)s” is not allowed in public details. Please remove it."),
            code="banned",
            params={"term": term},
        )


validate_phone = RegexValidator(
    r"^\+?[0-9][0-9 ()\-]{5,28}$",
    _("Enter a phone number of digits, optionally with +, spaces, dashes or brackets."),
)


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
    if content_type not in UPLOAD_TYPES:
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
    damaged = ValidationError(_("The PDF file is damaged and cannot be read."), code="pdf_damaged")
    try:
        reader = PdfReader(upload, strict=False)
        encrypted = reader.is_encrypted
        pages = 0 if encrypted else len(reader.pages)
        active = None if encrypted or pages == 0 else pdf_active_content(reader)
    except Exception:  # noqa: BLE001 - any failure to parse untrusted input means "damaged"
        raise damaged from None
    if encrypted:
        raise ValidationError(
            _("The PDF is protected by a password; upload it without protection."),
            code="pdf_encrypted",
        )
    if pages == 0:
        raise ValidationError(_("The PDF has no pages."), code="pdf_empty")
    if active == PDF_SCRIPT:
        raise ValidationError(
            _(
                "The PDF contains scripts or actions that run programs; upload a plain scan, "
                "or print the document to a new PDF first."
            ),
            code="pdf_script",
        )
    if active == PDF_ATTACHMENT:
        raise ValidationError(
            _("The PDF contains embedded files; upload the page alone, without attachments."),
            code="pdf_attachment",
        )


class _TooComplex(Exception):
    pass


def pdf_active_content(reader: PdfReader) -> str | None:
    """PDF_SCRIPT or PDF_ATTACHMENT for the first active part found, or None.

    Everything reachable from the document catalogue is walked (its open action and
    additional actions, the names tree, the outline, the form, every page with its /AA and
    its annotations' /A and /AA, and each action's /Next), since a script may hide in any of
    them; stream data is not decoded. Raises on a malformed document, which the caller
    reports as damaged, and on one with more than MAX_PDF_OBJECTS objects.
    """
    stack = [reader.trailer["/Root"]]
    seen: set[tuple[int, int]] = set()
    walked = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            if (node.idnum, node.generation) in seen:
                continue
            seen.add((node.idnum, node.generation))
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            walked += 1
            found = _active_entry(node)
            if found:
                return found
            # The raw values: indirect references are resolved (once) when taken off.
            stack.extend(dict.values(node))
        elif isinstance(node, ArrayObject):
            walked += 1
            stack.extend(list.__iter__(node))
        if walked > MAX_PDF_OBJECTS:
            raise _TooComplex
    return None


def _active_entry(node: DictionaryObject) -> str | None:
    keys = set(node.keys())
    action = _name(node, "/S")
    if keys & _SCRIPT_KEYS or action in _SCRIPT_ACTIONS:
        return PDF_SCRIPT
    if (
        keys & _ATTACHMENT_KEYS
        or action in _ATTACHMENT_TYPES
        or _name(node, "/Type") in _ATTACHMENT_TYPES
        or _name(node, "/Subtype") in _ATTACHMENT_TYPES
    ):
        return PDF_ATTACHMENT
    return None


def _name(node: DictionaryObject, key: str) -> str | None:
    value = dict.get(node, key)
    if isinstance(value, IndirectObject):
        value = value.get_object()
    return str(value) if isinstance(value, str) else None


def _check_image(upload) -> None:
    try:
        # Pillow only warns between its own limit and twice that: make it an error here.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise ValidationError(_("The image has too many pixels."), code="image_pixels")
                image.verify()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("The image has too many pixels."), code="image_pixels") from None
    except Exception:  # noqa: BLE001 - any failure to decode untrusted input means "damaged"
        raise ValidationError(
            _("The image file is damaged and cannot be read."), code="image_damaged"
        ) from None


# --- Certificate numbers ----------------------------------------------------------------

# PREFIX-YEAR-SEQUENCE: the prefix is capitals and digits starting with a capital (see the
# campaign form), the sequence six digits (more only past 999999).
CERTIFICATE_NUMBER = re.compile(r"[A-Z][A-Z0-9]{0,9}-[0-9]{4}-[0-9]{6,9}", re.ASCII)
CERTIFICATE_NUMBER_EXAMPLE = "CQ-2026-000001"
# Longer input is not a number; it is refused before any other work.
CERTIFICATE_NUMBER_INPUT_MAX = 64
# Dashes people type or paste instead of the hyphen-minus (NFKC leaves these alone).
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"), "-")


def normalise_certificate_number(raw: str | None) -> str | None:
    """The number in its canonical form (capitals, no spaces, ASCII hyphens), or None.

    Full-width characters (ＣＱ－２０２６…) become ASCII; anything that then does not look
    like a certificate number is None, so it never reaches the database.
    """
    if not raw or len(raw) > CERTIFICATE_NUMBER_INPUT_MAX:
        return None
    text = unicodedata.normalize("NFKC", raw).translate(_DASHES)
    text = "".join(text.split()).upper()
    return text if CERTIFICATE_NUMBER.fullmatch(text) else None
