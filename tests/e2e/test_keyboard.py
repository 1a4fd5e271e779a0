"""By keyboard alone: an enterprise signs and submits its pledge, and a reviewer opens it from the
queue and approves it, or sends it back with a reason. Only Tab, Enter, Space, the arrow keys and
typing move through the pages (a file chooser cannot be typed into: the stamped page is handed
to the file input that has the focus). Every element the focus stops on shows it: a ring drawn
for :focus-visible, at least 3:1 against what it is drawn on."""

import re

import pytest
from django.conf import settings
from django.test import Client

from pledges.models import AuditEvent, Pledge

from .. import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the focused element is, how its focus is drawn, and the contrast of its ring against
# what lies just outside it (WCAG 2.1's 1.4.11 asks 3:1 of what shows a state).
FOCUS = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  const rgba = colour => {
    const [r, g, b, a = 1] = colour.match(/[\\d.]+/g).map(Number);
    return {r, g, b, a};
  };
  const luminance = ({r, g, b}) => {
    const linear = c => (c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  };
  // The background the ring is drawn on: whatever is painted just left (or right) of it.
  const ring = parseFloat(style.outlineOffset) + parseFloat(style.outlineWidth) / 2;
  const x = box.left - ring > 0 ? box.left - ring : box.right + ring;
  const y = box.top + box.height / 2;
  let behind = "rgb(255, 255, 255)";
  search: for (const under of document.elementsFromPoint(x, y)) {
    if (under === element || element.contains(under)) continue;
    for (let node = under; node; node = node.parentElement) {
      const colour = getComputedStyle(node).backgroundColor;
      if (rgba(colour).a > 0) { behind = colour; break search; }
    }
  }
  const [light, dark] = [luminance(rgba(style.outlineColor)), luminance(rgba(behind))]
    .sort((p, q) => q - p);
  return {
    element: element.outerHTML.slice(0, 160),
    body: element === document.body,
    frame: element.tagName === "IFRAME",
    focusVisible: element.matches(":focus-visible"),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    contrast: (light + 0.05) / (dark + 0.05),
    colours: [style.outlineColor, behind],
    onScreen: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
      && box.left < innerWidth && box.top < innerHeight,
  };
}"""


def signed_in_page(page_in, live_server, user, locale):
    """A page whose browser holds a session Django made for the user (no typing of passwords)."""
    client = Client()
    client.force_login(user)
    page = page_in(locale)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return page


def focus(page) -> dict:
    return page.evaluate(FOCUS)


def assert_focus_visible(page) -> dict:
    seen = focus(page)
    if seen["frame"]:
        # The focus is inside a frame's document: the stamped page's PDF, in Chromium's own
        # viewer, which draws its own focus; the frame element itself never matches :focus.
        return seen
    assert seen["focusVisible"], seen
    assert seen["outline"], f"no focus ring on {seen['element']}"
    assert seen["contrast"] >= 3, f"a faint focus ring {seen['colours']} on {seen['element']}"
    assert seen["onScreen"], f"the focused element is off screen: {seen['element']}"
    return seen


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Tab until the element matching ``selector`` has the focus; each stop must show it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focus(page)["body"]:
            continue  # past the last element: the browser's own controls, then round again
        assert_focus_visible(page)
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
    pytest.fail(f"Tab never reached {selector} on {page.url}")


def assert_focused(page, selector: str) -> None:
    assert page.evaluate("s => document.activeElement.matches(s)", selector), focus(page)
    assert_focus_visible(page)


def press(page, key: str, *, then_url=None) -> None:
    page.keyboard.press(key)
    if then_url is not None:
        page.wait_for_url(then_url)


def open_from_queue(page, base: str, pledge) -> None:
    page.goto(base + "/review/")
    skip_to_content(page)
    tab_to(page, f"main a[href='/review/pledges/{pledge.pk}/']")
    press(page, "Enter", then_url=f"**/review/pledges/{pledge.pk}/")


def skip_to_content(page) -> None:
    """The first Tab shows the skip link; Enter on it moves the keyboard past the header."""
    page.keyboard.press("Tab")
    assert_focused(page, "a.skip-link")
    page.keyboard.press("Enter")
    page.wait_for_url("**#main")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
    assert_focus_visible(page)


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_an_enterprise_signs_and_submits_by_keyboard(live_server, page_in, tmp_path, locale):
    campaign = factories.campaign()
    owner = factories.user(f"keys-{locale}@example.com")
    factories.enterprise(owner, name="键盘质量测试有限公司")
    stamped = tmp_path / "stamped.pdf"
    stamped.write_bytes(factories.pdf_bytes())
    page = signed_in_page(page_in, live_server, owner, locale)

    page.goto(live_server.url + "/portal/")
    skip_to_content(page)
    tab_to(page, f"a[href='/portal/sign/{campaign.year}/']")
    press(page, "Enter", then_url=f"**/portal/sign/{campaign.year}/")

    tab_to(page, "input[name=signer_name]")
    page.keyboard.press("Control+A")
    page.keyboard.type("王芳")
    page.keyboard.press("Tab")
    assert_focused(page, "input[name=signer_title]")
    page.keyboard.press("Control+A")
    page.keyboard.type("法定代表人")
    page.keyboard.press("Tab")
    assert_focused(page, "input[name=signer_authorised]")
    page.keyboard.press("Space")
    assert page.locator("input[name=signer_authorised]").is_checked()
    page.keyboard.press("Tab")
    assert_focused(page, "input[name=stamped_page]")
    page.locator(":focus").set_input_files(str(stamped))
    tab_to(page, "button[name=action][value=submit]")
    press(page, "Enter", then_url=re.compile(r".*/portal/pledges/\d+/$"))

    pledge = Pledge.objects.get(enterprise__memberships__user=owner)
    assert pledge.state == Pledge.State.SUBMITTED
    assert (pledge.signer_name, pledge.signer_title) == ("王芳", "法定代表人")
    assert pledge.signer_authorised and pledge.stamped_page


def submitted_pledge():
    campaign = factories.campaign()
    owner = factories.user()
    enterprise = factories.enterprise(owner, name="华东精工质量有限公司")
    return factories.submitted_pledge(enterprise, campaign, owner)


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_a_reviewer_approves_by_keyboard(live_server, page_in, locale):
    pledge = submitted_pledge()
    reviewer = factories.staff("keys-reviewer@association.example", full_name="审核员乙")
    page = signed_in_page(page_in, live_server, reviewer, locale)

    open_from_queue(page, live_server.url, pledge)
    tab_to(page, f"a[href='/review/pledges/{pledge.pk}/approve/']")
    press(page, "Enter", then_url=f"**/review/pledges/{pledge.pk}/approve/")
    tab_to(page, "main form button[type=submit]")
    press(page, "Enter", then_url=f"**/review/pledges/{pledge.pk}/")

    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.APPROVED


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_a_reviewer_requests_changes_with_a_reason_by_keyboard(live_server, page_in, locale):
    pledge = submitted_pledge()
    reviewer = factories.staff("keys-reviewer@association.example", full_name="审核员乙")
    page = signed_in_page(page_in, live_server, reviewer, locale)

    open_from_queue(page, live_server.url, pledge)
    tab_to(page, f"a[href='/review/pledges/{pledge.pk}/request_changes/']")
    press(page, "Enter", then_url=f"**/review/pledges/{pledge.pk}/request_changes/")
    tab_to(page, "select[name=standard_reason]")
    reason = page.locator("select[name=standard_reason]")
    for _ in range(10):  # the arrow keys change a closed list's choice
        if reason.input_value() == "other":
            break
        page.keyboard.press("ArrowDown")
    assert reason.input_value() == "other"
    page.keyboard.press("Tab")
    assert_focused(page, "textarea[name=reason]")
    page.keyboard.type("第2页缺少公章")
    tab_to(page, "main form button[type=submit]")
    press(page, "Enter", then_url=f"**/review/pledges/{pledge.pk}/")

    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.CHANGES_REQUESTED
    event = AuditEvent.objects.filter(pledge=pledge).latest("pk")
    assert event.reason == "第2页缺少公章"


def tab_through(page) -> int:
    """Tab through the whole page, from the skip link round to it again; every stop must show."""
    stops = 0
    for _ in range(200):
        page.keyboard.press("Tab")
        seen = focus(page)
        if seen["body"]:
            continue
        if stops and page.evaluate("() => document.activeElement.matches('a.skip-link')"):
            return stops
        assert_focus_visible(page)
        stops += 1
    pytest.fail(f"the focus never came round on {page.url}")


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_every_focus_stop_shows_on_the_journeys_pages(live_server, page_in, locale):
    """The header's links and buttons (on red), the forms, tables and the stamped page's frame."""
    campaign = factories.campaign()
    owner = factories.user(f"stops-{locale}@example.com")
    enterprise = factories.enterprise(owner)
    pdf = factories.submitted_pledge(enterprise, campaign, owner, stamped_pdf=True)
    reviewer = factories.staff(f"stops-reviewer-{locale}@association.example")
    anonymous = page_in(locale)
    member = signed_in_page(page_in, live_server, owner, locale)
    staff = signed_in_page(page_in, live_server, reviewer, locale)
    for page, path in [
        (anonymous, "/"),
        (anonymous, "/accounts/login/"),
        (anonymous, "/pledges/"),
        (member, "/portal/"),
        (member, f"/portal/pledges/{pdf.pk}/"),
        (staff, "/review/"),
        (staff, f"/review/pledges/{pdf.pk}/"),
        (staff, f"/review/pledges/{pdf.pk}/request_changes/"),
    ]:
        page.goto(live_server.url + path)
        assert tab_through(page) > 3, path
