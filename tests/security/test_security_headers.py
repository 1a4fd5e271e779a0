"""Security headers on every page, and pages that a strict Content-Security-Policy can serve:
no inline script, event handler, javascript: URL or inline style anywhere.

The walk opens every page a user can reach with GET, as the user who can reach it. Every URL
of the portal, the console and the public site is either walked or listed in NOT_PAGES with
the reason, so a new page cannot be added without being checked here.
"""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from pledges.models import Certificate, Listing
from pledges.responses import PDF_POLICY
from pledges.services import certificates
from pledges.services.campaign_mail import unsubscribe_token
from pledges.services.enterprises import enterprise_update
from pledges.services.objections import confirmation_token
from pledges.services.pledges import pledge_approve
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Secret-123"  # tests/factories.py
# The verification page of a number that does not exist says so with a 404.
UNKNOWN_NUMBER = "CQ-1999-000001"

# Browsers run these <script> types; any other type (application/json, say) is inert data.
SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster"}

# URL names of our own URL configurations that are not HTML pages to walk, and why.
NOT_PAGES = {
    # POST only: they change something and answer with a redirect.
    "portal:invitation_revoke",
    "portal:invitation_accept",
    "portal:pledge_submit",
    "portal:pledge_withdraw",
    "review:bulk_approve",
    "review:claim",
    "review:release",
    "review:add_note",
    "review:certificate_rerender",
    "review:campaign_open",
    "review:campaign_close",
    "review:staff_add",
    "review:staff_remove",
    "review:change_approve",
    "review:change_reject",
    "review:banned_term_remove",
    "review:messages_retry",
    "review:message_retry",
    "review:objection_answer",
    "review:unblock",
    "portal:change_withdraw",
    "public:unsubscribe_confirm",
    "set_language",
    # Files and data, not HTML (the private files are checked in their own test below).
    "portal:licence_scan",
    "portal:stamped_page",
    "portal:certificate",
    "review:stamped_page",
    "review:licence_scan",
    "review:certificate",
    "review:objection_evidence",
    "review:export_pledges",
    "review:export_decisions",
    "review:import_report",
    "review:dashboard_csv",
    "portal:account_data",
    "portal:account_delete",
    "public:export",
    "public:api_pledges",
    "public:api_schema",
    "public:api_history",
    "public:robots_txt",
    "sitemap",
    "sitemap_section",
    "healthz",
}


