"""Accessible to everyone, kept so: axe-core's WCAG 2.1 A and AA rules on every page of the site.

Every GET pattern of the root URLconf (tests/url_access.url_patterns) is filled with real ids
(several times where the page shows objects in different states) and requested as each role:
a visitor, a newcomer without an enterprise, enterprise A's owner, a reviewer and an
administrator with a second factor. Every HTML page a role is served (redirects, files, CSV,
JSON, XML and text are not) is opened in Chromium in Chinese and in English, at a phone's
width and a desktop's, and checked with axe (shipped inside axe-playwright-python: nothing is
downloaded); an error page (403.html, 404.html) once per role. A few pages are also checked in
the state a form leaves them in: field errors, the bulk approval's confirmation, the second
factor at login. The test fails on any violation and lists each with its page, role, language,
width, rule, impact and elements.

Django's /admin/ is left out: it is Django's own application, not pages this project writes,
and only superusers see it.

The browser signs in with a session made on Django's test client (its cookie handed to the
context), not by typing. axe is each context's init script, which the DevTools protocol runs
outside the page's Content-Security-Policy (script-src 'self'), as it does page.evaluate(): the
site's real policy stays in force and no context needs bypass_csp (add_script_tag is refused
by the policy). One test per role; its four contexts (two languages, two widths) load each page
in turn, then axe runs in the four at once.
"""

import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import BlockedSource
from pledges.models import BannedTerm, Campaign, Certificate, Listing, OutboxMessage
from pledges.public.sitemaps import SITEMAPS
from pledges.roles import ADMINISTRATORS
from pledges.services import certificates
from pledges.services import pledges as services
from pledges.services.campaign_mail import unsubscribe_token
from pledges.services.enterprises import enterprise_update
from pledges.services.imports import signatories_import
from pledges.services.members import invitation_create
from pledges.services.objections import confirmation_token, objection_respond
from pledges.services.review import note_add, pledge_claim

