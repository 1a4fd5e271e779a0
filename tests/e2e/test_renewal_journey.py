"""A new campaign in a real browser, in Chinese and in English: an administrator imports an
earlier year's list and opens signing; last year's signatory receives the invitation in its
language, follows the mail's link and signs, its details already filled in."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from pledges.models import Campaign, Pledge
from pledges.services import pledges as services
from pledges.services.campaign_mail import paced_mail_queue

from .. import factories
from .test_review_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True)
YEAR = timezone.now().year

JOURNEYS = [
    ("zh-CN", "zh-hans", {"imported": "已导入", "opened": "已开放", "submitted": "已提交"}),
    ("en-US", "en", {"imported": "imported for", "opened": "is open", "submitted": "Submitted"}),
]


@pytest.mark.parametrize(("locale", "language", "words"), JOURNEYS)
def test_import_open_invite_and_sign(
    live_server, page_in, screenshot, tmp_path, reviewer, locale, language, words
):
    tag = f"renewal-{locale[:2]}"
    # Last year's signatory, with a member who reads mail in the journey's language.
    last_year = factories.campaign(YEAR - 1)
    member = factories.user(f"member-{tag}@example.com", language=language)
    enterprise = factories.enterprise(member, name="华东续签质量有限公司")
    services.pledge_approve(
        pledge=factories.submitted_pledge(enterprise, last_year, member), actor=reviewer
    )
    now = timezone.now()
    Campaign.objects.filter(pk=last_year.pk).update(
        opens_at=now - timedelta(days=400), closes_at=now - timedelta(days=300)
    )
    Campaign.objects.create(
        year=YEAR,
        title=f"{YEAR}年企业质量诚信倡议",
        pledge_text=factories.PLEDGE_TEXT,
        opens_at=now + timedelta(days=5),
        closes_at=now + timedelta(days=60),
    )
    factories.staff(f"admin-{tag}@example.com", role="Administrators", full_name="管理员")

    # The administrator imports the list of three years ago…
    admin = page_in(locale)
    log_in(admin, live_server.url, f"admin-{tag}@example.com")
    admin.goto(live_server.url + "/review/imports/")
    listing = tmp_path / "earlier.csv"
    listing.write_text(
        f"{YEAR - 3}年签署企业名单,,\n序号,企业名称,统一社会信用代码\n"
        f"1,华东续签质量有限公司,{enterprise.credit_code.lower()}\n"
        f"2,另一家企业,9.1E+17\n",
        encoding="utf-8-sig",
    )
    admin.fill("input[name=year]", str(YEAR - 3))
    admin.set_input_files("input[name=file]", str(listing))
    admin.uncheck("input[name=dry_run]")
    admin.locator("main form.console-form button[type=submit]").click()
    admin.wait_for_load_state()
    assert words["imported"] in admin.locator("#import-result").inner_text()
    assert "9.1E+17" in admin.locator("table.console-table").first.inner_text()
    screenshot(admin, f"{tag}-01-imported")

    # … and opens this year's signing.
    admin.goto(live_server.url + "/review/campaigns/")
    admin.locator(f"form[action='/review/campaigns/{YEAR}/open/'] button").click()
    admin.wait_for_load_state()
    assert words["opened"] in admin.locator(".message").first.inner_text()
    screenshot(admin, f"{tag}-02-opened")

    # The beat queues the paced invitations; the worker (eager here) sends them.
    mail.outbox.clear()
    assert paced_mail_queue() == 1
    [invitation] = mail.outbox
    assert invitation.to == [member.email]
    assert invitation.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    sign_path = re.search(r"/portal/sign/\d+/", invitation.body).group(0)

    # The member follows the link, finds the details filled in, and signs.
    page = page_in(locale)
    log_in(page, live_server.url, member.email)
    page.goto(live_server.url + sign_path)
    assert page.input_value("input[name=signer_name]") == "王芳"
    stamped = tmp_path / "stamped.pdf"
    stamped.write_bytes(factories.pdf_bytes())
    page.set_input_files("input[name=stamped_page]", str(stamped))
    page.check("input[name=signer_authorised]")
    page.click("button[name=action][value=submit]")
    page.wait_for_url(re.compile(r".*/portal/pledges/\d+/$"))
    assert words["submitted"] in page.locator("main").inner_text()
    screenshot(page, f"{tag}-03-signed")
    pledge = Pledge.objects.get(enterprise=enterprise, campaign__year=YEAR)
    assert pledge.state == Pledge.State.SUBMITTED

    # Its history shows the imported year next to last year's.
    page.goto(live_server.url + "/portal/")
    years = page.locator(".years-signed").inner_text()
    assert str(YEAR - 3) in years and str(YEAR - 1) in years
