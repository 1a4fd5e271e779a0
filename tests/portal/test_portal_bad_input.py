"""Every portal form facing bad input.

For each bad input the form must come back (HTTP 200, never a 500) with the message at the
field, what the user typed must still be in the form, and nothing may be stored: no
Enterprise, Membership, Pledge, Invitation or AuditEvent row created or changed and no file
added to (or changed in) the private storage.
"""

import hashlib
import io
import re
import struct
import zlib

import pytest
from django.core import mail
from django.utils.html import escape
from pypdf import PdfWriter

from accounts.models import Invitation, Membership
from pledges.models import AuditEvent, Enterprise, Pledge
from pledges.services.enterprises import enterprise_update
from pledges.services.members import invitation_accept, invitation_create
from pledges.services.pledges import pledge_create
from pledges.storage import private_storage
from tests import factories

# Pages in English, so messages read the same with or without the compiled catalogues: the
# client, and owner_client built on it.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_client")]

REGISTER_URL = "/portal/enterprise/new/"
EDIT_URL = "/portal/enterprise/edit/"
TEAM_URL = "/portal/team/"
MB = 1024 * 1024

# A valid code registered in Beijing (11), and the same code as a user might type it.
VALID_CODE = factories.credit_code("11", serial=4_242_001)
SHANGHAI_CODE = factories.credit_code("31", serial=4_242_002)


# --- Fixtures and helpers ---------------------------------------------------------------


@pytest.fixture
def newcomer_client(client, db):
    """A logged-in user who does not belong to any enterprise yet."""
    client.force_login(factories.user("newcomer@example.com"))
    return client


def stored_files() -> dict[str, str]:
    """Every file in the private storage, by name, with the SHA-256 of its content."""
    storage = private_storage()
    found = {}

    def walk(path):
        try:
            folders, files = storage.listdir(path)
        except FileNotFoundError:
            return
        for name in files:
            full = f"{path}/{name}" if path else name
            with storage.open(full, "rb") as handle:
                found[full] = hashlib.sha256(handle.read()).hexdigest()
        for folder in folders:
            walk(f"{path}/{folder}" if path else folder)

    walk("")
    return found


