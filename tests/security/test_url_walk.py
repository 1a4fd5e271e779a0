"""Every URL of the site, walked with every role.

Each pattern the root URLconf reaches is requested by an anonymous visitor, a member of
enterprise A, a member of enterprise B, a reviewer and an administrator (a superuser in the
Administrators group, as ``seed_demo`` makes one), with its parameters filled from real
objects of A's: its pledges, invitation, certificate, e-mail confirmation and password reset
keys, and its rows in /admin/. A pattern that neither the table below nor one of the group
rules (allauth, /admin/) classifies fails the walk, so nothing reaches the site without a
decision about who may open it.

Along the way, whatever the role: a GET changes nothing (no row, no audit event, no log
out), a URL that only acts refuses GET with 405, and A's private data and files reach no one
but A's members and the association's staff.
"""

import re
from datetime import timedelta
from types import SimpleNamespace
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from accounts.models import BlockedSource, Invitation, Membership, User
from pledges.models import (
    AuditEvent,
    BannedTerm,
    Campaign,
    Certificate,
    Enterprise,
    Listing,
    Objection,
    ObjectionEvidence,
    OutboxMessage,
    Pledge,
    ProfileChange,
    ReviewNote,
)
from pledges.public.sitemaps import SITEMAPS
from pledges.roles import ADMINISTRATORS
from pledges.services import certificates
from pledges.services.campaign_mail import unsubscribe_token
from pledges.services.enterprises import enterprise_update
from pledges.services.imports import signatories_import
from pledges.services.members import invitation_create
from pledges.services.objections import confirmation_token
from pledges.services.pledges import pledge_approve, pledge_create
from tests import factories
from tests.url_access import REVIEW_URLS, Pattern, body, url_patterns

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member_a", "member_b", "reviewer", "administrator")
LOGIN_PATH = "/accounts/login/"
ADMIN_LOGIN_PATH = "/admin/login/"

# Who may use a URL.
PUBLIC = "public"  # anyone: 200
OWN = "own enterprise"  # signed-in users, each about their own enterprise (none: a welcome)
A_ONLY = "A's members"  # the URL names something of A's: 404 for everyone else
INVITEE = "invitee"  # the invited address only, which none of the roles holds
REVIEWER = "reviewer"  # reviewers and administrators; 403 for enterprises
ADMINISTRATOR = "administrator"  # administrators; 403 for reviewers and enterprises
SUPERUSER = "superuser"  # /admin/: everyone else is sent to its login page
WAY_IN = "way in"  # allauth's pages for getting in: anyone
OWN_ACCOUNT = "own account"  # allauth's pages about the signed-in user: login first


class Access(NamedTuple):
    # "get" for pages (some also take a form's POST); "post" for URLs that only act: those
    # refuse GET, and the walk tries them with POST.
    method: str
    audience: str


