"""Uploads that attack: PDFs that act, files that lie, bombs, polyglots, giant requests.

Everything goes through the real portal forms (the stamped page of the signing form, the
licence of the profile) and ends like the cases of tests/portal/test_portal_bad_input.py: the
message at the field, what was typed kept, nothing stored. The hostile PDFs are built
here with pypdf, the way an attacker would build them.
"""

import io
import os
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript, PageTrigger
from pypdf.annotations import Link
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from pledges import validators
from pledges.models import Pledge
from tests import factories
from tests.portal.test_portal_bad_input import assert_field_error, sign_data, sign_url, snapshot

pytestmark = pytest.mark.django_db

ALERT = "app.alert('pwned')"


# --- Hostile PDFs --------------------------------------------------------------------------


def _name(value: str) -> NameObject:
    return NameObject(value)


def _page_writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def _bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _js_action(script: str = ALERT) -> DictionaryObject:
    return DictionaryObject(
        {_name("/S"): _name("/JavaScript"), _name("/JS"): TextStringObject(script)}
    )


def _annotation(writer: PdfWriter, **entries) -> None:
    """Put an annotation with ``entries`` (e.g. A=action) on the first page."""
    annotation = DictionaryObject(
        {
            _name("/Type"): _name("/Annot"),
            _name("/Subtype"): _name("/Link"),
            _name("/Rect"): ArrayObject(
                [FloatObject(0), FloatObject(0), FloatObject(100), FloatObject(100)]
            ),
        }
    )
    for key, value in entries.items():
        annotation[_name(f"/{key}")] = value
    writer.add_annotation(page_number=0, annotation=annotation)


def pdf_document_javascript() -> bytes:
    """JavaScript in the document's names tree, run when the file opens."""
    writer = _page_writer()
    writer.add_open_action(JavaScript(ALERT))
    return _bytes(writer)


def pdf_open_action_javascript() -> bytes:
    writer = _page_writer()
    writer._root_object[_name("/OpenAction")] = writer._add_object(_js_action())
    return _bytes(writer)


def pdf_open_action_next_chain() -> bytes:
    """A harmless go-to whose /Next (two steps on) runs a script."""
    writer = _page_writer()
    script = writer._add_object(_js_action())
    middle = DictionaryObject(
        {
            _name("/S"): _name("/GoTo"),
            _name("/D"): ArrayObject([NumberObject(0), _name("/Fit")]),
            _name("/Next"): ArrayObject([script]),
        }
    )
    first = DictionaryObject(
        {
            _name("/S"): _name("/GoTo"),
            _name("/D"): ArrayObject([NumberObject(0), _name("/Fit")]),
            _name("/Next"): writer._add_object(middle),
        }
    )
    writer._root_object[_name("/OpenAction")] = writer._add_object(first)
    return _bytes(writer)


def pdf_catalogue_additional_action() -> bytes:
    """The document's /AA: a script before it closes (WC)."""
    writer = _page_writer()
    writer._root_object[_name("/AA")] = DictionaryObject({_name("/WC"): _js_action()})
    return _bytes(writer)


def pdf_page_open_javascript() -> bytes:
    writer = _page_writer()
    writer.pages[0].add_action(PageTrigger.OPEN, JavaScript(ALERT))
    return _bytes(writer)


def pdf_annotation_launch() -> bytes:
    """A link whose action starts a program on the reader's machine."""
    writer = _page_writer()
    launch = DictionaryObject(
        {
            _name("/S"): _name("/Launch"),
            _name("/F"): TextStringObject("C:\\Windows\\System32\\cmd.exe"),
            _name("/Win"): DictionaryObject(
                {_name("/F"): TextStringObject("cmd.exe"), _name("/P"): TextStringObject("/c calc")}
            ),
        }
    )
    _annotation(writer, A=writer._add_object(launch))
    return _bytes(writer)


def pdf_annotation_mouse_over_script() -> bytes:
    """A script on an annotation's mouse-enter trigger (/AA /E)."""
    writer = _page_writer()
    _annotation(writer, AA=DictionaryObject({_name("/E"): _js_action()}))
    return _bytes(writer)


def pdf_outline_script() -> bytes:
    """A bookmark whose action is a script."""
    writer = _page_writer()
    item = writer._add_object(
        DictionaryObject({_name("/Title"): TextStringObject("Page 1"), _name("/A"): _js_action()})
    )
    outlines = DictionaryObject(
        {
            _name("/Type"): _name("/Outlines"),
            _name("/First"): item,
            _name("/Last"): item,
            _name("/Count"): NumberObject(1),
        }
    )
    writer._root_object[_name("/Outlines")] = writer._add_object(outlines)
    return _bytes(writer)