def snapshot() -> dict:
    """All rows a portal form can write, field by field, plus the stored files."""
    return {
        "enterprises": list(Enterprise.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "pledges": list(Pledge.objects.order_by("pk").values()),
        "invitations": list(Invitation.objects.order_by("pk").values()),
        "events": list(AuditEvent.objects.order_by("pk").values_list("pk", "action")),
        "files": stored_files(),
    }


def field_error_html(response, field: str) -> str:
    """The error list rendered next to ``field`` (Django gives it the id ``id_<field>_error``)."""
    html = response.content.decode()
    found = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
    assert found, f"no error list is rendered at the field {field!r}"
    return found.group(1)


def assert_field_error(response, field: str, code: str | None = None) -> list[str]:
    """The form is shown again with an error on ``field``, rendered at that field."""
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, f"no error on {field!r}; errors: {form.errors.as_data()}"
    if code is not None:
        assert form.has_error(field, code), f"{field!r} errors: {form.errors.as_data()[field]}"
    at_field = field_error_html(response, field)
    for message in form.errors[field]:
        assert escape(message) in at_field
    # The control itself is marked as invalid and points at its message.
    html = response.content.decode()
    assert re.search(rf'<[^>]*name="{field}"[^>]*aria-invalid="true"', html), field
    return list(form.errors[field])


def assert_kept(response, value: str) -> None:
    """What the user typed is in the form shown again (HTML-escaped, never raw)."""
    assert escape(value) in response.content.decode()


def assert_selected(response, field: str, value: str) -> None:
    html = response.content.decode()
    select = re.search(rf'<select name="{field}".*?</select>', html, re.S)
    assert select, field
    assert f'<option value="{value}" selected>' in select.group(0)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def register_data(**overrides) -> dict:
    """A complete, valid registration; ``None`` in overrides leaves a field out."""
    data = {
        "credit_code": VALID_CODE,
        "name": "北京质量测试有限公司",
        "name_en": "Beijing Quality Testing Co., Ltd.",
        "province": "11",
        "city": "北京市",
        "industry": "13",
        "legal_representative": "王芳",
        "address": "北京市海淀区中关村大街1号",
        "website": "https://example.com",
        "contact_name": "李雷",
        "contact_phone": "010-88886666",
        "contact_email": "contact@example.com",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def profile_data(enterprise, **overrides) -> dict:
    """The edit form filled in with what is stored, then changed by ``overrides``."""
    data = {
        "name": enterprise.name,
        "name_en": enterprise.name_en,
        "province": enterprise.province_id,
        "city": enterprise.city,
        "industry": enterprise.industry_id,
        "legal_representative": enterprise.legal_representative,
        "address": enterprise.address,
        "website": enterprise.website,
        "contact_name": enterprise.contact_name,
        "contact_phone": enterprise.contact_phone,
        "contact_email": enterprise.contact_email,
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def text_as_pdf():
    return factories.upload(b"This is not a PDF, only text.\n" * 20, "scan.pdf", "application/pdf")


def exe_as_png():
    return factories.upload(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 400, "scan.png", "image/png")


def damaged_pdf():
    return factories.upload(
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 8, "scan.pdf", "application/pdf"
    )


def damaged_png():
    return factories.upload(factories.png_bytes()[:40] + b"\x00garbage" * 50, "scan.png")


def _pdf_with_trailer(trailer: bytes) -> bytes:
    """A one-object PDF with a correct xref table and the given trailer."""
    head = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    return (
        head
        + b"xref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n"
        + trailer
        + b"\nstartxref\n"
        + str(len(head)).encode()
        + b"\n%%EOF\n"
    )


def pdf_with_broken_trailer():
    """A PDF whose trailer is a number instead of a dictionary (pypdf: AttributeError)."""
    return factories.upload(_pdf_with_trailer(b"3"), "scan.pdf", "application/pdf")


def certificate_encrypted_pdf():
    """A PDF protected with certificate security (Adobe.PubSec), which pypdf cannot open
    (pypdf: NotImplementedError)."""
    trailer = b"<< /Size 2 /Root 1 0 R /Encrypt << /Filter /Adobe.PubSec /V 4 >> >>"
    return factories.upload(_pdf_with_trailer(trailer), "scan.pdf", "application/pdf")


def pdf_without_pages():
    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    return factories.upload(buffer.getvalue(), "scan.pdf", "application/pdf")


def password_protected_pdf():
    """A real one-page PDF, locked with a password: reviewers could not open it."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return factories.upload(buffer.getvalue(), "scan.pdf", "application/pdf")


def png_of_70_megapixels():
    """Only the header of a 8000 x 8750 PNG: too many pixels to decode safely."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 8000, 8750, 8, 2, 0, 0, 0)
    content = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")
    return factories.upload(content, "scan.png")


def empty_file():
    return factories.upload(b"", "scan.png")


def padded_png(total_bytes: int):
    """A file that starts like a real PNG and is padded to ``total_bytes``."""
    head = factories.png_bytes()
    return factories.upload(head + b"\x00" * (total_bytes - len(head)), "scan.png")


BAD_UPLOADS = [
    pytest.param(text_as_pdf, "type", id="text-named-pdf"),
    pytest.param(exe_as_png, "type", id="exe-named-png"),
    pytest.param(damaged_pdf, "pdf_damaged", id="damaged-pdf"),
    pytest.param(damaged_png, "image_damaged", id="damaged-png"),
    pytest.param(empty_file, "empty", id="empty-file"),
    pytest.param(pdf_without_pages, "pdf_empty", id="pdf-without-pages"),
    pytest.param(png_of_70_megapixels, "image_pixels", id="png-70-megapixels"),
    # These two escaped the upload check of commit aff79de as exceptions (HTTP 500).
    pytest.param(pdf_with_broken_trailer, "pdf_damaged", id="pdf-with-broken-trailer"),
    pytest.param(certificate_encrypted_pdf, None, id="certificate-encrypted-pdf"),
    pytest.param(password_protected_pdf, None, id="password-protected-pdf"),
]

# --- Enterprise registration --------------------------------------------------------------


def test_register_control_valid_data_is_stored_with_the_user_as_owner(newcomer_client):
    """The valid baseline used below really registers, so each failure is due to one field."""
    response = newcomer_client.post(REGISTER_URL, register_data())
    assert response.status_code == 302
    enterprise = Enterprise.objects.get(credit_code=VALID_CODE)
    assert enterprise.memberships.get().role == Membership.Role.OWNER
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.ENTERPRISE_CREATED, enterprise=enterprise
    ).exists()


@pytest.mark.parametrize(
    ("code", "error_code"),
    [
        pytest.param(
            VALID_CODE[:-1] + ("1" if VALID_CODE[-1] != "1" else "2"),
            "checksum",
            id="wrong-check-character",
        ),
        pytest.param(VALID_CODE[:-1], "length", id="17-characters"),
        pytest.param(VALID_CODE + "1", "length", id="19-characters"),
        pytest.param("", "required", id="empty"),
        *[
            pytest.param(
                VALID_CODE[:10] + letter + VALID_CODE[11:], "format", id=f"letter-{letter}"
            )
            for letter in "IOZSV"
        ],
        pytest.param("A" + VALID_CODE[1:], "format", id="letter-in-first-eight"),
    ],
)
def test_register_invalid_credit_code_is_refused_at_the_field(newcomer_client, code, error_code):
    """A malformed credit code gives its specific message on credit_code; nothing is stored."""
    before = snapshot()
    response = newcomer_client.post(REGISTER_URL, register_data(credit_code=code))
    assert_field_error(response, "credit_code", error_code)
    if code:
        assert f'name="credit_code" value="{escape(code)}"' in response.content.decode()
    assert_kept(response, "北京质量测试有限公司")
    assert snapshot() == before


def test_register_code_from_another_region_is_refused_on_province(newcomer_client):
    """A valid Shanghai (31) code with province Beijing (11): the error is on province."""
    before = snapshot()
    response = newcomer_client.post(REGISTER_URL, register_data(credit_code=SHANGHAI_CODE))
    messages = assert_field_error(response, "province", "province_mismatch")
    assert "31" in messages[0]
    assert "credit_code" not in response.context["form"].errors
    assert_kept(response, SHANGHAI_CODE)
    assert_selected(response, "province", "11")
    assert snapshot() == before


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param(
            "  " + " ".join(VALID_CODE[i : i + 4] for i in range(0, 18, 4)).lower() + " ",
            id="lower-case-with-spaces",
        ),
        pytest.param(VALID_CODE[:8] + "-" + VALID_CODE[8:].lower(), id="with-dash"),
        pytest.param("９１" + VALID_CODE[2:], id="full-width-digits"),
    ],
)
def test_register_code_as_typed_is_stored_normalised(newcomer_client, typed):
    """'9111 0108 ma00 ...' (or with a dash, or full-width digits) is accepted and stored
    upper-case, without spaces or dashes, in ASCII."""
    assert typed != VALID_CODE
    response = newcomer_client.post(REGISTER_URL, register_data(credit_code=typed))
    assert response.status_code == 302
    enterprise = Enterprise.objects.get()
    assert enterprise.credit_code == VALID_CODE