PROJECT_URLS = {
    "home": Access("get", PUBLIC),
    "healthz": Access("get", PUBLIC),
    "set_language": Access("post", PUBLIC),
    "sitemap": Access("get", PUBLIC),
    "sitemap_section": Access("get", PUBLIC),
    "public:robots_txt": Access("get", PUBLIC),
    "public:list": Access("get", PUBLIC),
    "public:export": Access("get", PUBLIC),
    "public:pledge": Access("get", PUBLIC),
    "public:stats": Access("get", PUBLIC),
    "public:verify_form": Access("get", PUBLIC),
    "public:verify": Access("get", PUBLIC),
    "public:verify_file": Access("get", PUBLIC),
    "public:verify_credential": Access("get", PUBLIC),
    "public:verify_credential_jwt": Access("get", PUBLIC),
    "public:credential_issuer": Access("get", PUBLIC),
    "public:credential_keys": Access("get", PUBLIC),
    "public:credential_achievement": Access("get", PUBLIC),
    "public:status_list": Access("get", PUBLIC),
    "public:api_index": Access("get", PUBLIC),
    "public:api_pledges": Access("get", PUBLIC),
    "public:api_schema": Access("get", PUBLIC),
    "public:api_history": Access("get", PUBLIC),
    # Its one-click POST (RFC 8058's body, no CSRF token) is tested in test_campaign_mail.
    "public:unsubscribe": Access("get", PUBLIC),
    "public:unsubscribe_confirm": Access("post", PUBLIC),
    "public:object": Access("get", PUBLIC),
    "public:objection_sent": Access("get", PUBLIC),
    "public:objection_confirm": Access("get", PUBLIC),
    "portal:dashboard": Access("get", OWN),
    "portal:enterprise": Access("get", OWN),
    "portal:enterprise_create": Access("get", OWN),
    "portal:enterprise_edit": Access("get", OWN),
    "portal:licence_scan": Access("get", OWN),
    "portal:change_withdraw": Access("post", OWN),
    "portal:team": Access("get", OWN),
    "portal:account": Access("get", OWN),
    "portal:account_data": Access("get", OWN),
    "portal:account_delete": Access("post", OWN),
    "portal:sign": Access("get", OWN),
    "portal:invitation_revoke": Access("post", A_ONLY),
    "portal:invitation_accept": Access("post", INVITEE),
    "portal:pledge": Access("get", A_ONLY),
    "portal:pledge_submit": Access("post", A_ONLY),
    "portal:pledge_withdraw": Access("post", A_ONLY),
    "portal:stamped_page": Access("get", A_ONLY),
    "portal:certificate": Access("get", A_ONLY),
    "portal:objection": Access("get", A_ONLY),
    # The review console's own table (shared with its permission tests).
    **{f"review:{name}": Access(method, who) for name, (method, who) in REVIEW_URLS.items()},
}

# Group rule for allauth: the pages for getting in (signing up or in, confirming an address,
# recovering a password, the second factor at login, logging out) are open to anyone; every
# other allauth page is about the signed-in user's own account and sends others to log in.
ALLAUTH_WAYS_IN = {
    "account_login",
    "account_logout",
    "account_signup",
    "account_inactive",
    "account_email_verification_sent",
    "account_confirm_email",
    "account_confirm_login_code",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "mfa_authenticate",
}
# Group rule for /admin/: superusers only; its login page is open to anyone.
ADMIN_OPEN = {"admin:login"}

# A visitor without an account switches the language without a form token: only their own
# cookie changes, and the public pages, cached for every visitor alike, carry no token.
CSRF_EXEMPT_FOR_ANONYMOUS = {"set_language"}

# Private files, by URL, and who receives A's copy.
PRIVATE_FILES = {
    "portal:licence_scan": "licence_a",
    "portal:stamped_page": "page_a",
    "portal:certificate": "certificate_a",
    "review:licence_scan": "licence_a",
    "review:stamped_page": "page_a",
    "review:certificate": "certificate_a",
    "review:objection_evidence": "evidence_a",
}


def access_for(pattern: Pattern) -> Access | None:
    if pattern.key in PROJECT_URLS:
        return PROJECT_URLS[pattern.key]
    if pattern.namespace == "admin":
        return Access("get", SUPERUSER)
    if pattern.module.startswith("allauth.") and pattern.route.startswith("accounts/"):
        return Access("get", WAY_IN if pattern.name in ALLAUTH_WAYS_IN else OWN_ACCOUNT)
    return None


PATTERNS = {pattern.key: pattern for pattern in url_patterns()}


def test_every_url_pattern_is_classified():
    patterns = url_patterns()
    keys = [pattern.key for pattern in patterns]
    assert len(keys) == len(set(keys)), "two patterns share a name"
    unclassified = sorted(p.key for p in patterns if access_for(p) is None)
    assert not unclassified, f"add these to PROJECT_URLS in {__name__}: {unclassified}"
    # An entry whose URL is gone would hide that a table is out of date.
    assert set(PROJECT_URLS) <= set(keys), sorted(set(PROJECT_URLS) - set(keys))