def pdf_xfa_form() -> bytes:
    """An XFA form, whose XML can carry scripts."""
    writer = _page_writer()
    writer._root_object[_name("/AcroForm")] = DictionaryObject(
        {_name("/Fields"): ArrayObject(), _name("/XFA"): TextStringObject("<xdp:xdp/>")}
    )
    return _bytes(writer)


def pdf_embedded_file() -> bytes:
    writer = _page_writer()
    writer.add_attachment("invoice.exe", b"MZ\x90\x00" + b"\x00" * 200)
    return _bytes(writer)


def pdf_file_attachment_annotation() -> bytes:
    """A paper-clip annotation carrying a file, outside the names tree."""
    writer = _page_writer()
    stream = writer._add_object(DictionaryObject({_name("/Type"): _name("/EmbeddedFile")}))
    spec = DictionaryObject(
        {
            _name("/Type"): _name("/Filespec"),
            _name("/F"): TextStringObject("x.exe"),
            _name("/EF"): DictionaryObject({_name("/F"): stream}),
        }
    )
    _annotation(writer, Subtype=_name("/FileAttachment"), FS=spec)
    return _bytes(writer)


ACTIVE_PDFS = [
    pytest.param(pdf_document_javascript, "pdf_script", id="document-javascript"),
    pytest.param(pdf_open_action_javascript, "pdf_script", id="open-action-javascript"),
    pytest.param(pdf_open_action_next_chain, "pdf_script", id="javascript-in-next-chain"),
    pytest.param(pdf_catalogue_additional_action, "pdf_script", id="document-aa"),
    pytest.param(pdf_page_open_javascript, "pdf_script", id="page-aa"),
    pytest.param(pdf_annotation_launch, "pdf_script", id="annotation-launch"),
    pytest.param(pdf_annotation_mouse_over_script, "pdf_script", id="annotation-aa"),
    pytest.param(pdf_outline_script, "pdf_script", id="bookmark-javascript"),
    pytest.param(pdf_xfa_form, "pdf_script", id="xfa-form"),
    pytest.param(pdf_embedded_file, "pdf_attachment", id="embedded-file"),
    pytest.param(pdf_file_attachment_annotation, "pdf_attachment", id="file-attachment-annotation"),
]


def pdf_upload(content: bytes, name: str = "page.pdf"):
    return factories.upload(content, name, "application/pdf")


@pytest.mark.parametrize(("make_pdf", "error_code"), ACTIVE_PDFS)
def test_sign_refuses_a_pdf_that_acts(owner_client, enterprise, campaign, make_pdf, error_code):
    """Scripts, program launches and embedded files anywhere in the PDF are refused at the
    field with their own message; the typed signer stays and nothing is stored."""
    content = make_pdf()
    assert len(PdfReader(io.BytesIO(content)).pages) == 1  # a real, readable PDF
    before = snapshot()
    response = owner_client.post(
        sign_url(campaign), sign_data(stamped_page=pdf_upload(content), signer_name="李四")
    )
    messages = assert_field_error(response, "stamped_page", error_code)
    # The default language: the translated message.
    expected = "脚本" if error_code == "pdf_script" else "嵌入的文件"
    assert expected in messages[0]
    assert 'value="李四"' in response.content.decode()
    assert snapshot() == before


def test_profile_refuses_a_licence_pdf_that_acts(owner_client, enterprise):
    """The licence scan is checked the same way."""
    before = snapshot()
    response = owner_client.post(
        "/portal/enterprise/edit/",
        {
            "name": enterprise.name,
            "province": "11",
            "city": "北京市",
            "industry": "13",
            "legal_representative": "王芳",
            "address": "北京市海淀区中关村大街1号",
            "contact_name": "李雷",
            "contact_phone": "010-88886666",
            "contact_email": "contact@example.com",
            "licence_scan": pdf_upload(pdf_annotation_launch(), "licence.pdf"),
        },
    )
    assert_field_error(response, "licence_scan", "pdf_script")
    assert snapshot() == before