def test_register_normalised_code_is_shown_again_when_another_field_fails(newcomer_client):
    """If the form comes back for another reason, the code is shown as it will be stored."""
    typed = VALID_CODE.lower()[:9] + " " + VALID_CODE.lower()[9:]
    response = newcomer_client.post(
        REGISTER_URL, register_data(credit_code=typed, contact_phone="call me")
    )
    assert_field_error(response, "contact_phone", "invalid")
    assert f'name="credit_code" value="{VALID_CODE}"' in response.content.decode()
    assert not Enterprise.objects.exists()


@pytest.mark.parametrize("variant", ["same", "lower-case-spaced"])
def test_register_code_already_registered_points_to_an_invitation(newcomer_client, variant):
    """A second registration of a code gives an error on credit_code about invitations."""
    existing = factories.enterprise(factories.user("first@example.com"))
    code = existing.credit_code
    typed = code if variant == "same" else code[:6].lower() + " " + code[6:].lower()
    before = snapshot()
    response = newcomer_client.post(REGISTER_URL, register_data(credit_code=typed))
    messages = assert_field_error(response, "credit_code", "exists")
    assert "invite" in messages[0].lower()
    assert Enterprise.objects.filter(credit_code=code).count() == 1
    assert not Membership.objects.filter(user__email="newcomer@example.com").exists()
    assert snapshot() == before


REQUIRED_FIELDS = [
    "credit_code",
    "name",
    "province",
    "city",
    "industry",
    "legal_representative",
    "address",
    "contact_name",
    "contact_phone",
    "contact_email",
]


OPTIONAL_FIELDS = ["name_en", "website"]


@pytest.mark.parametrize("blank", ["", "   "], ids=["empty", "spaces-only"])
def test_register_empty_form_marks_every_required_field_and_no_optional_one(newcomer_client, blank):
    """All fields sent empty (or only spaces, as a browser sends an untouched form): each
    required field gets its own 'required' message at the field; optional ones get none."""
    before = snapshot()
    data = dict.fromkeys(REQUIRED_FIELDS + OPTIONAL_FIELDS, blank)
    # A browser sends the selects' empty option, never spaces.
    data.update(province="", industry="")
    response = newcomer_client.post(REGISTER_URL, data)
    assert set(response.context["form"].errors) == set(REQUIRED_FIELDS)
    for field in REQUIRED_FIELDS:
        assert_field_error(response, field, "required")
    assert snapshot() == before