def test_the_group_rules_name_real_patterns():
    """The group rules classify something, and the allauth list names no page that is gone."""
    patterns = url_patterns()
    audiences = {access_for(p).audience for p in patterns if access_for(p) is not None}
    assert {WAY_IN, OWN_ACCOUNT, SUPERUSER} <= audiences
    allauth_names = {p.name for p in patterns if p.module.startswith("allauth.")}
    assert sorted(ALLAUTH_WAYS_IN - allauth_names) == []
    assert set(PATTERNS) >= ADMIN_OPEN


# --- The site: two enterprises and the association's staff ----------------------------------


@pytest.fixture
def site_of_a_and_b(db, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    """A with a certified pledge from last year, a draft this year, a licence scan and an open
    invitation; B with its own licence and draft; a reviewer and an administrator.

    Files go to a real folder, as in production: the walk also guesses their paths.
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }
    certificate_a = factories.pdf_bytes() + b"%certificate-of-a\n"
    monkeypatch.setattr(certificates, "render_pdf", lambda data: certificate_a)
    monkeypatch.setattr(certificates, "sign_pdf", lambda pdf, key: pdf)
    now = timezone.now()
    campaign = factories.campaign()
    last_year = factories.campaign(campaign.year - 1)

    reviewer = factories.staff("reviewer@association.example")
    administrator = factories.user("admin@association.example", is_staff=True, is_superuser=True)
    administrator.groups.add(Group.objects.get(name=ADMINISTRATORS))
    RecoveryCodes.activate(reviewer)  # a row for the admin's authenticator pages

    owner_a = factories.user("owner-a@example.com")
    enterprise_a = factories.enterprise(
        owner_a,
        name="甲方质量诚信测试有限公司",
        contact_name="赵保密",
        contact_phone="010-11112222",
        contact_email="contact-a@private.example",
    )
    licence_a = factories.png_bytes((71, 91))
    enterprise_update(
        enterprise=enterprise_a,
        actor=owner_a,
        profile={},
        licence=factories.upload(licence_a, "licence.png"),
        licence_type="image/png",
    )
    certified_a = factories.submitted_pledge(enterprise_a, last_year, owner_a)
    with django_capture_on_commit_callbacks(execute=True):
        pledge_approve(pledge=certified_a, actor=reviewer)
    certificate = Certificate.objects.get(pledge=certified_a)
    assert certificate.state == Certificate.State.READY
    # Last year's signing window is over by now.
    Campaign.objects.filter(pk=last_year.pk).update(
        opens_at=now - timedelta(days=400), closes_at=now - timedelta(days=300)
    )
    # A published enterprise's change of public details, waiting for review.
    change_a = enterprise_update(
        enterprise=enterprise_a, actor=owner_a, profile={"city": "怀柔区"}
    ).change
    page_a = factories.jpeg_bytes((73, 93))
    draft_a = pledge_create(
        enterprise=enterprise_a,
        campaign=campaign,
        actor=owner_a,
        signer_name="王芳",
        signer_title="法定代表人",
        signer_authorised=True,
        stamped_page=factories.upload(page_a, "page.jpg", "image/jpeg"),
        stamped_page_type="image/jpeg",
    )
    invitation_a = invitation_create(
        enterprise=enterprise_a, actor=owner_a, email="invitee-a@example.com"
    )
    # An address waiting for confirmation, so the confirmation link has a real key.
    unconfirmed_a = EmailAddress.objects.create(
        user=owner_a, email="second-a@example.com", verified=False, primary=False
    )

    owner_b = factories.user("owner-b@example.com")
    enterprise_b = factories.enterprise(owner_b, province="31", name="乙方质量测试有限公司")
    licence_b = factories.png_bytes((72, 92))
    enterprise_update(
        enterprise=enterprise_b,
        actor=owner_b,
        profile={},
        licence=factories.upload(licence_b, "licence.png"),
        licence_type="image/png",
    )
    factories.complete_draft(enterprise_b, campaign, owner_b)
    # Objections to A's listing: one confirmed, with evidence, one waiting for its author.
    listing_a = Listing.objects.get(pk=certified_a.pk)
    evidence_a = factories.png_bytes((74, 94))
    objection_a = factories.objection(listing_a, evidence=evidence_a)
    unconfirmed_objection_a = factories.objection(
        listing_a, name="钱待确认", email="waiting@objector.example", confirmed=False
    )

    return SimpleNamespace(
        users={
            "anonymous": None,
            "member_a": owner_a,
            "member_b": owner_b,
            "reviewer": reviewer,
            "administrator": administrator,
        },
        campaign=campaign,
        enterprise_a=enterprise_a,
        certified_a=certified_a,
        draft_a=draft_a,
        certificate=certificate,
        invitation_a=invitation_a,
        change_a=change_a,
        objection_a=objection_a,
        blocked=BlockedSource.objects.create(kind="domain", value="spam.example"),
        signatory_import=signatories_import(
            year=campaign.year - 5,
            file_name="earlier.csv",
            data=f"企业名称,统一社会信用代码\n甲公司,{factories.credit_code()}\n".encode(),
            actor=administrator,
        ).record,
        unconfirmed_objection_a=unconfirmed_objection_a,
        banned_term=BannedTerm.objects.order_by("pk").first(),
        confirmation_key=EmailConfirmationHMAC(unconfirmed_a).key,
        reset_uid=user_pk_to_url_str(owner_a),
        reset_key=default_token_generator.make_token(owner_a),
        files={
            "licence_a": licence_a,
            "page_a": page_a,
            "certificate_a": certificate_a,
            "licence_b": licence_b,
            "evidence_a": evidence_a,
        },
        # Who objected: the association's staff only, not even A's members.
        objectors=["李实名", "objector@example.org", "13800001111", "钱待确认"],
        # What only A's members and the association may read about A.
        secrets_a=[
            "contact-a@private.example",
            "010-11112222",
            "赵保密",
            "owner-a@example.com",
            "second-a@example.com",
            "invitee-a@example.com",
        ],
        # What B's members see nothing of in their portal: A at all.
        identity_a=[enterprise_a.name, enterprise_a.credit_code],
        # The admin's objects: A's where the model has them.
        admin_objects={
            Enterprise: enterprise_a.pk,
            Pledge: draft_a.pk,
            User: owner_a.pk,
            Membership: Membership.objects.get(user=owner_a).pk,
            Invitation: invitation_a.pk,
            Campaign: campaign.pk,
            EmailAddress: unconfirmed_a.pk,
            AuditEvent: AuditEvent.objects.filter(pledge=certified_a).first().pk,
        },
    )


# Parameters by name; a few URLs name another of A's objects than its draft.
CERTIFIED_PLEDGE_URLS = {
    "portal:certificate",
    "review:certificate",
    "review:certificate_rerender",
    "public:pledge",
    "public:object",
    "public:objection_sent",
}
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def url_for(pattern: Pattern, site_of_a_and_b) -> str:
    values = {
        "pledge_id": (
            site_of_a_and_b.certified_a.pk
            if pattern.key in CERTIFIED_PLEDGE_URLS
            else site_of_a_and_b.draft_a.pk
        ),
        "invitation_id": site_of_a_and_b.invitation_a.pk,
        "change_id": site_of_a_and_b.change_a.pk,
        "term_id": site_of_a_and_b.banned_term.pk,
        "message_id": OutboxMessage.objects.order_by("pk").first().pk,
        "year": site_of_a_and_b.campaign.year,
        "decision": "approve",
        "user_id": site_of_a_and_b.users["reviewer"].pk,
        "role": "reviewer",
        "number": site_of_a_and_b.certificate.number,
        "section": next(iter(SITEMAPS)),
        "uidb36": site_of_a_and_b.reset_uid,
        "key": (
            site_of_a_and_b.reset_key
            if pattern.name == "account_reset_password_from_key"
            else site_of_a_and_b.confirmation_key
        ),
        "app_label": "pledges",
        "url": "no-such-page/",
        "id": site_of_a_and_b.users["member_a"].pk,
        "content_type_id": ContentType.objects.get_for_model(Pledge).pk,
        "object_id": _admin_object_id(pattern, site_of_a_and_b),
        "objection_id": site_of_a_and_b.objection_a.pk,
        "evidence_id": site_of_a_and_b.objection_a.evidence.get().pk,
        "token": (
            unsubscribe_token(site_of_a_and_b.users["member_a"])
            if pattern.name in ("unsubscribe", "unsubscribe_confirm")
            else confirmation_token(site_of_a_and_b.unconfirmed_objection_a.pk)
        ),
        "blocked_id": site_of_a_and_b.blocked.pk,
        "import_id": site_of_a_and_b.signatory_import.pk,
        "credit_code": Listing.objects.get(pk=site_of_a_and_b.certified_a.pk).credit_code,
    }

    def fill(match):
        return str(values[match.group(1) or match.group(2)])

    path = "/" + PARAMETER.sub(fill, pattern.route).removeprefix("^").removesuffix("$")
    # The filled URL must reach the very pattern under test.
    assert resolve(path).route == pattern.route, (pattern.key, path)
    return path


def _admin_object_id(pattern: Pattern, site_of_a_and_b):
    if pattern.namespace != "admin" or "<path:object_id>" not in pattern.route:
        return None
    if pattern.key == "admin:view_on_site":
        return site_of_a_and_b.draft_a.pk
    app_label, model_name = pattern.route.split("/")[1:3]
    model = apps.get_model(app_label, model_name)
    if model in site_of_a_and_b.admin_objects:
        return site_of_a_and_b.admin_objects[model]
    return model._default_manager.order_by("pk").values_list("pk", flat=True).first()


# --- What must hold after each request -------------------------------------------------------


def everything() -> dict:
    """Every row a request could change, to prove that one changed nothing."""
    tables = [
        Enterprise, Campaign, Pledge, Certificate, ReviewNote, OutboxMessage, Membership,
        Invitation, EmailAddress, Authenticator, Listing, ProfileChange, BannedTerm,
        Objection, ObjectionEvidence, BlockedSource,
    ]  # fmt: skip
    state = {model.__name__: list(model.objects.order_by("pk").values()) for model in tables}
    state["users"] = list(
        User.objects.order_by("pk").values(
            "pk", "email", "password", "is_active", "is_staff", "is_superuser", "language"
        )
    )
    state["groups"] = list(User.groups.through.objects.order_by("pk").values())
    state["events"] = list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True))
    return state


def client_for(role: str, site_of_a_and_b, **kwargs) -> Client:
    client = Client(**kwargs)
    if site_of_a_and_b.users[role] is not None:
        client.force_login(site_of_a_and_b.users[role])
    return client


def signed_in_as(client) -> str | None:
    return client.session.get("_auth_user_id")


def redirect_path(response) -> str:
    assert response.status_code == 302, response.status_code
    return urlsplit(response["Location"]).path


def allowed(access: Access, role: str, key: str) -> bool:
    """Whether ``role`` may use the URL (and so get what it serves)."""
    return {
        PUBLIC: True,
        OWN: role != "anonymous",
        A_ONLY: role == "member_a",
        INVITEE: False,
        REVIEWER: role in ("reviewer", "administrator"),
        ADMINISTRATOR: role == "administrator",
        SUPERUSER: role == "administrator" or key in ADMIN_OPEN,
        WAY_IN: True,
        OWN_ACCOUNT: role != "anonymous",
    }[access.audience]


def assert_refused(access: Access, role: str, key: str, response) -> None:
    """How each audience turns away those it does not serve."""
    status = response.status_code
    if access.audience == SUPERUSER:
        # /admin/logout/ sends those who are not in to the admin's front page instead.
        assert redirect_path(response) in (ADMIN_LOGIN_PATH, "/admin/")
    elif role == "anonymous":
        assert redirect_path(response) == LOGIN_PATH
        assert "next=" in response["Location"]
    elif access.audience in (REVIEWER, ADMINISTRATOR):
        assert status == 403, status
    elif access.audience == A_ONLY and role in ("reviewer", "administrator"):
        # Staff belong to no enterprise: the portal sends them to its front page, or 404.
        assert status in (403, 404) or redirect_path(response) == "/portal/", status
    else:
        assert status in (403, 404), status


def assert_served(
    access: Access, role: str, key: str, response, content: bytes, site_of_a_and_b
) -> None:
    status = response.status_code
    if key in PRIVATE_FILES and (access.audience != OWN or role == "member_a"):
        assert status == 200, status
        assert content == site_of_a_and_b.files[PRIVATE_FILES[key]]
        assert response["Cache-Control"] == "private, no-store"
    elif key == "portal:licence_scan" and role == "member_b":
        assert status == 200, status
        assert content == site_of_a_and_b.files["licence_b"]
    elif access.audience == PUBLIC and access.method == "get":
        assert status == 200, status
    elif access.audience == SUPERUSER and key not in ADMIN_OPEN:
        if _admin_read_view(key):
            assert status == 200, status
        else:
            assert status < 500, status
    else:
        # A page about one's own account or enterprise may have nothing to show (404).
        expected = (200, 302, 404) if access.audience in (OWN, OWN_ACCOUNT) else (200, 302)
        assert status in expected, status
        if status == 302:  # somewhere on this site
            assert urlsplit(response["Location"]).netloc in ("", "testserver"), response["Location"]


def _admin_read_view(key: str) -> bool:
    return key in ("admin:index", "admin:app_list") or key.endswith(
        ("_changelist", "_change", "_history")
    )


def assert_nothing_private_leaks(
    access: Access, role: str, key: str, content: bytes, site_of_a_and_b
):
    for name in ("licence_a", "page_a", "certificate_a", "evidence_a"):
        if site_of_a_and_b.files[name] in content:
            assert key in PRIVATE_FILES and allowed(access, role, key), (name, role)
            assert access.audience != OWN or role == "member_a", (name, role)
    text = content.decode("utf-8", "replace")
    if not _may_read_about_a(access, role, key):
        leaked = [secret for secret in site_of_a_and_b.secrets_a if secret in text]
        assert not leaked, (role, leaked)
    if role not in ("reviewer", "administrator"):
        leaked = [value for value in site_of_a_and_b.objectors if value in text]
        assert not leaked, (role, leaked)
    if role == "member_b" and key.startswith("portal:"):
        leaked = [value for value in site_of_a_and_b.identity_a if value in text]
        assert not leaked, (role, leaked)


def _may_read_about_a(access: Access, role: str, key: str) -> bool:
    if role == "member_a":
        return True
    if key == "account_confirm_email":
        # The link's holder is shown the address it confirms (the key was mailed there).
        return True
    if access.audience in (REVIEWER, ADMINISTRATOR):
        return role in ("reviewer", "administrator")
    return access.audience == SUPERUSER and role == "administrator"


# --- The walk ----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(PATTERNS))
def test_url_walk(key, site_of_a_and_b):
    pattern = PATTERNS[key]
    access = access_for(pattern)
    assert access is not None, f"{key} is not classified"
    url = url_for(pattern, site_of_a_and_b)
    # No URL is exempt from the CSRF check, whoever posts (with one exception, below).
    before = everything()
    for role in ("anonymous", "administrator"):
        client = client_for(role, site_of_a_and_b, enforce_csrf_checks=True)
        refused = not (role == "anonymous" and key in CSRF_EXEMPT_FOR_ANONYMOUS)
        status = client.post(url).status_code
        assert (status == 403) == refused, f"POST {url} as {role} without CSRF token: {status}"
    assert everything() == before
    # Those turned away first: what the others may do changes the world.
    for role in sorted(ROLES, key=lambda role: allowed(access, role, key)):
        visit(role, url, access, key, site_of_a_and_b)


def visit(role: str, url: str, access: Access, key: str, site_of_a_and_b) -> None:
    client = client_for(role, site_of_a_and_b)
    before = everything()
    user_id = signed_in_as(client)

    response = client.get(url)
    where = f"GET {url} as {role}"
    assert response.status_code < 500, where
    assert everything() == before, f"{where} changed something"
    if key == "account_confirm_email" and user_id not in (
        None,
        str(site_of_a_and_b.users["member_a"].pk),
    ):
        # Following another account's confirmation link signs one out, so the address is not
        # confirmed into the wrong account (allauth's rule); it changes no data.
        assert signed_in_as(client) is None, where
        return
    assert signed_in_as(client) == user_id, f"{where} logged out"
    content = body(response)
    assert_nothing_private_leaks(access, role, key, content, site_of_a_and_b)
    if access.method == "post":
        assert response.status_code == 405, where
        response = client.post(url)
        where = f"POST {url} as {role}"
        assert response.status_code < 500, where
        content = body(response)
        assert_nothing_private_leaks(access, role, key, content, site_of_a_and_b)

    try:
        if allowed(access, role, key):
            assert_served(access, role, key, response, content, site_of_a_and_b)
            return
        assert_refused(access, role, key, response)
        if access.method == "get":
            # A form's POST is turned away as its page is.
            where = f"POST {url} as {role}"
            assert_refused(access, role, key, client.post(url))
    except AssertionError as error:
        raise AssertionError(f"{where}: {error}") from error
    assert everything() == before, f"{where} changed something"


def test_an_unpublished_pledge_has_no_public_page_for_anyone(site_of_a_and_b):
    """The walk opens A's published pledge; its draft must not be found, even by A."""
    url = f"/pledges/{site_of_a_and_b.draft_a.pk}/"
    assert resolve(url).view_name == "public:pledge"
    for role in ROLES:
        assert client_for(role, site_of_a_and_b).get(url).status_code == 404, role


# --- Private files cannot be reached by guessing where they are --------------------------------


def test_private_files_are_not_served_from_any_guessable_path(site_of_a_and_b):
    names = [
        site_of_a_and_b.enterprise_a.licence_scan.name,
        site_of_a_and_b.draft_a.stamped_page.name,
        site_of_a_and_b.certificate.file.name,
    ]
    assert all(names)
    prefixes = {"/", "/media/", "/private/", "/var/private/", "/uploads/", "/files/"}
    prefixes |= {settings.STATIC_URL, settings.MEDIA_URL or "/"}
    files = [site_of_a_and_b.files[name] for name in ("licence_a", "page_a", "certificate_a")]
    for role in ("anonymous", "member_a", "administrator"):
        client = client_for(role, site_of_a_and_b)
        for name in names:
            for prefix in prefixes:
                response = client.get(prefix + name)
                assert response.status_code in (302, 404), (role, prefix + name)
                assert body(response) not in files


def test_no_url_pattern_serves_files_by_their_path():
    from django.views.static import serve

    serving = [p.key for p in url_patterns() if p.callback is serve]
    assert not serving
    assert not [p.key for p in url_patterns() if p.route.startswith(("media/", "private/"))]


def test_the_private_folder_is_no_static_folder():
    private = _resolved(settings.PRIVATE_MEDIA_ROOT)
    public = [settings.STATIC_ROOT, *settings.STATICFILES_DIRS]
    if getattr(settings, "WHITENOISE_ROOT", None):
        public.append(settings.WHITENOISE_ROOT)
    for folder in map(_resolved, public):
        assert not private.is_relative_to(folder), folder
        assert not folder.is_relative_to(private), folder


def _resolved(folder):
    from pathlib import Path

    return Path(folder).resolve()


# --- /admin/ is for superusers, not for the Administrators group as such ---------------------


def test_an_administrator_who_is_not_a_superuser_is_kept_out_of_admin(site_of_a_and_b):
    client = Client()
    client.force_login(factories.staff("console-only@association.example", role=ADMINISTRATORS))
    for key in ("admin:index", "admin:pledges_auditevent_changelist", "admin:accounts_user_add"):
        response = client.get(url_for(PATTERNS[key], site_of_a_and_b))
        assert redirect_path(response) == ADMIN_LOGIN_PATH, key
