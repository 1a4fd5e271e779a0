"""Public notice and an objection in a real browser, in Chinese and in English: a reviewer
approves; the public page shows the notice; a member of the public objects and confirms from
the mailed link; the enterprise responds; the reviewer answers; the outcome is public and the
objector has the answer in the mail."""

import re
from datetime import UTC, datetime

import pytest
from django.core import mail
from django.utils import timezone

from .. import factories

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-Secret-123"
NAME = "东方精工质量有限公司"
# Friday 26 September 2025, 10:00 China time: five working days of notice end on 10 October
# (the make-up Sunday before the Golden Week counts; 1–8 October do not).
NOW = datetime(2025, 9, 26, 2, 0, tzinfo=UTC)

JOURNEYS = [
    (
        "zh-CN",
        {
            "lang": "zh-hans", "notice": "公示期至 2025-10-10", "sent": "请查收邮件",
            "confirmed": "2025-10-30", "under_review": "异议审查中",
            "answered": "已答复的异议", "dismissed": "异议不成立",
        },
    ),
    (
        "en-US",
        {
            "lang": "en", "notice": "In public notice until 2025-10-10", "sent": "Check your mail",
            "confirmed": "2025-10-30", "under_review": "Under review after an objection",
            "answered": "Objections answered", "dismissed": "Dismissed",
        },
    ),
]  # fmt: skip


def log_in(page, base_url, email):
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize(("locale", "words"), JOURNEYS)
def test_an_objection_from_notice_to_published_outcome(
    live_server, page_in, screenshot, settings, monkeypatch, locale, words
):
    settings.NOTICE_WORKING_DAYS = 5
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    tag = f"objection-{locale[:2]}"
    campaign = factories.campaign(2025)
    owner = factories.user(f"owner-{tag}@example.com")
    enterprise = factories.enterprise(owner, name=NAME)
    pledge = factories.submitted_pledge(enterprise, campaign, owner)
    reviewer_user = factories.staff(f"{tag}@association.example")
    public_url = f"{live_server.url}/pledges/{pledge.pk}/"

    reviewer = page_in(locale)
    log_in(reviewer, live_server.url, reviewer_user.email)
    reviewer.goto(f"{live_server.url}/review/pledges/{pledge.pk}/approve/")
    reviewer.locator("main form button[type=submit]").click()
    reviewer.wait_for_url(f"**/review/pledges/{pledge.pk}/")

    visitor = page_in(locale)
    visitor.goto(public_url)
    assert visitor.locator("html").get_attribute("lang") == words["lang"]
    assert words["notice"] in visitor.locator("main").inner_text()
    visitor.click(f"a[href='/pledges/{pledge.pk}/object/']")
    visitor.fill("input[name=name]", "陈实名")
    visitor.fill("input[name=email]", f"objector-{tag}@example.org")
    visitor.select_option("select[name=relationship]", "customer")
    visitor.check("input[name=grounds][value=false_details]")
    visitor.fill("textarea[name=statement]", "该企业公布的城市与其营业执照登记的住所不一致。")
    visitor.check("input[name=truthful]")
    screenshot(visitor, f"{tag}-01-form")
    visitor.locator("main form button[type=submit]").click()
    visitor.wait_for_url("**/object/sent/")
    assert words["sent"] in visitor.locator("h1").inner_text()

    [confirmation] = [m for m in mail.outbox if f"objector-{tag}@example.org" in m.to]
    link = re.search(r"https?://\S+/objections/confirm/\S+/", confirmation.body).group(0)
    visitor.goto(live_server.url + "/objections/" + link.split("/objections/", 1)[1])
    visitor.locator("main form button[type=submit]").click()
    visitor.wait_for_load_state()
    assert words["confirmed"] in visitor.locator("main [role=status]").inner_text()
    visitor.goto(public_url)
    assert words["under_review"] in visitor.locator("main").inner_text()
    assert "陈实名" not in visitor.content()
    screenshot(visitor, f"{tag}-02-under-review")

    member = page_in(locale)
    log_in(member, live_server.url, owner.email)
    member.goto(live_server.url + "/portal/")
    member.locator("section[aria-labelledby=objections-heading] a").first.click()
    assert "陈实名" not in member.content()
    member.fill("textarea[name=response]", "住所已于本月变更，新营业执照见附件。")
    member.locator("main form button[type=submit]").click()
    member.wait_for_load_state()
    screenshot(member, f"{tag}-03-responded")

    reviewer.goto(live_server.url + "/review/objections/")
    reviewer.click(f"text={NAME}")
    reviewer.wait_for_url("**/review/objections/*/")
    assert "住所已于本月变更" in reviewer.locator("main").inner_text()
    assert "陈实名" in reviewer.locator("main").inner_text()
    reviewer.check("input[name=outcome][value=dismissed]")
    reviewer.fill("textarea[name=public_reason]", "住所已依法变更，信息属实。")
    reviewer.fill("textarea[name=findings]", "核对了新营业执照。")
    reviewer.fill("textarea[name=answer]", "您好，经核实该企业住所已依法变更，异议不成立。")
    screenshot(reviewer, f"{tag}-04-answer")
    reviewer.locator("form[action$='/answer/'] button[type=submit]").click()
    reviewer.wait_for_url("**/review/objections/")

    visitor.goto(public_url)
    outcomes = visitor.locator("section[aria-labelledby=objections-heading]")
    assert words["answered"] in outcomes.locator("h2").inner_text()
    assert outcomes.locator("tbody td").all_inner_texts()[1:] == [
        words["dismissed"],
        "住所已依法变更，信息属实。",
    ]
    assert words["under_review"] not in visitor.locator("main").inner_text()
    screenshot(visitor, f"{tag}-05-outcome")
    answers = [m for m in mail.outbox if m.to == [f"objector-{tag}@example.org"]]
    assert "异议不成立" in answers[-1].body