@pytest.mark.parametrize("field", ["name", "contact_phone", "industry"])
def test_register_one_missing_field_is_the_only_error(newcomer_client, field):
    """With everything else valid, one missing required field is the only error, and the
    rest of what was typed is kept."""
    before = snapshot()
    response = newcomer_client.post(REGISTER_URL, register_data(**{field: ""}))
    assert_field_error(response, field, "required")
    assert set(response.context["form"].errors) == {field}
    assert_kept(response, "北京市海淀区中关村大街1号")
    assert_kept(response, VALID_CODE)
    assert snapshot() == before


TOO_LONG = {
    "name": "企" * 101,
    "name_en": "A" * 201,
    "city": "城" * 51,
    "legal_representative": "王" * 51,
    "address": "路" * 201,
    "contact_name": "李" * 51,
    "contact_email": "a" * 250 + "@example.com",
    "website": "https://example.com/" + "a" * 200,
    "credit_code": "9" * 41,
}


def test_register_over_long_text_is_refused_and_kept(newcomer_client):
    """Text one character over each field's length (e.g. a 101-character name) gets a
    max_length error at that field and is shown again in full."""
    before = snapshot()
    response = newcomer_client.post(REGISTER_URL, register_data(**TOO_LONG))
    assert set(response.context["form"].errors) == set(TOO_LONG)
    for field, value in TOO_LONG.items():
        assert_field_error(response, field, "max_length")
        assert f'name="{field}" value="{escape(value)}"' in response.content.decode()
    assert snapshot() == before


MARKUP = ["<script>alert(1)</script>", "<b>x</b>", "李雷<img src=x onerror=alert(1)>", "<!-- x -->"]
PLAIN_TEXT_FIELDS = ["name", "name_en", "city", "legal_representative", "address", "contact_name"]


@pytest.mark.parametrize("payload", MARKUP)
def test_register_markup_in_text_is_refused_and_echoed_escaped(newcomer_client, payload):
    """HTML or script in any plain-text field is refused with the 'markup' message at that
    field, and is shown again only HTML-escaped (the page never contains the raw tag)."""
    before = snapshot()
    response = newcomer_client.post(
        REGISTER_URL, register_data(**dict.fromkeys(PLAIN_TEXT_FIELDS, payload))
    )
    assert set(response.context["form"].errors) == set(PLAIN_TEXT_FIELDS)
    for field in PLAIN_TEXT_FIELDS:
        messages = assert_field_error(response, field, "markup")
        assert "HTML" in messages[0]
    html = response.content.decode()
    assert html.count(f'value="{escape(payload)}"') == len(PLAIN_TEXT_FIELDS)
    assert payload not in html
    assert snapshot() == before


@pytest.mark.parametrize(
    "phone",
    ["call me", "12345", "010-8888-6666 ext. 5", "1" * 31],
)
def test_register_invalid_phone_is_refused_at_the_field(newcomer_client, phone):
    """A phone number that is not digits (+, spaces, dashes, brackets) is refused there."""
    before = snapshot()
    response = newcomer_client.post(REGISTER_URL, register_data(contact_phone=phone))
    assert_field_error(response, "contact_phone")
    assert_kept(response, phone)
    assert snapshot() == before


def test_register_phone_with_plus_brackets_and_dashes_is_accepted(newcomer_client):
    """Control for the phone rule: an international number with punctuation is fine."""
    response = newcomer_client.post(REGISTER_URL, register_data(contact_phone="+86 (10) 8888-6666"))
    assert response.status_code == 302
    assert Enterprise.objects.get().contact_phone == "+86 (10) 8888-6666"


@pytest.mark.parametrize(
    "website",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.com/",
    ],
)
def test_register_website_with_unsafe_scheme_is_refused(newcomer_client, website):
    """Only http(s) websites are accepted; javascript:, data: and ftp: are refused there."""
    before = snapshot()
    response = newcomer_client.post(REGISTER_URL, register_data(website=website))
    assert_field_error(response, "website")
    assert_kept(response, website)
    assert snapshot() == before


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "<b>x</b>@example.com", "x@@example.com"])
def test_register_invalid_contact_email_is_refused(newcomer_client, email):
    """A malformed contact e-mail is refused at contact_email."""
    before = snapshot()
    response = newcomer_client.post(REGISTER_URL, register_data(contact_email=email))
    assert_field_error(response, "contact_email", "invalid")
    assert_kept(response, email)
    assert snapshot() == before


@pytest.mark.parametrize(("make_upload", "error_code"), BAD_UPLOADS)
def test_register_bad_licence_upload_is_refused_and_not_stored(
    newcomer_client, make_upload, error_code
):
    """A licence whose content is not a readable PDF/JPEG/PNG (whatever its name) is refused
    at licence_scan; no file is kept in storage and the rest of the form is kept."""
    before = snapshot()
    response = newcomer_client.post(
        REGISTER_URL, register_data(licence_scan=make_upload(), city="北京市朝阳区")
    )
    assert_field_error(response, "licence_scan", error_code)
    assert_kept(response, "北京市朝阳区")
    assert_kept(response, VALID_CODE)
    assert snapshot() == before


