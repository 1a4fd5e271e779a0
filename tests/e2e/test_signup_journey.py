"""A newcomer's journey in a real browser, in Chinese and in English:
sign up → confirm the e-mail → register the enterprise → sign with an upload → submitted."""

import re

import pytest
from django.core import mail

from pledges.models import Pledge

from .. import factories

pytestmark = pytest.mark.django_db(transaction=True)

JOURNEYS = [
    # (browser locale, province code, words the pages must show)
    ("zh-CN", "44", {"submitted": "已提交", "timeline": "进度记录"}),
    ("en-US", "31", {"submitted": "Submitted", "timeline": "Timeline"}),
]


@pytest.mark.parametrize(("locale", "province", "words"), JOURNEYS)
def test_newcomer_signs_this_years_pledge(
    live_server, page_in, screenshot, tmp_path, locale, province, words
):
    campaign = factories.campaign()
    page = page_in(locale)
    email = f"newcomer-{locale.lower()}@example.com"
    tag = locale[:2]

    page.goto(live_server.url + "/accounts/signup/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", "Quality-Month-2026")
    page.fill("input[name=password2]", "Quality-Month-2026")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/confirm-email/")

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    screenshot(page, f"{tag}-01-confirm-email")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/portal/")

    page.click("a[href='/portal/enterprise/new/']")
    code = factories.credit_code(province)
    page.fill("input[name=credit_code]", code.lower())
    page.fill("input[name=name]", "测试质量科技有限公司")
    page.fill("input[name=legal_representative]", "赵敏")
    page.select_option("select[name=province]", province)
    page.fill("input[name=city]", "示例市")
    page.fill("input[name=address]", "示例市质量路8号")
    page.select_option("select[name=industry]", "38")
    page.fill("input[name=contact_name]", "钱进")
    page.fill("input[name=contact_phone]", "020-12345678")
    page.fill("input[name=contact_email]", "contact@example.com")
    screenshot(page, f"{tag}-02-register-enterprise")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/portal/")

    page.click(f"a[href='/portal/sign/{campaign.year}/']")
    assert page.locator(".pledge-text").inner_text().strip() == campaign.pledge_text
    assert page.input_value("input[name=signer_name]") == "赵敏"
    page.check("input[name=signer_authorised]")
    stamped = tmp_path / "stamped.pdf"
    stamped.write_bytes(factories.pdf_bytes())
    page.set_input_files("input[name=stamped_page]", str(stamped))
    screenshot(page, f"{tag}-03-sign")
    page.click("button[name=action][value=submit]")
    page.wait_for_url(re.compile(r".*/portal/pledges/\d+/$"))

    screenshot(page, f"{tag}-04-submitted")
    assert words["submitted"] in page.locator(".lead .state").inner_text()
    assert words["timeline"] in page.content()
    assert page.locator(".timeline li").count() == 2  # started, submitted
    pledge = Pledge.objects.get(enterprise__credit_code=code)
    assert pledge.state == Pledge.State.SUBMITTED
    assert pledge.stamped_page_type == "application/pdf"
