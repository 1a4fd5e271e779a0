"""The Content-Security-Policy in a real browser: the pages with the most moving parts (the
SVG charts, the stamped page shown inline, the Django admin, allauth's e-mail and TOTP pages)
load without a single violation, and what the policy must allow (our stylesheet, the same-
origin frame, the TOTP QR code as a data: image) really loads."""

import pytest

from pledges.models import Certificate
from pledges.services import certificates
from pledges.services.pledges import pledge_approve

from .. import factories

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-Secret-123"


def watch_violations(page) -> list[str]:
    """Chromium reports every blocked script, style, frame or image on the console."""
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return violations


def test_busiest_pages_load_without_policy_violations(live_server, page_in, monkeypatch):
    monkeypatch.setattr(certificates, "render_pdf", lambda data: factories.pdf_bytes())
    campaign = factories.campaign()
    staff = factories.staff(
        "csp-admin@example.com", role="Administrators", is_staff=True, is_superuser=True
    )
    owner = factories.user("csp-owner@example.com")
    enterprise = factories.enterprise(owner, name="华东精工质量有限公司")
    pdf_pledge = factories.submitted_pledge(enterprise, campaign, owner, stamped_pdf=True)
    other_owner = factories.user("csp-other@example.com")
    other = factories.enterprise(other_owner, name="上海认证测试有限公司", province="31")
    png_pledge = factories.submitted_pledge(other, campaign, other_owner)
    pledge_approve(pledge=png_pledge, actor=staff)  # a bar in every chart
    certificates.certificate_issue(certificate_id=Certificate.objects.get(pledge=png_pledge).pk)

    page = page_in("zh-CN")
    violations = watch_violations(page)
    base = live_server.url

    page.goto(base + "/stats/")
    # The chart styles moved from an inline <style> to app.css: the bars are still red.
    bar_fill = page.locator(".bar-chart .bar").first.evaluate("bar => getComputedStyle(bar).fill")
    assert bar_fill == "rgb(179, 38, 30)"

    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", staff.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    # The console frames the PDF from our own origin: the frame really asks for it and gets it
    # (a refused frame would also be reported on the console).
    stamped_page = f"/review/pledges/{pdf_pledge.pk}/stamped-page/"
    with page.expect_response(lambda response: response.url.endswith(stamped_page)) as framed:
        page.goto(base + f"/review/pledges/{pdf_pledge.pk}/")
    assert framed.value.status == 200
    assert framed.value.header_value("content-type") == "application/pdf"
    assert framed.value.frame.parent_frame == page.main_frame
    page.goto(base + f"/review/pledges/{png_pledge.pk}/")
    assert page.locator("img.document").evaluate("img => img.naturalWidth") > 0

    for path in (
        "/admin/",
        "/admin/pledges/pledge/",
        f"/admin/pledges/pledge/{pdf_pledge.pk}/change/",
        "/admin/pledges/campaign/add/",
        "/accounts/email/",
    ):
        page.goto(base + path)
        page.wait_for_load_state("load")

    page.goto(base + "/accounts/2fa/totp/activate/")
    if "/reauthenticate/" in page.url:
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/2fa/totp/activate/")
    # allauth draws the QR code as a data: image, which img-src allows.
    qr_code = page.locator("main img").first
    assert qr_code.get_attribute("src").startswith("data:")
    assert qr_code.evaluate("img => img.naturalWidth") > 0

    assert violations == []