def test_register_licence_over_10_mb_is_refused(newcomer_client):
    """A real upload just over 10 MB (a PNG header, then padding) gets the 'too_large' error."""
    before = snapshot()
    response = newcomer_client.post(
        REGISTER_URL, register_data(licence_scan=padded_png(10 * MB + 1))
    )
    messages = assert_field_error(response, "licence_scan", "too_large")
    assert "10.0" in messages[0]
    assert snapshot() == before


def test_register_licence_over_a_lowered_limit_is_refused(newcomer_client, settings):
    """The limit comes from settings.UPLOAD_MAX_BYTES and is checked on the real size."""
    settings.UPLOAD_MAX_BYTES = 1000
    before = snapshot()
    response = newcomer_client.post(REGISTER_URL, register_data(licence_scan=padded_png(1001)))
    assert_field_error(response, "licence_scan", "too_large")
    assert snapshot() == before


def test_register_good_licence_is_not_stored_when_another_field_fails(newcomer_client):
    """A valid licence sent with an invalid phone leaves no orphan file in storage."""
    before = snapshot()
    response = newcomer_client.post(
        REGISTER_URL,
        register_data(
            licence_scan=factories.upload(factories.pdf_bytes(), "licence.pdf"),
            contact_phone="nope",
        ),
    )
    assert_field_error(response, "contact_phone", "invalid")
    assert snapshot() == before


def test_register_good_licence_is_stored(newcomer_client):
    """Control for the upload cases: a real PDF licence is accepted and stored as a .pdf."""
    content = factories.pdf_bytes()
    response = newcomer_client.post(
        REGISTER_URL, register_data(licence_scan=factories.upload(content, "licence.PDF"))
    )
    assert response.status_code == 302
    enterprise = Enterprise.objects.get()
    assert enterprise.licence_scan.name.endswith(".pdf")
    with enterprise.licence_scan.open("rb") as handle:
        assert handle.read() == content


# Odd inputs that must never produce a server error, in any text field.
ODD_INPUTS = [
    pytest.param("x" * 10_000, id="10000-chars"),
    pytest.param("企业\x00名称", id="nul-byte"),
    pytest.param("\x00", id="only-nul"),
    pytest.param("质量 😀🏭✅ 诚信", id="emoji"),
    pytest.param("شركة الجودة \u202egnp.exe", id="rtl-and-override"),
    pytest.param("' OR 1=1 --", id="sql"),
    pytest.param("'; DROP TABLE pledges_enterprise; --", id="sql-drop"),
]
TEXT_FIELDS = [
    "credit_code",
    "name",
    "name_en",
    "city",
    "legal_representative",
    "address",
    "website",
    "contact_name",
    "contact_phone",
    "contact_email",
]


@pytest.mark.parametrize("value", ODD_INPUTS)
def test_register_odd_text_in_every_text_field_never_gives_a_server_error(client, value):
    """Property: an odd text in every text field is refused field by field (nothing stored)
    or, for each field that accepts it, is stored exactly as typed; never a 500.

    Fields are validated independently, so one post with the value everywhere shows which
    fields refuse it; a second post, otherwise valid, sends it to the fields that accept it
    and so all the way to the database."""
    user = factories.user()
    client.force_login(user)
    before = snapshot()
    response = client.post(REGISTER_URL, register_data(**dict.fromkeys(TEXT_FIELDS, value)))
    assert response.status_code == 200
    refused = set(response.context["form"].errors)
    for field in refused:
        assert_field_error(response, field)
    if "\x00" in value or len(value) > 1000:
        # NUL bytes and 10,000 characters are never valid text.
        assert refused == set(TEXT_FIELDS)
    if "\x00" not in value:
        assert_kept(response, value)
    assert snapshot() == before

    accepted = [field for field in TEXT_FIELDS if field not in refused]
    if not accepted:
        return
    response = client.post(REGISTER_URL, register_data(**dict.fromkeys(accepted, value)))
    assert response.status_code == 302, response.context["form"].errors.as_data()
    stored = Enterprise.objects.get(memberships__user=user)
    for field in accepted:
        assert getattr(stored, field) == value.strip(), field


@pytest.mark.parametrize("value", ODD_INPUTS)
def test_register_odd_value_in_a_choice_field_is_refused_at_the_field(newcomer_client, value):
    """Odd values sent for province and industry are refused at each field, not a 500."""
    before = snapshot()
    response = newcomer_client.post(REGISTER_URL, register_data(province=value, industry=value))
    code = "null_characters_not_allowed" if "\x00" in value else "invalid_choice"
    assert_field_error(response, "province", code)
    assert_field_error(response, "industry", code)
    assert snapshot() == before