def pdf_with_harmless_actions() -> bytes:
    """What real scans carry: a web link, a go-to bookmark, an open-at-page-one action."""
    writer = _page_writer()
    writer.add_annotation(
        page_number=0, annotation=Link(rect=(0, 0, 100, 100), url="https://example.com/")
    )
    writer.add_outline_item(title="Page 1", page_number=0)
    writer._root_object[_name("/OpenAction")] = ArrayObject(
        [writer.pages[0].indirect_reference, _name("/Fit")]
    )
    return _bytes(writer)


def pdf_with_action_loop() -> bytes:
    """A go-to action whose /Next is itself: the walk must end (and find nothing)."""
    writer = _page_writer()
    action = DictionaryObject(
        {_name("/S"): _name("/GoTo"), _name("/D"): ArrayObject([NumberObject(0), _name("/Fit")])}
    )
    reference = writer._add_object(action)
    action[_name("/Next")] = reference
    writer._root_object[_name("/OpenAction")] = reference
    return _bytes(writer)


@pytest.mark.parametrize("make_pdf", [pdf_with_harmless_actions, pdf_with_action_loop])
def test_sign_accepts_a_pdf_with_harmless_actions(owner_client, enterprise, campaign, make_pdf):
    """Control: links, bookmarks, an open action to page one and even a loop of go-to
    actions are not active content; the page is stored as a PDF."""
    response = owner_client.post(sign_url(campaign), sign_data(stamped_page=pdf_upload(make_pdf())))
    assert response.status_code == 302, response.context["form"].errors.as_data()
    pledge = Pledge.objects.get()
    assert pledge.stamped_page_type == "application/pdf"
    assert pledge.stamped_page.name.endswith(".pdf")


def _pdf_with_catalogue(catalogue: bytes, *extra: bytes) -> bytes:
    """A hand-made PDF: a catalogue (object 1), its page tree and one page, plus ``extra``
    objects (numbered from 4), with a correct cross-reference table."""
    objects = [
        catalogue,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        *extra,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "error_code"),
    [
        # The script's action is an indirect name, and /Next points at a missing object.
        pytest.param(
            _pdf_with_catalogue(
                b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
                b"<< /S 5 0 R /Next 99 0 R >>",
                b"/JavaScript",
            ),
            "pdf_script",
            id="indirect-action-type",
        ),
        # A script at the bottom of nested arrays: found, however deep the walk goes...
        pytest.param(
            _pdf_with_catalogue(
                b"<< /Type /Catalog /Pages 2 0 R /Deep 4 0 R >>",
                b"[" * 300 + b"<< /JS (x) >>" + b"]" * 300,
            ),
            "pdf_script",
            id="nested-arrays",
        ),
        # ... and nested deeper than pypdf parses (RecursionError): damaged.
        pytest.param(
            _pdf_with_catalogue(
                b"<< /Type /Catalog /Pages 2 0 R /Deep 4 0 R >>",
                b"[" * 5000 + b"<< /JS (x) >>" + b"]" * 5000,
            ),
            "pdf_damaged",
            id="nested-too-deep",
        ),
        # A names dictionary that is a number; an /AA that is a string.
        pytest.param(
            _pdf_with_catalogue(b"<< /Type /Catalog /Pages 2 0 R /Names 7 /AA (x) >>"),
            "accepted",
            id="odd-types",
        ),
    ],
)
def test_malformed_structure_is_refused_or_accepted_never_an_error(
    owner_client, enterprise, campaign, content, error_code
):
    """The walk survives malformed objects: each file gets an answer, never a 500."""
    response = owner_client.post(sign_url(campaign), sign_data(stamped_page=pdf_upload(content)))
    if error_code == "accepted":
        assert response.status_code == 302
    else:
        assert_field_error(response, "stamped_page", error_code)


def test_a_pdf_with_too_many_objects_is_refused_as_damaged(
    owner_client, enterprise, campaign, monkeypatch
):
    """The walk is bounded: past MAX_PDF_OBJECTS the file is refused, not walked for ever."""
    writer = _page_writer()
    writer._root_object[_name("/Many")] = ArrayObject(
        [writer._add_object(DictionaryObject()) for _ in range(50)]
    )
    content = _bytes(writer)
    monkeypatch.setattr(validators, "MAX_PDF_OBJECTS", 40)
    response = owner_client.post(sign_url(campaign), sign_data(stamped_page=pdf_upload(content)))
    assert_field_error(response, "stamped_page", "pdf_damaged")
    monkeypatch.undo()
    response = owner_client.post(sign_url(campaign), sign_data(stamped_page=pdf_upload(content)))
    assert response.status_code == 302


# --- Files that lie about their type -------------------------------------------------------