from .. import factories
from ..url_access import Pattern, url_patterns

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Who visits: nobody signed in; someone signed in with no enterprise yet (an invitation
# waiting); a member (the owner) of enterprise A; the association's reviewer and administrator.
ROLES = ("anonymous", "newcomer", "member", "reviewer", "administrator")
LOCALES = ("zh-CN", "en-US")
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
PASSWORD = "pw-Secret-123"  # the factories' password
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


# --- The data: enterprise A in every state worth showing, B submitted, C revoked ------------


def build_world(monkeypatch) -> SimpleNamespace:
    monkeypatch.setattr(certificates, "render_pdf", lambda data: factories.pdf_bytes())
    now = timezone.now()
    campaign = factories.campaign()
    last_year = factories.campaign(campaign.year - 1)

    reviewer = factories.staff("a11y-reviewer@association.example", full_name="审核员甲")
    administrator = factories.user(
        "a11y-admin@association.example", is_staff=True, is_superuser=True, full_name="管理员乙"
    )
    administrator.groups.add(Group.objects.get(name=ADMINISTRATORS))
    # As production asks of the association's staff: a second factor, and recovery codes.
    totp_secret = generate_totp_secret()
    TOTP.activate(administrator, totp_secret)
    RecoveryCodes.activate(administrator)

    owner_a = factories.user("a11y-owner-a@example.com", full_name="企业联系人")
    enterprise_a = factories.enterprise(owner_a, name="甲方质量诚信测试有限公司")
    enterprise_update(
        enterprise=enterprise_a,
        actor=owner_a,
        profile={},
        licence=factories.upload(factories.png_bytes(), "licence.png"),
        licence_type="image/png",
    )
    certified_a = factories.submitted_pledge(enterprise_a, last_year, owner_a)
    services.pledge_approve(pledge=certified_a, actor=reviewer)
    certificate_a = Certificate.objects.get(pledge=certified_a)
    assert certificate_a.state == Certificate.State.READY
    Campaign.objects.filter(pk=last_year.pk).update(
        opens_at=now - timedelta(days=400), closes_at=now - timedelta(days=300)
    )
    # This year's: sent back for changes, so the portal shows the reviewer's reason.
    current_a = factories.submitted_pledge(enterprise_a, campaign, owner_a)
    services.pledge_request_changes(pledge=current_a, actor=reviewer, reason="第2页缺少公章")

    newcomer = factories.user("a11y-newcomer@example.com")
    invitation = invitation_create(enterprise=enterprise_a, actor=owner_a, email=newcomer.email)
    unconfirmed = EmailAddress.objects.create(
        user=owner_a, email="a11y-second-a@example.com", verified=False, primary=False
    )

    owner_b = factories.user("a11y-owner-b@example.com")
    enterprise_b = factories.enterprise(owner_b, province="31", name="乙方质量测试有限公司")
    # A PDF stamped page: the console shows it in a frame (A's pages are images).
    submitted_b = factories.submitted_pledge(enterprise_b, campaign, owner_b, stamped_pdf=True)
    pledge_claim(pledge=submitted_b, actor=reviewer)
    note_add(pledge=submitted_b, actor=reviewer, text="营业执照清晰，待核对公章。")

    owner_c = factories.user("a11y-owner-c@example.com")
    enterprise_c = factories.enterprise(owner_c, province="44", name="丙方质量测试有限公司")
    revoked_c = factories.submitted_pledge(enterprise_c, campaign, owner_c)
    services.pledge_approve(pledge=revoked_c, actor=reviewer)
    services.pledge_revoke(pledge=revoked_c, actor=reviewer, reason=factories.REVOCATION_REASON)
    certificate_c = Certificate.objects.get(pledge=revoked_c)
    # Published, A asks to change public details: the change waits in the console.
    change = enterprise_update(
        enterprise=enterprise_a,
        actor=owner_a,
        profile={"name": "甲方质量诚信测试（集团）有限公司", "city": "海淀区"},
    ).change

    # The banned terms of the data migration are gone with the last transactional test.
    banned = BannedTerm.objects.get_or_create(term="赌博")[0]
    # An objection to A's published listing, answered by A's response; one not confirmed yet.
    listing_a = Listing.objects.get(pk=certified_a.pk)
    objection = factories.objection(listing_a, evidence=factories.png_bytes())
    objection_respond(
        objection=objection, actor=owner_a, response="地址已更正，附新营业执照。", evidence=[]
    )
    unconfirmed_objection = factories.objection(
        listing_a, email="a11y-waiting@example.org", confirmed=False
    )
    blocked = BlockedSource.objects.create(kind="domain", value="flood.example", reason="批量异议")
    # A's earlier years from the association's lists: its page shows them, and the console
    # lists the import.
    earlier = f"企业名称,统一社会信用代码\n{listing_a.name},{listing_a.credit_code}\n"
    signatory_import = signatories_import(
        year=campaign.year - 3, file_name="earlier.csv", data=earlier.encode(), actor=administrator
    ).record

    return SimpleNamespace(
        change=change,
        banned=banned,
        objection=objection,
        unconfirmed_objection=unconfirmed_objection,
        blocked=blocked,
        signatory_import=signatory_import,
        credit_code=listing_a.credit_code,
        users={
            "anonymous": None,
            "newcomer": newcomer,
            "member": owner_a,
            "reviewer": reviewer,
            "administrator": administrator,
        },
        totp_secret=totp_secret,
        campaign=campaign,
        certified_a=certified_a,
        current_a=current_a,
        submitted_b=submitted_b,
        revoked_c=revoked_c,
        certificate_a=certificate_a,
        certificate_c=certificate_c,
        invitation=invitation,
        confirmation_key=EmailConfirmationHMAC(unconfirmed).key,
        reset_uid=user_pk_to_url_str(owner_a),
        reset_key=default_token_generator.make_token(owner_a),
    )


# --- Every page: the URL patterns, filled in every way worth seeing -------------------------


def parameter_sets(pattern: Pattern, world) -> list[dict]:
    """The URLs to open for a pattern: one per set of parameters."""
    names = [a or b for a, b in PARAMETER.findall(pattern.route)]
    if not names:
        return [{}]
    key = pattern.key
    pledge_ids = {
        "portal:pledge": [world.current_a.pk, world.certified_a.pk],
        "review:pledge": [world.submitted_b.pk, world.certified_a.pk, world.revoked_c.pk],
        "public:pledge": [world.certified_a.pk, world.revoked_c.pk],
        "public:object": [world.certified_a.pk],
        "public:objection_sent": [world.certified_a.pk],
    }.get(key, [world.current_a.pk if key.startswith("portal:") else world.submitted_b.pk])
    if key == "review:decide":
        return [
            {"pledge_id": world.submitted_b.pk, "decision": decision}
            for decision in ("approve", "request_changes", "reject")
        ] + [
            {"pledge_id": world.certified_a.pk, "decision": decision}
            for decision in ("revoke", "take_down")
        ]
    if key == "public:verify":
        numbers = [world.certificate_a.number, world.certificate_c.number, "CQ-1999-999999"]
        return [{"number": number} for number in numbers]
    if key in {"public:verify_credential", "public:verify_credential_jwt"}:
        return [{"number": world.certificate_a.number}]
    values = {
        "invitation_id": world.invitation.pk,
        "year": world.campaign.year,
        "user_id": world.users["reviewer"].pk,
        "role": "reviewer",
        "section": next(iter(SITEMAPS)),
        "uidb36": world.reset_uid,
        "key": (
            world.reset_key
            if pattern.name == "account_reset_password_from_key"
            else world.confirmation_key
        ),
        "decision": "approve",
        "change_id": world.change.pk,
        "term_id": world.banned.pk,
        "message_id": OutboxMessage.objects.order_by("pk").values_list("pk", flat=True).first(),
        "objection_id": world.objection.pk,
        "evidence_id": world.objection.evidence.get().pk,
        "token": (
            unsubscribe_token(world.users["member"])
            if pattern.name in ("unsubscribe", "unsubscribe_confirm")
            else confirmation_token(world.unconfirmed_objection.pk)
        ),
        "blocked_id": world.blocked.pk,
        "import_id": world.signatory_import.pk,
        "credit_code": world.credit_code,
    }
    return [
        {name: pledge_id if name == "pledge_id" else values[name] for name in names}
        for pledge_id in pledge_ids
    ]


# Pages with a query string worth a look of their own: a search with results, one year's
# figures, and the verification form with an error at its field.
QUERIES = {
    "public:list": ["?q=质量&year="],
    "public:stats": ["?year={year}"],
    "public:verify_form": ["?number=not-a-number"],
    "review:queue": ["?state=submitted"],
}


def pages(world) -> list[str]:
    urls = []
    for pattern in url_patterns():
        if pattern.namespace == "admin" or pattern.name is None:
            continue  # Django's admin: not ours (see the module's docstring)
        for kwargs in parameter_sets(pattern, world):
            url = reverse(pattern.key, kwargs=kwargs)
            urls.append(url)
            for query in QUERIES.get(pattern.key, []):
                urls.append(url + query.format(year=world.campaign.year))
    return urls


# --- Signing in without typing: a session made on Django's test client, handed to the browser ---


def signed_in_client(user, totp_secret: str = "") -> Client:
    """A session of its own, made through the login view (django.contrib.auth's login at its
    end), with the second factor when the user has one and the password given again, as
    allauth asks before the two-factor settings (so those pages open too)."""
    client = Client()
    if user is None:
        return client
    cache.clear()  # the login rate limit and the used TOTP codes count every session made here
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    if response.status_code == 302 and response["Location"] == reverse("mfa_authenticate"):
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(totp_secret)})
    assert response.status_code == 302, response.status_code
    assert client.session.get("_auth_user_id") == str(user.pk)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def totp_code(secret: str) -> str:
    # A code made in the last moments of its period may reach the server in the next one,
    # which (with no tolerance) refuses it: wait for a fresh period then.
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 3:
        time.sleep(period - time.time() % period + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def session_cookie(user, totp_secret: str) -> str:
    return signed_in_client(user, totp_secret).cookies[settings.SESSION_COOKIE_NAME].value


@dataclass(frozen=True)
class Visit:
    url: str
    role: str
    status: int


def html_pages_for(role: str, world, urls: list[str], skipped: Counter) -> list[Visit]:
    """The HTML pages the role is served; a GET's answer is checked first with Django's client."""
    visits, error_pages = [], set()
    user = world.users[role]
    client = signed_in_client(user, world.totp_secret)  # not the browser's: a GET may sign out
    for url in urls:
        response = client.get(url)
        content_type = response.get("Content-Type", "").split(";")[0]
        if 300 <= response.status_code < 400:
            skipped["redirect"] += 1
            continue
        if response.status_code == 405:
            skipped["405: acts on POST only"] += 1
            continue
        if content_type != "text/html":
            skipped[content_type or "no content type"] += 1
            continue
        if user is not None and client.session.get("_auth_user_id") is None:
            # Another account's e-mail confirmation link signs one out (allauth's rule).
            skipped["signs the visitor out"] += 1
            client = signed_in_client(user, world.totp_secret)
            continue
        if response.status_code != 200:
            # An error page (403.html, 404.html) is the same whatever the URL: checked once
            # per role; a page of its own that answers 404 (an unknown certificate) is not.
            template = response.templates[0].name if response.templates else None
            if (response.status_code, template) in error_pages:
                skipped[f"{response.status_code} page ({template}), checked once"] += 1
                continue
            error_pages.add((response.status_code, template))
        visits.append(Visit(url, role, response.status_code))
    return visits


# --- Running axe --------------------------------------------------------------------------------


AXE_SOURCE = Axe().axe_script  # axe.min.js as axe-playwright-python ships it


def start_axe(page) -> None:
    """Start axe without waiting for it, so the four contexts' pages are checked at once."""
    # After a timeout: axe.run() does much of its work before it returns its promise.
    page.evaluate(
        """options => {
          window.axeRun = new Promise(go => setTimeout(go)).then(() => axe.run(document, options));
        }""",
        AXE_OPTIONS,
    )


def axe_violations(page) -> list[dict]:
    return page.evaluate("() => window.axeRun.then(results => results.violations)")


def record(violations: list[dict], where: str, found: list[str], rules: Counter) -> None:
    for violation in violations:
        rules[violation["id"]] += len(violation["nodes"])
        for node in violation["nodes"]:
            found.append(
                f"{where} · {violation['id']} ({violation['impact']}) · "
                f"{', '.join(map(str, node['target']))} · {violation['help']}"
            )


# States a form leaves a page in: (role, URL name and kwargs, what to do on the page).
def _submit_empty(selector="main form button[type=submit]"):
    def act(page):
        button = page.locator(selector).first
        # Past the browser's own check of required fields, to the server's messages.
        button.evaluate("button => { button.form.noValidate = true; }")
        with page.expect_navigation():
            button.click()

    return act


def _sign_without_name(page):
    page.fill("input[name=signer_name]", "")
    with page.expect_navigation():
        page.click("button[name=action][value=submit]")


def _import_dry_run(page):
    """The import page with a dry run's report: rows refused and with notes."""
    listing = (
        "企业名称,统一社会信用代码\n甲公司,9.1E+17\n乙公司,９１１１０１０８ＭＡ０００００００\n"
    )
    page.fill("input[name=year]", "2010")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "a.csv", "mimeType": "text/csv", "buffer": listing.encode()}],
    )
    with page.expect_navigation():
        page.click("main form.console-form button[type=submit]")


