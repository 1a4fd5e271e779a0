"""A member of the public: the list, its filters (plain forms, no script needed), a
two-character search, an enterprise's page, its certificate's verification and the
statistics; on a phone and on a desktop, in Chinese and in English."""

import pytest

from .. import factories

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
WORDS = {
    "zh-CN": {"lang": "zh-hans", "valid": "有效", "revoked": "已撤销", "other": "English"},
    "en-US": {"lang": "en", "valid": "valid", "revoked": "revoked", "other": "简体中文"},
}


@pytest.fixture
def published(publish):
    return {
        "guangzhou": publish("广州质量检测有限公司", province="44"),
        "beijing": publish("北京质量认证有限公司", province="11"),
        "shanghai": publish("上海精密机械有限公司", province="31"),
        "revoked": publish("深圳质量撤销有限公司", province="44", state="revoked"),
        "hidden": publish("未审核质量有限公司", province="44", state="submitted"),
    }


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("locale", WORDS)
def test_a_visitor_finds_checks_and_counts(
    browser, live_server, published, screenshot, locale, viewport
):
    words = WORDS[locale]
    context = browser.new_context(locale=locale, viewport=VIEWPORTS[viewport])
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/pledges/")
        assert page.locator("html").get_attribute("lang") == words["lang"]
        listing = page.locator("main").inner_text()
        for name in ("广州质量检测有限公司", "北京质量认证有限公司", "上海精密机械有限公司"):
            assert name in listing
        assert "深圳质量撤销有限公司" in listing and factories.REVOCATION_REASON in listing
        assert "未审核质量有限公司" not in listing
        assert fits_the_screen(page)
        screenshot(page, f"public-list-{locale}-{viewport}")

        # A two-character search, then a province, through the form itself.
        page.fill("input[name=q]", "质量")
        page.locator("form.filters button[type=submit]").click()
        page.wait_for_url("**/pledges/?*q=*")
        found = page.locator("main").inner_text()
        assert "广州质量检测有限公司" in found and "北京质量认证有限公司" in found
        assert "上海精密机械有限公司" not in found
        page.select_option("select[name=province]", "44")
        page.locator("form.filters button[type=submit]").click()
        page.wait_for_url("**province=44*")
        assert page.input_value("input[name=q]") == "质量"  # the filters stay in the URL
        found = page.locator("main").inner_text()
        assert "广州质量检测有限公司" in found and "北京质量认证有限公司" not in found
        assert fits_the_screen(page)
        screenshot(page, f"public-search-{locale}-{viewport}")

        # The enterprise's page, and its certificate checked online.
        page.locator("a.pledge-name", has_text="广州质量检测有限公司").click()
        page.wait_for_url(f"**/pledges/{published['guangzhou'].pk}/")
        detail = page.locator("main").inner_text()
        enterprise = published["guangzhou"].enterprise
        assert enterprise.credit_code in detail
        assert enterprise.contact_phone not in detail and enterprise.contact_email not in detail
        assert fits_the_screen(page)
        screenshot(page, f"public-enterprise-{locale}-{viewport}")
        page.locator("a[href^='/verify/']").first.click()
        page.wait_for_url("**/verify/*/")
        assert words["valid"] in page.locator("main").inner_text().lower()

        page.goto(live_server.url + "/stats/")
        assert page.locator("main svg").count() >= 1 and page.locator("main table").count() >= 1
        assert fits_the_screen(page)
        screenshot(page, f"public-stats-{locale}-{viewport}")

        # The other language, from the header, without an account.
        page.get_by_role("button", name=words["other"]).click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") != words["lang"]
    finally:
        context.close()