# --- Enterprise profile edit --------------------------------------------------------------


@pytest.fixture
def stored_licence(owner, enterprise):
    """The enterprise's licence scan, stored through the service; returns its bytes."""
    content = factories.png_bytes(size=(70, 90))
    enterprise_update(
        enterprise=enterprise,
        actor=owner,
        profile={},
        licence=factories.upload(content, "licence.png"),
        licence_type="image/png",
    )
    return content


def enterprise_row(enterprise) -> dict:
    return Enterprise.objects.filter(pk=enterprise.pk).values().get()


def test_edit_control_valid_change_is_saved(owner_client, enterprise):
    """The baseline edit data is valid: a changed city is saved and audited."""
    response = owner_client.post(EDIT_URL, profile_data(enterprise, city="北京市海淀区"))
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.city == "北京市海淀区"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ENTERPRISE_UPDATED).count() == 1


EDIT_CASES = [
    pytest.param("name", "", "required", id="name-empty"),
    pytest.param("name", "企" * 101, "max_length", id="name-101"),
    pytest.param("name", "<script>alert(1)</script>", "markup", id="name-script"),
    pytest.param("address", "<b>x</b>", "markup", id="address-bold"),
    pytest.param("contact_name", "x\x00y", "null_characters_not_allowed", id="contact-nul"),
    pytest.param("contact_phone", "call me", "invalid", id="phone"),
    pytest.param("contact_email", "not-an-email", "invalid", id="email"),
    pytest.param("website", "javascript:alert(1)", None, id="website-javascript"),
    pytest.param("province", "31", "province_mismatch", id="province-not-of-the-code"),
    pytest.param("province", "99", "invalid_choice", id="province-unknown"),
    pytest.param("industry", "A", "invalid_choice", id="industry-section-not-division"),
]


@pytest.mark.parametrize(("field", "value", "error_code"), EDIT_CASES)
def test_edit_bad_input_is_refused_and_the_stored_profile_is_unchanged(
    owner_client, enterprise, stored_licence, field, value, error_code
):
    """A failed edit shows the error at the field, keeps the typed text and changes nothing
    stored (row, licence file, audit log), even though other fields were changed too."""
    before, row = snapshot(), enterprise_row(enterprise)
    data = profile_data(enterprise, city="上海市", **{field: value})
    response = owner_client.post(EDIT_URL, data)
    assert_field_error(response, field, error_code)
    if value and field not in ("province", "industry") and "\x00" not in value:
        assert_kept(response, value)
    if field != "city":
        assert_kept(response, "上海市")
    assert enterprise_row(enterprise) == row
    assert snapshot() == before


@pytest.mark.parametrize(("make_upload", "error_code"), BAD_UPLOADS)
def test_edit_bad_licence_upload_keeps_the_stored_licence(
    owner_client, enterprise, stored_licence, make_upload, error_code
):
    """A disguised or damaged replacement licence is refused; the stored scan is unchanged."""
    before, row = snapshot(), enterprise_row(enterprise)
    response = owner_client.post(
        EDIT_URL, profile_data(enterprise, name="新名称有限公司", licence_scan=make_upload())
    )
    assert_field_error(response, "licence_scan", error_code)
    assert_kept(response, "新名称有限公司")
    assert enterprise_row(enterprise) == row
    enterprise.refresh_from_db()
    with enterprise.licence_scan.open("rb") as handle:
        assert handle.read() == stored_licence
    assert snapshot() == before


def test_edit_oversized_licence_is_refused(owner_client, enterprise, stored_licence, settings):
    """A replacement licence over UPLOAD_MAX_BYTES is refused; nothing changes."""
    settings.UPLOAD_MAX_BYTES = 2000
    before = snapshot()
    response = owner_client.post(EDIT_URL, profile_data(enterprise, licence_scan=padded_png(2001)))
    assert_field_error(response, "licence_scan", "too_large")
    assert snapshot() == before


def test_edit_good_licence_is_not_stored_when_another_field_fails(
    owner_client, enterprise, stored_licence
):
    """A valid replacement licence sent with an invalid phone leaves no orphan file and
    the stored licence in place."""
    before, row = snapshot(), enterprise_row(enterprise)
    response = owner_client.post(
        EDIT_URL,
        profile_data(
            enterprise,
            contact_phone="not a phone",
            licence_scan=factories.upload(factories.pdf_bytes(), "new.pdf", "application/pdf"),
        ),
    )
    assert_field_error(response, "contact_phone", "invalid")
    assert_kept(response, "not a phone")
    assert enterprise_row(enterprise) == row
    assert snapshot() == before