def _bulk_confirmation(page):
    page.locator("table.queue input[type=checkbox]").first.check()
    with page.expect_navigation():
        page.click("form[action$='/bulk-approve/'] button[type=submit]")


def _second_factor(world):
    def act(page):
        page.fill("input[name=login]", world.users["administrator"].email)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert page.url.endswith(reverse("mfa_authenticate")), page.url

    return act


def form_states(world) -> list[tuple[str, str, object]]:
    return [
        ("anonymous", reverse("account_login"), _submit_empty()),
        ("anonymous", reverse("account_login"), _second_factor(world)),
        ("anonymous", reverse("account_signup"), _submit_empty()),
        ("anonymous", reverse("account_reset_password"), _submit_empty()),
        ("newcomer", reverse("portal:enterprise_create"), _submit_empty()),
        ("member", reverse("portal:sign", args=[world.campaign.year]), _sign_without_name),
        ("member", reverse("portal:team"), _submit_empty("main form[novalidate] button")),
        (
            "reviewer",
            reverse("review:decide", args=[world.submitted_b.pk, "request_changes"]),
            _submit_empty(),
        ),
        ("reviewer", reverse("review:queue"), _bulk_confirmation),
        ("administrator", reverse("review:campaign_create"), _submit_empty()),
        ("administrator", reverse("review:staff"), _submit_empty("form.console-form button")),
        ("administrator", reverse("review:imports"), _submit_empty("form.console-form button")),
        ("administrator", reverse("review:imports"), _import_dry_run),
    ]


