"""Script, HTML, template and spreadsheet-formula text, from forms and from elsewhere.

Forms refuse HTML in every plain-text field with a message at the field and keep what was
typed (escaped). Text that arrives another way (the admin, an import, an older release) is
stored here directly through the services, and every place that prints it is read back:
public list and page, JSON, CSV exports, portal, review console, verification page,
e-mails and the certificate PDF. It must come out as the same text, never as markup,
never rendered as a template, and never as a spreadsheet formula.
"""

import csv
import io
import json
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils.html import escape

from pledges.models import Campaign, Certificate, Pledge, ReviewNote
from pledges.services import pledges as services
from pledges.services.review import note_add, pledge_claim
from tests import factories
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db

# One distinct hostile value per field, so each is traced to where it is printed.
HOSTILE = {
    "name": '=HYPERLINK("http://evil.example","点我")<script>alert("name")</script>企业',
    "name_en": '"><img src=x onerror=alert("name_en")>',
    "city": "{{ 7*7 }}{% now 'Y' %}<b>市</b>",
    "legal_representative": "<svg onload=alert('rep')>",
    "address": "</textarea><script>alert('address')</script>",
    "contact_name": "<iframe src=javascript:alert('contact')>",
    "contact_phone": "@SUM(1+1)*cmd|' /C calc'!A0",
    "contact_email": '"<script>alert(1)</script>"@example.com',
    "website": "javascript:alert('website')//",
}
SIGNER_NAME = "<script>alert('signer')</script>"
SIGNER_TITLE = "-2+3+cmd|' /C calc'!A0<b>"
CAMPAIGN_TITLE = "<script>alert('title')</script>{{ 7*7 }}"
PLEDGE_TEXT = "<h1>承诺</h1><script>alert('text')</script>{% debug %}"
CHANGES_REASON = "<a href=javascript:alert('changes')>点击</a>"
REVOKE_REASON = '=HYPERLINK("http://evil.example")<script>alert("revoke")</script>'
NOTE = "<script>alert('note')</script>"
REVIEWER_NAME = "<img src=x onerror=alert('reviewer')>"

PLAIN_TEXT_FIELDS = ["name", "name_en", "city", "legal_representative", "address", "contact_name"]
MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<a href='x'>link</a>",
    "</title><svg onload=alert(1)>",
    "javascript:alert(1)",
]


def assert_escaped(html: str, value: str) -> None:
    """``value`` is printed as text: escaped, and nowhere in its raw (markup) form."""
    assert escape(value) in html, value
    if escape(value) != value:
        assert value not in html, value


def english() -> Client:
    return Client(headers={"accept-language": "en"})


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# --- Forms refuse markup -------------------------------------------------------------------


def field_errors(response, field: str) -> str:
    found = re.search(
        rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', response.content.decode(), re.S
    )
    assert found, f"no error list at {field}"
    return found.group(1)


@pytest.mark.parametrize("payload", MARKUP)
def test_enterprise_edit_refuses_markup_in_every_text_field(owner, enterprise, payload):
    client = english()
    client.force_login(owner)
    before = list(type(enterprise).objects.filter(pk=enterprise.pk).values())
    data = {
        "province": "11",
        "industry": "13",
        "website": "",
        "contact_phone": "010-88886666",
        "contact_email": "contact@example.com",
        **dict.fromkeys(PLAIN_TEXT_FIELDS, payload),
    }
    response = client.post("/portal/enterprise/edit/", data)
    assert response.status_code == 200
    form = response.context["form"]
    for field in PLAIN_TEXT_FIELDS:
        assert form.has_error(field, "markup"), field
        assert "HTML" in field_errors(response, field)
    html = response.content.decode()
    assert html.count(f'value="{escape(payload)}"') == len(PLAIN_TEXT_FIELDS)
    if escape(payload) != payload:
        assert payload not in html
    assert list(type(enterprise).objects.filter(pk=enterprise.pk).values()) == before


