"""Public certificate verification: valid, revoked, unknown; nothing private; rate limited."""

import hashlib
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from pledges.models import Certificate
from pledges.public.verify import VERIFY_RATE
from pledges.services import pledges as services
from pledges.services.certificates import certificate_fail, certificate_start_attempt
from pledges.services.publication import listing_certificate_issued
from pledges.services.review import note_add
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_rate_limit_window")]

LIMIT = int(VERIFY_RATE.split("/")[0])
SHANGHAI = ZoneInfo("Asia/Shanghai")
REASON = "经查该企业存在严重质量违法行为"


def verify_url(number):
    return reverse("public:verify", args=[number])


def main(response) -> str:
    """The page's own content (the header's language switcher repeats the request's path)."""
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def english(client=None):
    client = client or Client()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_a_valid_certificate_shows_what_it_prints_and_its_hash(client, certificate, enterprise):
    response = client.get(verify_url(certificate.number))
    assert response.status_code == 200
    assert response.context["verification"].outcome == "valid"
    page = response.content.decode()
    assert certificate.number in page
    assert enterprise.name in page
    assert enterprise.credit_code in page
    assert certificate.campaign.title in page
    assert str(certificate.campaign.year) in page
    assert certificate.sha256 in page and len(certificate.sha256) == 64
    file_bytes = certificate.file.open("rb").read()
    assert hashlib.sha256(file_bytes).hexdigest() == certificate.sha256
    assert '<meta name="robots" content="noindex">' in page
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-store" in response["Cache-Control"]


def test_the_page_speaks_english_and_chinese(certificate):
    assert "Valid" in english().get(verify_url(certificate.number)).content.decode()
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(verify_url(certificate.number))
    assert "有效" in chinese.content.decode()
    assert "证书编号" in chinese.content.decode()


def test_the_issue_date_is_the_date_in_shanghai(client, certificate):
    # 17:30 UTC on 1 January is already 2 January in Beijing.
    Certificate.objects.filter(pk=certificate.pk).update(
        issued_at=datetime(2026, 1, 1, 17, 30, tzinfo=UTC)
    )
    # What the worker publishes when it marks the certificate ready.
    listing_certificate_issued(certificate=Certificate.objects.get(pk=certificate.pk))
    page = client.get(verify_url(certificate.number)).content.decode()
    assert "2026-01-02" in page
    assert "2026-01-01" not in page


def test_a_revoked_certificate_says_so_at_once_with_the_public_reason(certificate, reviewer):
    client = english()
    assert client.get(verify_url(certificate.number)).status_code == 200  # seen valid first
    services.pledge_revoke(pledge=certificate.pledge, actor=reviewer, reason=REASON)

    response = client.get(verify_url(certificate.number))
    assert response.status_code == 200
    verification = response.context["verification"]
    assert verification.outcome == "revoked"
    page = response.content.decode()
    assert "Revoked" in page
    assert REASON in page
    revoked_on = certificate.pledge.events.get(action="pledge_revoked").created_at
    assert verification.revocation.revoked_on == revoked_on.astimezone(SHANGHAI).date()
    assert verification.revocation.revoked_on.isoformat() in page
    assert certificate.number in page and certificate.sha256 in page
    assert "state-approved" not in page


def test_a_revoked_certificate_in_chinese(certificate, reviewer):
    services.pledge_revoke(pledge=certificate.pledge, actor=reviewer, reason=REASON)
    page = Client().get(verify_url(certificate.number)).content.decode()
    assert "已撤销" in page and REASON in page


@pytest.mark.parametrize("number", ["CQ-2099-000001", "ZZ-2026-123456"])
def test_an_unknown_number_is_a_404_with_the_same_design(number, certificate):
    response = english().get(verify_url(number))
    assert response.status_code == 404
    assert response.context["verification"].outcome == "unknown"
    assert "verify_result.html" in [t.name.rsplit("/", 1)[-1] for t in response.templates]
    page = response.content.decode()
    assert "Unknown" in page and number in page
    assert '<meta name="robots" content="noindex">' in page


def test_a_certificate_not_ready_yet_is_unknown(owner, enterprise, campaign, reviewer):
    # Approved, but the worker has not run: numbered (say, mid-rendering) yet not ready.
    pledge = factories.submitted_pledge(enterprise, campaign, owner)
    services.pledge_approve(pledge=pledge, actor=reviewer)  # on_commit never runs here
    certificate = Certificate.objects.get(pledge=pledge)
    certificate_start_attempt(certificate=certificate)
    assert certificate.number and certificate.state == Certificate.State.PENDING
    response = Client().get(verify_url(certificate.number))
    assert response.status_code == 404
    assert response.context["verification"].outcome == "unknown"
    assert enterprise.name not in response.content.decode()

    certificate_fail(certificate_id=certificate.pk, error="boom")
    assert Client().get(verify_url(certificate.number)).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/verify/%3Cscript%3Ealert(1)%3Bx%3D%22%3E/",
        "/verify/%00/",
        "/verify/CQ-2026-00%00001/",
        "/verify/" + "A" * 5000 + "/",
        "/verify/This%20certificate%20is%20valid/",
        "/verify/%E8%AF%81%E4%B9%A6/",
        "/verify/%ff%fe/",
    ],
)
def test_bad_numbers_in_the_url_are_unknown_and_never_echoed(path):
    response = Client().get(path)
    assert response.status_code == 404
    page = main(response)
    assert "<script>alert" not in page
    assert "This certificate is valid" not in page
    assert "A" * 100 not in page


