"""Approve in the console; the certificate arrives from a real worker, its QR code opens the
verification page (valid); the public list finds the enterprise by a two-character search;
after revocation the verification page says revoked. In Chinese and in English."""

import re

import pytest
from django.core.files.storage import FileSystemStorage

from pledges.models import Certificate

from .. import factories
from ..pdf import pdf_qr_codes
from ..worker import celery_worker, wait_for

# A browser test (tests/e2e/), and it starts a Celery worker too.
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-Secret-123"

JOURNEYS = [
    ("zh-CN", {"valid": "有效", "revoked": "已撤销", "passed": "通过", "failed": "未通过"}),
    ("en-US", {"valid": "valid", "revoked": "revoked", "passed": "Passed", "failed": "Failed"}),
]


def checks(page) -> dict[str, str]:
    rows = page.locator("table.checks tbody tr")
    return {
        rows.nth(i).get_attribute("data-check"): rows.nth(i).get_attribute("data-outcome")
        for i in range(rows.count())
    }


def upload(page, base_url, name: str, content: bytes) -> dict[str, str]:
    """Check a file through the verify page's upload form, as a visitor would."""
    page.goto(base_url + "/verify/")
    page.set_input_files(
        "input[name=file]", files=[{"name": name, "mimeType": "application/pdf", "buffer": content}]
    )
    page.locator("form[action='/verify/file/'] button[type=submit]").click()
    page.wait_for_url("**/verify/file/")
    return checks(page)


def tampered(pdf: bytes) -> bytes:
    changed = bytearray(pdf)
    changed[len(changed) // 2] ^= 0x01
    return bytes(changed)


def log_in(page, base_url, email):
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.fixture
def shared_files(settings, tmp_path):
    """The live server reads the files the worker process writes."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    return FileSystemStorage(location=str(tmp_path / "private"))


@pytest.mark.parametrize(("locale", "words"), JOURNEYS)
def test_certificate_arrives_verifies_and_is_revoked(
    live_server, page_in, screenshot, tmp_path, shared_files, settings, locale, words
):
    settings.SITE_URL = live_server.url
    tag = f"certificate-{locale[:2]}"
    campaign = factories.campaign()
    owner = factories.user(f"owner-{tag}@example.com")
    enterprise = factories.enterprise(owner, name="江南质量仪表有限公司")
    pledge = factories.submitted_pledge(enterprise, campaign, owner)
    factories.staff(f"{tag}@example.com", full_name="审核员丙")

    with celery_worker(tmp_path, env={"SITE_URL": live_server.url}):
        reviewer = page_in(locale)
        log_in(reviewer, live_server.url, f"{tag}@example.com")
        reviewer.goto(live_server.url + f"/review/pledges/{pledge.pk}/approve/")
        reviewer.locator("main form button[type=submit]").click()
        reviewer.wait_for_url(f"**/review/pledges/{pledge.pk}/")
        wait_for(
            lambda: Certificate.objects.filter(pledge=pledge, state="ready").exists(),
            timeout=90,
            what=lambda: (tmp_path / "worker.log").read_text(),
        )

    member = page_in(locale)
    log_in(member, live_server.url, owner.email)
    member.goto(live_server.url + f"/portal/pledges/{pledge.pk}/")
    link = member.locator(f"a[href='/portal/pledges/{pledge.pk}/certificate.pdf']")
    assert link.count() == 1
    screenshot(member, f"{tag}-01-portal")
    pdf = member.request.get(live_server.url + f"/portal/pledges/{pledge.pk}/certificate.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    [scanned] = pdf_qr_codes(pdf.body())
    number = Certificate.objects.get(pledge=pledge).number
    # The QR code opens the verify page; its signed payload rides after the "#".
    assert scanned.startswith(f"{live_server.url}/verify/{number}/#ey")

    public = page_in(locale)
    public.goto(scanned)
    assert words["valid"] in public.locator("main").inner_text().lower()
    assert checks(public) == {
        "signature": "passed",
        "issuer": "passed",
        "integrity": "not_checked",
        "status": "passed",
        "validity": "passed",
    }
    assert words["passed"] in public.locator("table.checks").inner_text()
    screenshot(public, f"{tag}-02-verify-valid")
    assert set(upload(public, live_server.url, "certificate.pdf", pdf.body()).values()) == {
        "passed"
    }
    screenshot(public, f"{tag}-02b-verify-file-valid")
    forged = upload(public, live_server.url, "certificate.pdf", tampered(pdf.body()))
    assert forged["integrity"] == "failed" and forged["signature"] == "failed"
    assert words["failed"] in public.locator("table.checks").inner_text()
    screenshot(public, f"{tag}-02c-verify-file-tampered")
    public.goto(live_server.url + "/pledges/?q=质量")
    assert "江南质量仪表有限公司" in public.locator("main").inner_text()
    screenshot(public, f"{tag}-03-public-list")

    reviewer.goto(live_server.url + f"/review/pledges/{pledge.pk}/revoke/")
    reviewer.fill("textarea[name=reason]", "产品抽检不合格")
    reviewer.locator("main form button[type=submit]").click()
    reviewer.wait_for_url(f"**/review/pledges/{pledge.pk}/")

    public.goto(scanned)
    text = public.locator("main").inner_text()
    assert words["revoked"] in text.lower() and "产品抽检不合格" in text
    assert checks(public)["status"] == "failed"
    screenshot(public, f"{tag}-04-verify-revoked")
    revoked = upload(public, live_server.url, "certificate.pdf", pdf.body())
    assert revoked["status"] == "failed" and revoked["integrity"] == "passed"
    screenshot(public, f"{tag}-04b-verify-file-revoked")
    member.goto(live_server.url + f"/portal/pledges/{pledge.pk}/")
    assert member.locator(f"a[href='/portal/pledges/{pledge.pk}/certificate.pdf']").count() == 0
    assert re.search("产品抽检不合格", member.locator("main").inner_text())