def html_named_pdf():
    """An HTML page with a PDF header a little way in (PDF readers look in the first 1 KB)."""
    content = b"<html><script>alert(document.cookie)</script>\n" + factories.pdf_bytes()
    return factories.upload(content, "scan.pdf", "application/pdf")


def exe_named_pdf():
    return factories.upload(
        b"MZ\x90\x00\x03" + b"\x00" * 59 + b"PE\x00\x00" + b"\x00" * 400,
        "scan.pdf",
        "application/pdf",
    )


def svg_named_png():
    content = (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
    )
    return factories.upload(content, "scan.png", "image/png")


def png_signature_then_html():
    return factories.upload(
        b"\x89PNG\r\n\x1a\n" + b"<html><script>alert(1)</script></html>" * 20, "scan.png"
    )


def png_header_then_garbage():
    """A real PNG's signature and IHDR chunk, then random bytes instead of image data."""
    return factories.upload(factories.png_bytes()[:33] + os.urandom(2000), "scan.png")


def jpeg_signature_then_zip():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("run.exe", b"MZ" + b"\x00" * 100)
    return factories.upload(b"\xff\xd8\xff\xe0" + archive.getvalue(), "scan.jpg", "image/jpeg")


def pdf_header_then_garbage():
    return factories.upload(b"%PDF-1.7\n" + os.urandom(3000), "scan.pdf", "application/pdf")


LYING_FILES = [
    pytest.param(html_named_pdf, "type", id="html-named-pdf"),
    pytest.param(exe_named_pdf, "type", id="exe-named-pdf"),
    pytest.param(svg_named_png, "type", id="svg-named-png"),
    pytest.param(png_signature_then_html, "image_damaged", id="png-signature-then-html"),
    pytest.param(png_header_then_garbage, "image_damaged", id="png-header-then-garbage"),
    pytest.param(jpeg_signature_then_zip, "image_damaged", id="jpeg-signature-then-zip"),
    pytest.param(pdf_header_then_garbage, "pdf_damaged", id="pdf-header-then-garbage"),
]


@pytest.mark.parametrize(("make_upload", "error_code"), LYING_FILES)
def test_sign_refuses_files_that_lie_about_their_type(
    owner_client, enterprise, campaign, make_upload, error_code
):
    before = snapshot()
    response = owner_client.post(sign_url(campaign), sign_data(stamped_page=make_upload()))
    assert_field_error(response, "stamped_page", error_code)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("content", "real_type", "suffix"),
    [
        pytest.param(
            factories.png_bytes() + b"<html><script>alert(document.cookie)</script></html>",
            "image/png",
            ".png",
            id="png-then-html",
        ),
        pytest.param(
            factories.pdf_bytes() + b"\n<html><script>alert(document.cookie)</script></html>",
            "application/pdf",
            ".pdf",
            id="pdf-then-html",
        ),
    ],
)
def test_a_polyglot_is_stored_and_served_as_its_checked_type_only(
    owner_client, enterprise, campaign, content, real_type, suffix
):
    """A valid image or PDF with HTML after its end is what its first part says it is: it
    is stored under that type's suffix whatever the name and declared type, and served as
    that type, with nosniff and a policy that runs nothing, never as HTML."""
    upload = factories.upload(content, "page.html", "text/html")
    response = owner_client.post(sign_url(campaign), sign_data(stamped_page=upload))
    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert pledge.stamped_page_type == real_type
    assert pledge.stamped_page.name.endswith(suffix)
    served = owner_client.get(f"/portal/pledges/{pledge.pk}/stamped-page/")
    assert served["Content-Type"] == real_type
    assert served["X-Content-Type-Options"] == "nosniff"
    policy = served["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script" not in policy
    assert served["Content-Disposition"].endswith(f'{suffix}"')
    assert b"".join(served.streaming_content) == content


# --- Decompression bombs -------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def bomb_png(width: int, height: int) -> bytes:
    """A complete 1-bit PNG of ``width`` x ``height`` white pixels: every row compressed
    with the rest, so a file of a few kilobytes stands for megabytes once decoded."""
    row = b"\x00" + b"\xff" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


def bomb_jpeg(width: int, height: int) -> bytes:
    """A real small JPEG whose frame header (SOF0) claims ``width`` x ``height``."""
    content = bytearray(factories.jpeg_bytes())
    sof = content.index(b"\xff\xc0")
    content[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(content)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        # 81 megapixels: over our limit, under Pillow's own.
        pytest.param(bomb_png(9_000, 9_000), "bomb.png", id="png-81-megapixels"),
        # 120 megapixels: where Pillow only warns.
        pytest.param(bomb_png(12_000, 10_000), "bomb.png", id="png-120-megapixels"),
        # 400 megapixels: where Pillow itself refuses.
        pytest.param(bomb_png(20_000, 20_000), "bomb.png", id="png-400-megapixels"),
        pytest.param(bomb_jpeg(30_000, 30_000), "bomb.jpg", id="jpeg-900-megapixels"),
        pytest.param(bomb_jpeg(9_000, 9_000), "bomb.jpg", id="jpeg-81-megapixels"),
    ],
)
def test_sign_refuses_decompression_bombs_before_decoding(
    owner_client, enterprise, campaign, content, name, monkeypatch
):
    """A tiny file standing for a huge image is refused by its pixel count, from the header,
    without decoding the pixels."""
    assert len(content) < 200_000
    data = sign_data(stamped_page=factories.upload(content, name))
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda image: decoded.append(image.size))
    before = snapshot()
    response = owner_client.post(sign_url(campaign), data)
    assert_field_error(response, "stamped_page", "image_pixels")
    assert decoded == []
    assert snapshot() == before