def test_edit_form_has_no_credit_code_field(owner_client, enterprise):
    """The edit page shows the code as text, without an input for it."""
    response = owner_client.get(EDIT_URL)
    assert response.status_code == 200
    assert "credit_code" not in response.context["form"].fields
    html = response.content.decode()
    assert 'name="credit_code"' not in html
    assert enterprise.credit_code in html


def test_edit_cannot_change_the_credit_code(owner_client, enterprise):
    """A credit_code sent to the edit form is ignored: the rest is saved, the code is not."""
    code = enterprise.credit_code
    other = factories.credit_code("11")
    response = owner_client.post(
        EDIT_URL, profile_data(enterprise, credit_code=other, city="北京市西城区")
    )
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.city == "北京市西城区"
    assert enterprise.credit_code == code
    event = AuditEvent.objects.get(action=AuditEvent.Action.ENTERPRISE_UPDATED)
    assert "credit_code" not in event.details["changed"]


# --- Signing --------------------------------------------------------------------------------


def sign_url(campaign) -> str:
    return f"/portal/sign/{campaign.year}/"


def sign_data(**overrides) -> dict:
    data = {
        "signer_name": "张三丰",
        "signer_title": "总经理",
        "signer_authorised": "on",
        "stamped_page": factories.upload(factories.png_bytes(), "page.png"),
        "action": "submit",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def test_sign_control_complete_submission_is_submitted(owner_client, enterprise, campaign):
    """The baseline signing data is valid: it creates a submitted pledge with the page."""
    response = owner_client.post(sign_url(campaign), sign_data())
    pledge = Pledge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/pledges/{pledge.pk}/"
    assert pledge.state == Pledge.State.SUBMITTED
    assert pledge.stamped_page_type == "image/png"


@pytest.mark.parametrize(
    ("missing", "field"),
    [
        ({"signer_name": ""}, "signer_name"),
        ({"signer_name": "   "}, "signer_name"),
        ({"signer_title": ""}, "signer_title"),
        ({"signer_authorised": None}, "signer_authorised"),
        ({"stamped_page": None}, "stamped_page"),
    ],
    ids=["no-name", "blank-name", "no-title", "not-authorised", "no-file"],
)
def test_sign_submit_with_a_missing_part_is_refused_at_the_field(
    owner_client, enterprise, campaign, missing, field
):
    """Submitting without name, title, authority or file: error there, no pledge at all."""
    before = snapshot()
    response = owner_client.post(sign_url(campaign), sign_data(**missing))
    assert_field_error(response, field, "required")
    assert set(response.context["form"].errors) == {field}
    for name, typed in (("signer_name", "张三丰"), ("signer_title", "总经理")):
        if name != field:
            assert f'name="{name}" value="{typed}"' in response.content.decode()
    if field != "signer_authorised":
        assert re.search(r'name="signer_authorised"[^>]*checked', response.content.decode())
    assert snapshot() == before


def test_sign_submit_with_nothing_marks_every_part(owner_client, enterprise, campaign):
    """An empty submission marks all four parts and stores nothing."""
    before = snapshot()
    response = owner_client.post(
        sign_url(campaign), {"action": "submit", "signer_name": "", "signer_title": ""}
    )
    for field in ("signer_name", "signer_title", "signer_authorised", "stamped_page"):
        assert_field_error(response, field, "required")
    assert snapshot() == before


@pytest.mark.parametrize("action", ["submit", "save"])
@pytest.mark.parametrize(("make_upload", "error_code"), BAD_UPLOADS)
def test_sign_bad_stamped_page_is_refused(
    owner_client, enterprise, campaign, make_upload, error_code, action
):
    """A disguised or damaged stamped page is refused (for submit and for save); no pledge
    and no file are created and the typed signer is kept."""
    before = snapshot()
    response = owner_client.post(
        sign_url(campaign), sign_data(stamped_page=make_upload(), action=action)
    )
    assert_field_error(response, "stamped_page", error_code)
    assert 'value="张三丰"' in response.content.decode()
    assert snapshot() == before


def test_sign_oversized_stamped_page_is_refused(owner_client, enterprise, campaign, settings):
    """A stamped page over UPLOAD_MAX_BYTES is refused with the size in the message."""
    settings.UPLOAD_MAX_BYTES = 1500
    before = snapshot()
    response = owner_client.post(sign_url(campaign), sign_data(stamped_page=padded_png(1501)))
    assert_field_error(response, "stamped_page", "too_large")
    assert snapshot() == before


def test_sign_save_draft_with_partial_data_creates_a_draft(owner_client, enterprise, campaign):
    """'Save as draft' with only a name stores a draft with that name and nothing else."""
    response = owner_client.post(
        sign_url(campaign), {"action": "save", "signer_name": "张三丰", "signer_title": ""}
    )
    pledge = Pledge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/pledges/{pledge.pk}/"
    assert pledge.state == Pledge.State.DRAFT
    assert (pledge.signer_name, pledge.signer_title, pledge.signer_authorised) == (
        "张三丰",
        "",
        False,
    )
    assert not pledge.stamped_page
    assert pledge.submitted_at is None


def test_sign_bad_file_on_an_existing_draft_keeps_the_stored_page(
    owner, owner_client, enterprise, campaign
):
    """With a draft holding a good page, submitting a disguised file changes nothing: the
    draft stays a draft with the same page and the same bytes."""
    content = factories.jpeg_bytes()
    pledge = pledge_create(
        enterprise=enterprise,
        campaign=campaign,
        actor=owner,
        signer_name="王芳",
        signer_title="董事长",
        signer_authorised=True,
        stamped_page=factories.upload(content, "page.jpg", "image/jpeg"),
        stamped_page_type="image/jpeg",
    )
    before = snapshot()
    response = owner_client.post(
        sign_url(campaign), sign_data(stamped_page=exe_as_png(), signer_name="李四")
    )
    assert_field_error(response, "stamped_page", "type")
    assert 'value="李四"' in response.content.decode()
    assert snapshot() == before
    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.DRAFT
    with pledge.stamped_page.open("rb") as handle:
        assert handle.read() == content


def test_sign_outside_the_window_creates_nothing_and_says_so(owner_client, enterprise):
    """With the campaign closed, a complete submission creates no pledge and no file, and
    the user is told that signing is not open."""
    closed = factories.campaign(open_now=False)
    before = snapshot()
    response = owner_client.post(sign_url(closed), sign_data(), follow=True)
    assert response.redirect_chain[0][1] == 302
    assert any("not open" in message for message in messages_of(response))
    assert snapshot() == before


# --- Team invitations -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "error_code"),
    [
        ("not-an-email", "invalid"),
        ("a@b", "invalid"),
        ("colleague@@example.com", "invalid"),
        ("<script>@example.com", "invalid"),
        ("colleague@example.com\x00", "null_characters_not_allowed"),
        ("a" * 250 + "@example.com", "max_length"),
        ("", "required"),
    ],
)
def test_invite_invalid_address_is_refused_at_the_field(
    owner_client, enterprise, email, error_code, django_capture_on_commit_callbacks
):
    """An invalid address gets an error on email; no invitation, no event, no mail."""
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(TEAM_URL, {"email": email})
    assert_field_error(response, "email", error_code)
    if email and "\x00" not in email:
        assert_kept(response, email)
    assert snapshot() == before
    assert mail.outbox == []