def test_no_private_data_on_the_verification_page(
    certificate, enterprise, reviewer, administrator, owner
):
    pledge = certificate.pledge
    note_add(pledge=pledge, actor=reviewer, text="内部备注：请勿外传")
    enterprise.licence_scan.save("l.png", factories.upload(factories.png_bytes()), save=True)
    for revoked in (False, True):
        if revoked:
            services.pledge_revoke(pledge=pledge, actor=administrator, reason=REASON)
        for client in (Client(), english()):
            page = client.get(verify_url(certificate.number)).content.decode()
            for private in (
                enterprise.contact_email,
                enterprise.contact_phone,
                enterprise.contact_name,
                enterprise.address,
                enterprise.legal_representative,  # also the signer's name
                pledge.signer_title,
                reviewer.email,
                reviewer.get_full_name(),
                administrator.email,
                owner.email,
                "内部备注",
                "licences/",
                "stamped-pages/",
                "certificates/",  # the stored file's name
                reverse("portal:certificate", args=[pledge.pk]),
                reverse("review:pledge", args=[pledge.pk]),
            ):
                assert private not in page, private


@pytest.mark.parametrize(
    "typed",
    [
        "cq-2026-000001",
        "  CQ-2026-000001  ",
        "cq - 2026 - 000001",
        "ＣＱ－２０２６－０００００１",  # full width, as a Chinese input method types it
        "CQ—2026—000001",
        "CQ-2026-000001\u3000",
    ],
)
def test_the_form_normalises_the_number_and_redirects(typed):
    response = Client().get(reverse("public:verify_form"), {"number": typed})
    assert response.status_code == 302
    assert response["Location"] == verify_url("CQ-2026-000001")


def test_a_number_in_another_case_in_the_url_redirects_to_the_canonical_one(certificate):
    response = Client().get(verify_url(certificate.number.lower()))
    assert response.status_code == 302
    assert response["Location"] == verify_url(certificate.number)


def test_the_form_page_answers_without_a_number():
    response = english().get(reverse("public:verify_form"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Certificate number" in page and 'name="number"' in page
    assert '<meta name="robots" content="noindex">' in page


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "This field is required."),
        ("hello", "This is not a certificate number."),
        ("CQ-26-1", "This is not a certificate number."),
        ("<script>", "This is not a certificate number."),
        ("CQ-2026-000001\x00", "Null characters are not allowed."),
        ("x" * 500, "at most 64 characters"),
    ],
)
def test_bad_input_in_the_form_is_shown_at_the_field(typed, error):
    response = english().get(reverse("public:verify_form"), {"number": typed})
    assert response.status_code == 200
    assert response.context["form"].errors["number"]
    page = response.content.decode()
    assert "field has-error" in page
    assert error in page
    assert "<script>" not in main(response)


def test_the_form_accepts_get_only():
    assert (
        Client().post(reverse("public:verify_form"), {"number": "CQ-2026-000001"}).status_code
        == 405
    )
    assert Client().post(verify_url("CQ-2026-000001")).status_code == 405


def test_the_result_page_is_rate_limited_per_address(certificate):
    client = english()
    for _ in range(LIMIT):
        assert client.get(verify_url(certificate.number)).status_code == 200
    response = client.get(verify_url(certificate.number))
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert response["Retry-After"] == "60"
    assert certificate.number not in main(response)
    # Another address still has its own budget.
    assert Client(REMOTE_ADDR="192.0.2.44").get(verify_url(certificate.number)).status_code == 200


def test_the_429_page_is_translated():
    client = Client()
    for _ in range(LIMIT):
        client.get(verify_url("CQ-2026-000001"))
    response = client.get(verify_url("CQ-2026-000001"))
    assert response.status_code == 429
    assert "请求过于频繁" in response.content.decode()


def test_the_form_is_rate_limited_too():
    client = Client()
    for _ in range(LIMIT):
        assert client.get(reverse("public:verify_form")).status_code == 200
    assert client.get(reverse("public:verify_form")).status_code == 429
    assert (
        client.get(reverse("public:verify_form"), {"number": "CQ-2026-000001"}).status_code == 429
    )


def test_a_spoofed_forwarded_for_header_gives_no_fresh_budget():
    client = Client(REMOTE_ADDR="203.0.113.5")
    for _ in range(LIMIT):
        assert client.get(verify_url("CQ-2026-000001")).status_code == 404
    for index in range(5):
        spoofed = f"198.51.100.{index}"
        response = client.get(
            verify_url("CQ-2026-000001"),
            HTTP_X_FORWARDED_FOR=spoofed,
            HTTP_X_REAL_IP=spoofed,
            HTTP_FORWARDED=f"for={spoofed}",
        )
        assert response.status_code == 429