def test_an_image_just_under_the_pixel_limit_is_accepted(owner_client, enterprise, campaign):
    """Control: the same kind of file within MAX_IMAGE_PIXELS (a 7,500 x 8,000 scan at
    600 dpi is realistic) passes."""
    assert validators.MAX_IMAGE_PIXELS >= 7_500 * 8_000
    content = bomb_png(7_500, 8_000)
    response = owner_client.post(
        sign_url(campaign), sign_data(stamped_page=factories.upload(content))
    )
    assert response.status_code == 302
    assert Pledge.objects.get().stamped_page_type == "image/png"


# --- Sizes and giant requests -------------------------------------------------------------


def test_a_file_exactly_at_the_limit_is_accepted_one_byte_more_is_not(
    owner_client, enterprise, campaign, settings
):
    """The limit is on the bytes received, inclusive."""
    head = factories.png_bytes()
    settings.UPLOAD_MAX_BYTES = 5000
    over = factories.upload(head + b"\x00" * (5001 - len(head)))
    response = owner_client.post(sign_url(campaign), sign_data(stamped_page=over))
    assert_field_error(response, "stamped_page", "too_large")
    exact = factories.upload(head + b"\x00" * (5000 - len(head)))
    response = owner_client.post(sign_url(campaign), sign_data(stamped_page=exact))
    assert response.status_code == 302
    assert Pledge.objects.get().stamped_page.size == 5000


def test_a_large_upload_is_spooled_to_disk_and_measured_there(
    owner_client, enterprise, campaign, settings, monkeypatch
):
    """Uploads over FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file, never wholly into
    memory, and the size checked is the size of what arrived on disk."""
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE < settings.UPLOAD_MAX_BYTES
    seen = []
    real_inspect = validators.inspect_upload

    def spy(upload):
        seen.append((type(upload), upload.size, os.path.getsize(upload.temporary_file_path())))
        return real_inspect(upload)

    monkeypatch.setattr("pledges.fields.inspect_upload", spy)
    size = settings.FILE_UPLOAD_MAX_MEMORY_SIZE + 1
    head = factories.png_bytes()
    response = owner_client.post(
        sign_url(campaign),
        sign_data(stamped_page=factories.upload(head + b"\x00" * (size - len(head)))),
    )
    assert response.status_code == 302
    assert seen == [(TemporaryUploadedFile, size, size)]


def test_a_giant_form_body_is_refused_with_400(owner_client, enterprise, campaign, settings):
    """Form fields beyond DATA_UPLOAD_MAX_MEMORY_SIZE (or too many fields, or files) are
    refused with 400 before they are held in memory; nothing is stored."""
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE is not None
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS is not None
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES is not None
    before = snapshot()
    big = sign_data(signer_title="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    assert owner_client.post(sign_url(campaign), big).status_code == 400
    many_fields = {f"f{index}": "x" for index in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    assert owner_client.post(sign_url(campaign), sign_data(**many_fields)).status_code == 400
    many_files = [
        factories.upload(b"x", f"{index}.png")
        for index in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
    ]
    assert (
        owner_client.post(sign_url(campaign), sign_data(stamped_page=many_files)).status_code == 400
    )
    assert snapshot() == before