def signed_in_context(browser, live_server, cookie: str | None, locale: str, viewport: dict):
    context = browser.new_context(locale=locale, viewport=viewport)
    context.set_default_timeout(15_000)
    # axe in every page the context opens. Like page.evaluate(), an init script is run by the
    # DevTools protocol, outside the page's Content-Security-Policy: no bypass_csp is needed
    # and the site's real policy stays in force (add_script_tag would be refused by it).
    context.add_init_script(AXE_SOURCE)
    if cookie is not None:
        name = settings.SESSION_COOKIE_NAME
        context.add_cookies([{"name": name, "value": cookie, "url": live_server.url}])
    return context


@pytest.mark.parametrize("role", ROLES)
def test_every_page_meets_wcag_21_aa(role, live_server, browser, monkeypatch, capsys):
    started = time.monotonic()
    world = build_world(monkeypatch)
    user = world.users[role]
    skipped: Counter = Counter()
    visits = html_pages_for(role, world, pages(world), skipped)
    states = [(url, act) for who, url, act in form_states(world) if who == role]
    assert visits, role

    # One context per language and width, all open at once: each page is loaded in the four,
    # then axe runs in the four together.
    cookie = session_cookie(user, world.totp_secret) if user is not None else None
    contexts = {
        (locale, width): signed_in_context(browser, live_server, cookie, locale, viewport)
        for locale in LOCALES
        for width, viewport in VIEWPORTS.items()
    }
    tabs = {where: context.new_page() for where, context in contexts.items()}
    steps = [(visit.url, visit.url, visit.status, None) for visit in visits]
    steps += [(url, f"{url} (after its form)", None, act) for url, act in states]
    found: list[str] = []
    rules: Counter = Counter()
    for url, label, status, act in steps:
        cache.clear()  # the verification pages' rate limit counts every visit
        for (locale, _width), page in tabs.items():
            response = page.goto(live_server.url + url)
            if act is not None:
                act(page)
            elif response.status != status:
                pytest.fail(f"{url} as {role} in {locale}: {response.status}, not {status}")
            start_axe(page)
        for (locale, width), page in tabs.items():
            where = f"{label} · {role} · {locale} · {width}"
            record(axe_violations(page), where, found, rules)
    for context in contexts.values():
        context.close()

    with capsys.disabled():
        print(
            f"\naxe, {role}: {len(steps) * len(tabs)} checks ({len(visits)} pages and "
            f"{len(states)} form states × {len(LOCALES)} languages × {len(VIEWPORTS)} widths) "
            f"in {time.monotonic() - started:.0f} s, {len(found)} violations {dict(rules)}; "
            f"not checked: {dict(skipped)}"
        )
    assert not found, f"{len(found)} WCAG 2.1 A/AA violations:\n" + "\n".join(found)
