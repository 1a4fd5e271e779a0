"""A rename in a real browser, in Chinese and in English: the enterprise asks for it, the
public page keeps the approved name, the reviewer sees the diff and approves it, and the
public page shows the new name with the correction in its history."""

import pytest

from pledges.services import pledges as services

from .. import factories

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-Secret-123"
OLD = "华北精密质量有限公司"
NEW = "华北精密仪器质量有限公司"

JOURNEYS = [
    ("zh-CN", {"lang": "zh-hans", "corrections": "更正记录", "waiting": "等待审核"}),
    ("en-US", {"lang": "en", "corrections": "Corrections", "waiting": "waiting for review"}),
]


def log_in(page, base_url, email):
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize(("locale", "words"), JOURNEYS)
def test_a_rename_is_published_once_a_reviewer_approves_it(
    live_server, page_in, screenshot, locale, words
):
    tag = f"rename-{locale[:2]}"
    campaign = factories.campaign()
    owner = factories.user(f"owner-{tag}@example.com")
    enterprise = factories.enterprise(owner, name=OLD)
    reviewer_user = factories.staff(f"{tag}@association.example")
    pledge = factories.submitted_pledge(enterprise, campaign, owner)
    services.pledge_approve(pledge=pledge, actor=reviewer_user)
    public_url = f"{live_server.url}/pledges/{pledge.pk}/"

    member = page_in(locale)
    log_in(member, live_server.url, owner.email)
    member.goto(live_server.url + "/portal/enterprise/edit/")
    assert member.locator("html").get_attribute("lang") == words["lang"]
    member.fill("input[name=name]", NEW)
    member.locator("main form button[type=submit]").click()
    member.wait_for_url("**/portal/enterprise/")
    assert words["waiting"] in member.locator("main").inner_text()
    assert member.locator("table.diff del").inner_text() == OLD
    assert member.locator("table.diff ins").inner_text() == NEW
    screenshot(member, f"{tag}-01-asked")

    visitor = page_in(locale)
    visitor.goto(public_url)
    assert visitor.locator("h1").inner_text() == OLD

    reviewer = page_in(locale)
    log_in(reviewer, live_server.url, reviewer_user.email)
    reviewer.goto(live_server.url + "/review/changes/")
    reviewer.click(f"text={OLD}")
    reviewer.wait_for_url("**/review/changes/*/")
    assert reviewer.locator("table.diff del").inner_text() == OLD
    assert reviewer.locator("table.diff ins").inner_text() == NEW
    screenshot(reviewer, f"{tag}-02-diff")
    reviewer.locator("form[action$='/approve/'] button").click()
    reviewer.wait_for_url("**/review/changes/")

    visitor.goto(public_url)
    assert visitor.locator("h1").inner_text() == NEW
    history = visitor.locator("section[aria-labelledby=corrections-heading]")
    assert words["corrections"] in history.locator("h2").inner_text()
    cells = history.locator("tbody tr td").all_inner_texts()
    assert cells[2:] == [OLD, NEW]
    screenshot(visitor, f"{tag}-03-published")
