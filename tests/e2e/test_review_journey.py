"""A reviewer's day in a real browser, in Chinese and in English: find a pledge, claim it,
look at its stamped page, request changes; the enterprise sees the reason, fixes and
resubmits; the reviewer approves; the timeline shows every step with who and when."""

import re

import pytest

from pledges.models import Pledge

from .. import factories

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-Secret-123"

JOURNEYS = [
    ("zh-CN", {"approved": "已通过", "changes": "需修改"}),
    ("en-US", {"approved": "Approved", "changes": "Changes requested"}),
]


def log_in(page, base_url, email):
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize(("locale", "words"), JOURNEYS)
def test_reviewer_requests_changes_then_approves(
    live_server, page_in, screenshot, tmp_path, locale, words
):
    tag = f"review-{locale[:2]}"
    campaign = factories.campaign()
    owner = factories.user(f"owner-{tag}@example.com", full_name="企业联系人")
    enterprise = factories.enterprise(owner, name="华东精工质量有限公司")
    pledge = factories.submitted_pledge(enterprise, campaign, owner)
    factories.staff(f"{tag}@example.com", full_name="审核员乙")

    reviewer = page_in(locale)
    log_in(reviewer, live_server.url, f"{tag}@example.com")
    reviewer.goto(live_server.url + "/review/")
    reviewer.fill("input[name=q]", "精工")
    reviewer.locator("form[role=search] button[type=submit]").click()
    reviewer.click("text=华东精工质量有限公司")
    reviewer.wait_for_url(f"**/review/pledges/{pledge.pk}/")
    reviewer.locator(f"form[action='/review/pledges/{pledge.pk}/claim/'] button").click()
    reviewer.wait_for_url(f"**/review/pledges/{pledge.pk}/")
    assert "审核员乙" in reviewer.locator(".claim").inner_text()
    # The stamped page is shown inline and really loads.
    assert reviewer.locator("img.document").evaluate("img => img.naturalWidth") > 0
    screenshot(reviewer, f"{tag}-01-pledge")

    reviewer.click(f"a[href='/review/pledges/{pledge.pk}/request_changes/']")
    reviewer.select_option("select[name=standard_reason]", "seal_missing")
    reviewer.fill("textarea[name=reason]", "第2页缺少公章")
    reviewer.locator("main form button[type=submit]").click()
    reviewer.wait_for_url(f"**/review/pledges/{pledge.pk}/")
    assert words["changes"] in reviewer.locator(".lead .state").inner_text()

    enterprise_page = page_in(locale)
    log_in(enterprise_page, live_server.url, owner.email)
    enterprise_page.goto(live_server.url + "/portal/")
    assert "第2页缺少公章" in enterprise_page.locator(".reason").inner_text()
    enterprise_page.click(f"a[href='/portal/sign/{campaign.year}/']")
    fixed = tmp_path / "fixed.pdf"
    fixed.write_bytes(factories.pdf_bytes())
    enterprise_page.set_input_files("input[name=stamped_page]", str(fixed))
    enterprise_page.click("button[name=action][value=submit]")
    enterprise_page.wait_for_url(re.compile(r".*/portal/pledges/\d+/$"))
    screenshot(enterprise_page, f"{tag}-02-resubmitted")

    reviewer.goto(live_server.url + f"/review/pledges/{pledge.pk}/")
    reviewer.click(f"a[href='/review/pledges/{pledge.pk}/approve/']")
    reviewer.locator("main form button[type=submit]").click()
    reviewer.wait_for_url(f"**/review/pledges/{pledge.pk}/")
    assert words["approved"] in reviewer.locator(".lead .state").inner_text()
    screenshot(reviewer, f"{tag}-03-approved")

    steps = reviewer.locator(".timeline li")
    assert steps.count() == 7  # started, submitted, claimed, changes, edited, resubmitted, approved
    assert "审核员乙" in steps.nth(6).inner_text()
    assert "企业联系人" in steps.nth(5).inner_text()
    assert Pledge.objects.get(pk=pledge.pk).state == Pledge.State.APPROVED