def test_invite_an_existing_member_is_refused(
    owner, owner_client, enterprise, django_capture_on_commit_callbacks
):
    """Inviting someone already in the team (own address, or a member's in another case)
    gives an error at the field and no invitation."""
    member = factories.user("member@example.com")
    invitation_accept(
        invitation=invitation_create(enterprise=enterprise, actor=owner, email=member.email),
        actor=member,
    )
    before = snapshot()
    for address in ("owner@example.com", "Member@Example.COM"):
        with django_capture_on_commit_callbacks(execute=True):
            response = owner_client.post(TEAM_URL, {"email": address})
        messages = assert_field_error(response, "email")
        assert "already a member" in messages[0]
        assert_kept(response, address)
    assert snapshot() == before
    assert mail.outbox == []


def test_invite_a_member_of_another_enterprise_is_refused(owner_client, enterprise):
    """An address whose account belongs to another enterprise cannot be invited."""
    factories.enterprise(factories.user("elsewhere@example.com"), province="31")
    before = snapshot()
    response = owner_client.post(TEAM_URL, {"email": "elsewhere@example.com"})
    messages = assert_field_error(response, "email")
    assert "another enterprise" in messages[0]
    assert snapshot() == before


def test_invite_twice_is_refused_the_second_time(
    owner_client, enterprise, django_capture_on_commit_callbacks
):
    """The second invitation of an address (in any case) is refused at the field; one
    invitation, one audit event and one mail exist."""
    with django_capture_on_commit_callbacks(execute=True):
        first = owner_client.post(TEAM_URL, {"email": "colleague@example.com"})
    assert first.status_code == 302
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        second = owner_client.post(TEAM_URL, {"email": "Colleague@Example.com"})
    messages = assert_field_error(second, "email")
    assert "already been invited" in messages[0]
    assert_kept(second, "Colleague@Example.com")
    assert snapshot() == before
    assert Invitation.objects.get().email == "colleague@example.com"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MEMBER_INVITED).count() == 1
    assert [message.to for message in mail.outbox] == [["colleague@example.com"]]