@pytest.fixture
def every_role(
    campaign,
    owner,
    enterprise,
    reviewer,
    administrator,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    """Someone in every role, and a pledge in each state a page shows differently."""
    # A blank PDF stands in for WeasyPrint: this walk is about pages, not certificates.
    monkeypatch.setattr(certificates, "render_pdf", lambda data: factories.pdf_bytes())
    submitted = factories.submitted_pledge(enterprise, campaign, owner)
    enterprise.licence_scan.save("l.png", factories.upload(factories.png_bytes()), save=True)

    # An approved pledge (public page, certificate to verify) whose stamped page is a PDF:
    # the console shows that one in an <iframe>.
    certified_owner = factories.user("certified@example.com")
    certified_enterprise = factories.enterprise(certified_owner, name="上海认证测试有限公司")
    certified = factories.submitted_pledge(
        certified_enterprise, campaign, certified_owner, stamped_pdf=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        pledge_approve(pledge=certified, actor=reviewer)
    certificate = Certificate.objects.get(pledge=certified)
    assert certificate.state == Certificate.State.READY
    # Published, it asks to change a public detail: the change waits for review.
    change = enterprise_update(
        enterprise=certified_enterprise, actor=certified_owner, profile={"city": "浦东新区"}
    ).change
    objection = factories.objection(Listing.objects.get(pk=certified.pk))
    unconfirmed = factories.objection(
        Listing.objects.get(pk=certified.pk), email="later@objector.example", confirmed=False
    )

    # An enterprise that has not signed yet (the signing form) and a newcomer without one.
    signer = factories.user("signer@example.com")
    factories.enterprise(signer, name="广州待签测试有限公司", province="44")
    newcomer = factories.user("newcomer@example.com")
    superuser = factories.user("root@example.com", is_staff=True, is_superuser=True)
    return {
        "enterprise": owner,
        "signer": signer,
        "newcomer": newcomer,
        "reviewer": reviewer,
        "administrator": administrator,
        "superuser": superuser,
        "submitted": submitted,
        "certified": certified,
        "certificate": certificate,
        "campaign": campaign,
        "certified_owner": certified_owner,
        "change": change,
        "objection": objection,
        "unconfirmed": unconfirmed,
    }


def pages(every_role) -> list[tuple[str | None, str]]:
    """(who, URL) of every page to walk; who is None for a visitor who is not logged in."""
    submitted, certified = every_role["submitted"].pk, every_role["certified"].pk
    confirmed, unconfirmed = every_role["objection"].pk, every_role["unconfirmed"].pk
    year = every_role["campaign"].year
    number = every_role["certificate"].number
    return [
        (None, reverse("home")),
        (None, reverse("public:list")),
        (None, reverse("public:list") + "?q=上海&province=31"),
        (None, reverse("public:pledge", args=[certified])),
        (None, reverse("public:stats")),
        (None, reverse("public:stats") + f"?year={year}"),
        (None, reverse("public:verify_form")),
        (None, reverse("public:verify", args=[number])),
        (None, reverse("public:verify", args=[UNKNOWN_NUMBER])),
        (None, reverse("public:api_index")),
        (None, reverse("account_login")),
        (None, reverse("account_signup")),
        (None, reverse("account_reset_password")),
        (None, reverse("account_reset_password_done")),
        (None, reverse("account_email_verification_sent")),
        (None, reverse("admin:login")),
        ("newcomer", reverse("portal:dashboard")),
        ("newcomer", reverse("portal:enterprise_create")),
        ("signer", reverse("portal:dashboard")),
        ("signer", reverse("portal:sign", args=[year])),
        ("enterprise", reverse("portal:dashboard")),
        ("enterprise", reverse("portal:account")),
        ("enterprise", reverse("portal:enterprise")),
        ("enterprise", reverse("portal:enterprise_edit")),
        ("enterprise", reverse("portal:team")),
        ("enterprise", reverse("portal:pledge", args=[submitted])),
        ("enterprise", reverse("account_email")),
        ("enterprise", reverse("account_change_password")),
        ("enterprise", reverse("account_logout")),
        ("enterprise", reverse("account_reauthenticate")),
        ("reviewer", reverse("review:queue")),
        ("reviewer", reverse("review:queue") + "?state=approved"),
        ("reviewer", reverse("review:pledge", args=[submitted])),
        ("reviewer", reverse("review:pledge", args=[certified])),
        ("reviewer", reverse("review:decide", args=[submitted, "approve"])),
        ("reviewer", reverse("review:decide", args=[submitted, "request_changes"])),
        ("reviewer", reverse("review:decide", args=[submitted, "reject"])),
        ("reviewer", reverse("review:decide", args=[certified, "revoke"])),
        ("reviewer", reverse("review:decide", args=[certified, "take_down"])),
        ("reviewer", reverse("review:changes")),
        ("reviewer", reverse("review:change", args=[every_role["change"].pk])),
        ("certified_owner", reverse("portal:enterprise")),
        ("certified_owner", reverse("portal:dashboard")),
        ("certified_owner", reverse("portal:objection", args=[every_role["objection"].pk])),
        (None, reverse("public:object", args=[certified])),
        (None, reverse("public:objection_sent", args=[certified])),
        (None, reverse("public:objection_confirm", args=[confirmation_token(unconfirmed)])),
        (None, reverse("public:objection_confirm", args=[confirmation_token(confirmed)])),
        (None, reverse("public:unsubscribe", args=[unsubscribe_token(every_role["signer"])])),
        ("reviewer", reverse("review:objections")),
        ("reviewer", reverse("review:objection", args=[every_role["objection"].pk])),
        ("administrator", reverse("review:banned_terms")),
        ("administrator", reverse("review:abuse")),
        ("administrator", reverse("review:messages")),
        ("reviewer", reverse("review:exports")),
        ("reviewer", reverse("mfa_index")),
        ("reviewer", reverse("mfa_activate_totp")),  # the QR code is a data: image
        ("administrator", reverse("review:campaigns")),
        ("administrator", reverse("review:campaign_create")),
        ("administrator", reverse("review:campaign_edit", args=[year])),
        ("administrator", reverse("review:campaign_checklist", args=[year])),
        ("administrator", reverse("review:staff")),
        ("administrator", reverse("review:imports")),
        ("administrator", reverse("review:dashboard")),
        ("superuser", reverse("admin:index")),
        ("superuser", reverse("admin:pledges_pledge_changelist")),
        ("superuser", reverse("admin:pledges_pledge_change", args=[submitted])),
        ("superuser", reverse("admin:pledges_campaign_add")),
        ("superuser", reverse("admin:accounts_user_changelist")),
    ]


def client_for(every_role, who: str | None) -> Client:
    client = Client()
    if who is not None:
        # Through the login form and then the password again, as allauth asks before the TOTP
        # set-up page opens.
        for url, data in (
            (reverse("account_login"), {"login": every_role[who].email, "password": PASSWORD}),
            (reverse("account_reauthenticate"), {"password": PASSWORD}),
        ):
            response = client.post(url, data)
            assert response.status_code == 302, f"{who}: {url} answered {response.status_code}"
    return client


class InlineCodeFinder(HTMLParser):
    """Collects what a policy without 'unsafe-inline' would block (or what needs a hash)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script_without_src = False

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)
        if tag == "script":
            attributes = dict(attrs)
            script_type = (attributes.get("type") or "").strip().lower()
            self._script_without_src = "src" not in attributes and script_type in SCRIPT_TYPES
        if tag == "style":
            self.problems.append("<style> block")

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script_without_src = False

    def handle_data(self, data):
        if self._script_without_src and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]!r}")

    def _check(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler")
            elif name == "style":
                self.problems.append(f"<{tag} style={value!r}>")
            elif name in URL_ATTRIBUTES and value and re.match(r"\s*javascript:", value, re.I):
                self.problems.append(f"<{tag} {name}={value!r}>")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for directive in filter(None, (part.strip() for part in policy.split(";"))):
        name, *values = directive.split()
        parsed[name] = values
    return parsed


def policy_problems(response) -> list[str]:
    policy = response.get("Content-Security-Policy")
    if not policy:
        return ["no Content-Security-Policy header"]
    parsed = directives(policy)
    problems = []
    scripts = parsed.get("script-src", parsed.get("default-src"))
    styles = parsed.get("style-src", parsed.get("default-src"))
    for name, sources in (("script-src", scripts), ("style-src", styles)):
        if sources is None:
            problems.append(f"no {name} or default-src")
        elif {"'unsafe-inline'", "'unsafe-eval'", "*"} & set(sources):
            problems.append(f"{name} {' '.join(sources)}")
    if parsed.get("object-src") != ["'none'"]:
        problems.append(f"object-src {parsed.get('object-src')}")
    if parsed.get("frame-ancestors") != ["'none'"]:
        problems.append(f"frame-ancestors {parsed.get('frame-ancestors')}")
    for header, expected in (
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ):
        if response.get(header) != expected:
            problems.append(f"{header}: {response.get(header)!r}")
    if "camera=()" not in response.get("Permissions-Policy", ""):
        problems.append(f"Permissions-Policy: {response.get('Permissions-Policy')!r}")
    return problems


def test_every_page_is_served_with_the_policy_and_nothing_inline(every_role):
    clients = {}
    failures = []
    not_found = reverse("public:verify", args=[UNKNOWN_NUMBER])
    for who, url in pages(every_role):
        if who not in clients:
            clients[who] = client_for(every_role, who)
        response = clients[who].get(url)
        expected = 404 if url == not_found else 200
        if response.status_code != expected:
            failures.append(f"{who or 'visitor'} {url}: status {response.status_code}")
            continue
        assert response["Content-Type"].startswith("text/html"), url
        problems = policy_problems(response) + inline_code(response.content.decode())
        failures.extend(f"{who or 'visitor'} {url}: {problem}" for problem in problems)
    assert failures == []


def test_the_walk_covers_every_page_of_our_url_configurations(every_role):
    walked = {
        get_resolver().resolve(url.split("?")[0]).view_name for _who, url in pages(every_role)
    }
    ours = set()
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLPattern):
            ours.add(entry.name)
        elif isinstance(entry, URLResolver) and entry.namespace in ("portal", "review"):
            ours.update(f"{entry.namespace}:{p.name}" for p in entry.url_patterns)
        elif isinstance(entry, URLResolver) and entry.namespace is None:
            module = getattr(entry.urlconf_name, "__name__", entry.urlconf_name)
            if module == "pledges.urls_public":
                ours.update(p.name for p in entry.url_patterns)
    assert ours - walked - NOT_PAGES == set()
    assert walked & NOT_PAGES == set()


def test_the_checker_finds_what_the_policy_would_block():
    # The walk above passes only if this checker can fail.
    page = """
        <script>alert(1)</script>
        <script src="/static/app.js"></script>
        <script type="application/json">{"data": true}</script>
        <a href="javascript:void(0)" onclick="go()">x</a>
        <p style="color: red">y</p>
        <style>p { color: red }</style>
        <svg><rect onload="x()" /></svg>
    """
    assert inline_code(page) == [
        "inline <script>: 'alert(1)'",
        "<a href='javascript:void(0)'>",
        "<a onclick=…> event handler",
        "<p style='color: red'>",
        "<style> block",
        "<rect onload=…> event handler",
    ]


def test_the_policy_itself(client):
    response = client.get(reverse("home"))
    assert directives(response["Content-Security-Policy"]) == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }


@override_settings(WHITENOISE_USE_FINDERS=True)  # tests run without collectstatic
def test_static_files_carry_the_policy_too(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_the_stamped_page_may_be_framed_by_the_console_only(every_role):
    """The console shows a PDF stamped page in an <iframe>: its own policy (frame-ancestors
    'self', X-Frame-Options SAMEORIGIN) is kept, not replaced by the pages' 'none'."""
    client = client_for(every_role, "reviewer")
    detail = client.get(reverse("review:pledge", args=[every_role["certified"].pk]))
    framed = reverse("review:stamped_page", args=[every_role["certified"].pk])
    assert f'<iframe class="document" src="{framed}"' in detail.content.decode()
    response = client.get(framed)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Security-Policy"] == PDF_POLICY
    assert directives(PDF_POLICY)["frame-ancestors"] == ["'self'"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    # An image stamped page is shown in an <img>, under its own sandboxing policy.
    image = client.get(reverse("review:stamped_page", args=[every_role["submitted"].pk]))
    assert image["Content-Type"] == "image/png"
    assert "sandbox" in directives(image["Content-Security-Policy"])
    assert image["X-Frame-Options"] == "SAMEORIGIN"