@pytest.mark.parametrize("payload", MARKUP)
def test_signing_refuses_markup_in_the_signer_fields(owner_client, enterprise, campaign, payload):
    response = owner_client.post(
        f"/portal/sign/{campaign.year}/",
        {
            "signer_name": payload,
            "signer_title": payload,
            "signer_authorised": "on",
            "stamped_page": factories.upload(factories.png_bytes()),
            "action": "submit",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("signer_name", "markup")
    assert form.has_error("signer_title", "markup")
    field_errors(response, "signer_name")
    html = response.content.decode()
    assert f'name="signer_name" value="{escape(payload)}"' in html
    assert not Pledge.objects.exists()


@pytest.mark.parametrize("decision", ["request_changes", "reject", "revoke"])
def test_decisions_refuse_markup_in_the_reason(
    reviewer_client, reviewer, submitted_pledge, decision
):
    if decision == "revoke":
        services.pledge_approve(pledge=submitted_pledge, actor=reviewer)
    state = Pledge.objects.get(pk=submitted_pledge.pk).state
    payload = '"><script>alert(1)</script>'
    response = reviewer_client.post(
        f"/review/pledges/{submitted_pledge.pk}/{decision}/",
        {"standard_reason": "other", "reason": payload},
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("reason", "markup")
    field_errors(response, "reason")
    html = response.content.decode()
    assert f"{escape(payload)}</textarea>" in html
    assert payload not in html
    assert Pledge.objects.get(pk=submitted_pledge.pk).state == state


def test_internal_notes_refuse_markup(reviewer_client, submitted_pledge):
    payload = "<script>alert('note')</script>"
    response = reviewer_client.post(
        f"/review/pledges/{submitted_pledge.pk}/notes/", {"text": payload}
    )
    assert response.status_code == 200
    assert response.context["note_form"].has_error("text", "markup")
    field_errors(response, "text")
    assert f"{escape(payload)}</textarea>" in response.content.decode()
    assert not ReviewNote.objects.exists()


def test_campaign_forms_refuse_markup_in_title_and_text(administrator, campaign):
    client = english()
    client.force_login(administrator)
    response = client.post(
        "/review/campaigns/new/",
        {
            "year": "2031",
            "title": "<b>2031</b>",
            "pledge_text": "我们承诺<script>alert(1)</script>",
            "opens_at": "2031-09-01T00:00",
            "closes_at": "2031-09-30T00:00",
            "number_prefix": "CQ",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("title", "markup") and form.has_error("pledge_text", "markup")
    html = response.content.decode()
    assert escape("我们承诺<script>alert(1)</script>") in html
    assert "<script>alert(1)</script>" not in html
    assert not Campaign.objects.filter(year=2031).exists()


# --- Stored hostile text is printed as text ------------------------------------------------


@pytest.fixture
def hostile(db, django_capture_on_commit_callbacks, settings):
    """A campaign, two enterprises and their pledges with hostile text everywhere.

    The first pledge is claimed and noted by a reviewer with a hostile name, approved (its
    certificate rendered and mailed), then revoked with a hostile public reason; the second
    is sent back for changes with a hostile reason. Every mail is captured.
    """
    settings.SITE_URL = "https://pledge.example.org"
    campaign = factories.campaign(text=PLEDGE_TEXT)
    Campaign.objects.filter(pk=campaign.pk).update(title=CAMPAIGN_TITLE)
    campaign.refresh_from_db()
    reviewer = factories.staff("hostile-reviewer@example.com", full_name=REVIEWER_NAME)
    owner = factories.user("hostile-owner@example.com")
    enterprise = factories.enterprise(owner, **HOSTILE)
    other_owner = factories.user("other-owner@example.com")
    other = factories.enterprise(other_owner, **{**HOSTILE, "name": "<b>其他</b>企业"})

    def sign(who, by):
        return services.pledge_submit(
            pledge=services.pledge_create(
                enterprise=who,
                campaign=campaign,
                actor=by,
                signer_name=SIGNER_NAME,
                signer_title=SIGNER_TITLE,
                signer_authorised=True,
                stamped_page=factories.upload(factories.png_bytes()),
                stamped_page_type="image/png",
            ),
            actor=by,
        )

    pledge = sign(enterprise, owner)
    pledge_claim(pledge=pledge, actor=reviewer)
    note_add(pledge=pledge, actor=reviewer, text=NOTE)
    with django_capture_on_commit_callbacks(execute=True):
        pledge = services.pledge_approve(pledge=pledge, actor=reviewer)
    certificate = Certificate.objects.get(pledge=pledge)
    assert certificate.state == Certificate.State.READY, certificate.error
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_revoke(pledge=pledge, actor=reviewer, reason=REVOKE_REASON)
        changes = services.pledge_request_changes(
            pledge=sign(other, other_owner), actor=reviewer, reason=CHANGES_REASON
        )
    return {
        "campaign": campaign,
        "reviewer": reviewer,
        "owner": owner,
        "enterprise": enterprise,
        "pledge": pledge,
        "certificate": certificate,
        "other_owner": other_owner,
        "changes": changes,
    }


def test_public_list_and_page_print_hostile_text_as_text(client, hostile):
    pledge = hostile["pledge"]
    listing = client.get("/pledges/").content.decode()
    assert_escaped(listing, HOSTILE["name"])
    assert_escaped(listing, REVOKE_REASON)
    page = client.get(f"/pledges/{pledge.pk}/").content.decode()
    for value in (HOSTILE["name"], HOSTILE["name_en"], CAMPAIGN_TITLE, PLEDGE_TEXT, REVOKE_REASON):
        assert_escaped(page, value)
    # In the <title> and the description <meta> too, and never rendered as a template.
    assert f"<title>{escape(HOSTILE['name'])}" in page
    assert f'content="{escape(HOSTILE["name"])}' in page
    assert "{{ 7*7 }}" in page and "{% debug %}" in page
    # Private fields are not on the public page at all, escaped or not.
    for private in ("contact_name", "contact_phone", "contact_email", "address"):
        assert escape(HOSTILE[private]) not in page


def test_verification_page_prints_hostile_text_as_text(client, hostile):
    page = client.get(f"/verify/{hostile['certificate'].number}/").content.decode()
    for value in (HOSTILE["name"], CAMPAIGN_TITLE, REVOKE_REASON):
        assert_escaped(page, value)


def test_api_returns_hostile_text_unchanged_as_json(client, hostile, monkeypatch):
    response = client.get("/api/pledges/")
    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    [item] = json.loads(response.content)["results"]
    assert item["enterprise_name"] == HOSTILE["name"]
    assert item["enterprise_name_en"] == HOSTILE["name_en"]
    assert item["revocation_reason"] == REVOKE_REASON


def test_public_csv_neutralises_formulas_and_keeps_the_text(client, hostile):
    rows = csv_rows(client.get("/pledges/export.csv"))
    [row] = rows[1:]
    assert row[1] == "'" + HOSTILE["name"]
    assert row[8] == "'" + REVOKE_REASON
    for cell in row:
        assert not cell.startswith(("=", "+", "-", "@", "\r")), cell


def test_review_exports_neutralise_formulas(client, hostile):
    client.force_login(hostile["reviewer"])
    rows = csv_rows(client.get("/review/exports/pledges.csv"))
    names = sorted(row[1] for row in rows[1:])
    assert names == sorted(["'" + HOSTILE["name"], "<b>其他</b>企业"])
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\r")), cell
    decisions = csv_rows(client.get("/review/exports/decisions.csv"))
    assert decisions[1][1] == "hostile-reviewer@example.com"


def test_portal_prints_hostile_text_as_text(client, hostile):
    client.force_login(hostile["owner"])
    pledge = hostile["pledge"]
    dashboard = client.get("/portal/").content.decode()
    assert_escaped(dashboard, HOSTILE["name"])
    assert_escaped(dashboard, CAMPAIGN_TITLE)
    profile = client.get("/portal/enterprise/").content.decode()
    for value in HOSTILE.values():
        assert_escaped(profile, value)
    # A website that is not http(s) is shown, never made a link.
    assert 'href="javascript:' not in profile
    edit = client.get("/portal/enterprise/edit/").content.decode()
    for field in PLAIN_TEXT_FIELDS:
        assert f'name="{field}" value="{escape(HOSTILE[field])}"' in edit
    detail = client.get(f"/portal/pledges/{pledge.pk}/").content.decode()
    for value in (SIGNER_NAME, SIGNER_TITLE, PLEDGE_TEXT, REVOKE_REASON, CAMPAIGN_TITLE):
        assert_escaped(detail, value)
    # The enterprise never sees who reviewed it, nor the internal note.
    assert escape(REVIEWER_NAME) not in detail and escape(NOTE) not in detail


def test_portal_shows_the_reviewer_reason_as_text(client, hostile):
    client.force_login(hostile["other_owner"])
    for url in ("/portal/", f"/portal/pledges/{hostile['changes'].pk}/"):
        assert_escaped(client.get(url).content.decode(), CHANGES_REASON)


def test_review_console_prints_hostile_text_as_text(client, hostile):
    reviewer, pledge = hostile["reviewer"], hostile["pledge"]
    client.force_login(reviewer)
    queue = client.get("/review/", {"state": "all"}).content.decode()
    assert_escaped(queue, HOSTILE["name"])
    detail = client.get(f"/review/pledges/{pledge.pk}/").content.decode()
    for value in (
        *HOSTILE.values(),
        SIGNER_NAME,
        SIGNER_TITLE,
        CAMPAIGN_TITLE,
        PLEDGE_TEXT,
        REVOKE_REASON,
        NOTE,
        REVIEWER_NAME,
    ):
        assert_escaped(detail, value)
    changes = client.get(f"/review/pledges/{hostile['changes'].pk}/").content.decode()
    assert_escaped(changes, CHANGES_REASON)
    decide = client.get(f"/review/pledges/{hostile['changes'].pk}/reject/").content.decode()
    assert_escaped(decide, "<b>其他</b>企业")
    # The bulk confirmation lists the selected pledges by name.
    Pledge.objects.filter(pk=hostile["changes"].pk).update(state=Pledge.State.SUBMITTED)
    bulk = client.post("/review/bulk-approve/", {"pledge": [hostile["changes"].pk]})
    assert_escaped(bulk.content.decode(), "<b>其他</b>企业")


def test_campaign_pages_print_hostile_text_as_text(client, hostile):
    client.force_login(factories.staff("admin@example.com", role="Administrators"))
    listing = client.get("/review/campaigns/").content.decode()
    assert_escaped(listing, CAMPAIGN_TITLE)
    edit = client.get(f"/review/campaigns/{hostile['campaign'].year}/edit/").content.decode()
    assert f'value="{escape(CAMPAIGN_TITLE)}"' in edit
    assert_escaped(edit, PLEDGE_TEXT)


def test_mails_are_plain_text_with_the_text_as_typed(hostile):
    """Mails have no HTML part; their plain text holds the values exactly (not escaped,
    which in a text mail would show as &lt;…), and headers stay one line."""
    number = hostile["certificate"].number
    [certificate_mail] = [m for m in mail.outbox if number in m.subject]
    assert HOSTILE["name"] in certificate_mail.body and CAMPAIGN_TITLE in certificate_mail.body
    for message in mail.outbox:
        assert getattr(message, "alternatives", []) == []
        assert message.content_subtype == "plain"
        assert "\n" not in message.subject and "&lt;" not in message.body
    approved = [m for m in mail.outbox if m.to == ["hostile-owner@example.com"]]
    assert len(approved) == 3  # approval, certificate, revocation
    assert all(HOSTILE["name"] in m.body and CAMPAIGN_TITLE in m.body for m in approved)
    revoked = [m for m in mail.outbox if REVOKE_REASON in m.body]
    assert [m.to for m in revoked] == [["hostile-owner@example.com"]]
    changes = [m for m in mail.outbox if CHANGES_REASON in m.body]
    assert [m.to for m in changes] == [["other-owner@example.com"]]
    # Nothing was rendered as a template: the title keeps its braces in the subject.
    decision_subjects = [m.subject for m in mail.outbox if m is not certificate_mail]
    assert all(s.startswith(CAMPAIGN_TITLE) for s in decision_subjects), decision_subjects


def test_certificate_pdf_prints_hostile_text_literally(hostile):
    """The PDF was rendered (an <img src=x> that had been interpreted would have been
    fetched and refused, failing the render) and reads back the literal text."""
    certificate = hostile["certificate"]
    certificate.refresh_from_db()
    with certificate.file.open("rb") as handle:
        text = "".join(pdf_text(handle.read()).split())
    for value in (HOSTILE["name"], CAMPAIGN_TITLE):
        assert "".join(value.split()) in text, value


def test_a_name_with_a_line_break_does_not_break_the_mail_headers(
    owner, enterprise, django_capture_on_commit_callbacks
):
    """A name stored with a line break (an import, the admin) still lets invitations go out
    with a one-line subject instead of failing the mail task."""
    type(enterprise).objects.filter(pk=enterprise.pk).update(name="质量\r\n诚信\n有限公司")
    client = english()
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/portal/team/", {"email": "colleague@example.com"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert "\n" not in message.subject and "\r" not in message.subject
    assert "质量 诚信 有限公司" in message.subject


def test_an_http_website_is_a_link_with_its_address_escaped(owner, enterprise):
    """Control for the javascript: website above: http(s) addresses are still links."""
    website = 'https://example.com/?a=1&b="><script>alert(1)</script>'
    type(enterprise).objects.filter(pk=enterprise.pk).update(website=website)
    client = english()
    client.force_login(owner)
    profile = client.get("/portal/enterprise/").content.decode()
    assert f'<a href="{escape(website)}" rel="nofollow noopener">{escape(website)}</a>' in profile
    assert website not in profile
