"""Forged posts: no token, a wrong one, another session's, or one from before login.

Each state-changing view (portal submit and signing, a review decision, the language
switch, logout) is posted to by a logged-in browser with CSRF checks on. Every forgery
gets 403 and changes nothing; the same post with the browser's own token is accepted.
"""

import re
from dataclasses import dataclass

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts.models import User
from pledges.models import AuditEvent, Pledge
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Secret-123"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def page_token(client: Client, url: str) -> str:
    """The token a page gives its forms (and the csrftoken cookie it sets)."""
    response = client.get(url)
    assert response.status_code == 200, url
    found = TOKEN.search(response.content.decode())
    assert found, f"no form token on {url}"
    return found.group(1)


def browser(user: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@dataclass
class Target:
    """A state-changing post, who sends it, and what it would change."""

    who: str
    url: str
    data: dict
    page: str  # a page of the same user that carries a token


@pytest.fixture
def forgery_targets(owner, enterprise, campaign, reviewer):
    draft = factories.complete_draft(enterprise, campaign, owner)
    other_owner = factories.user()
    other = factories.enterprise(other_owner, name="上海精密制造有限公司", province="31")
    waiting = factories.submitted_pledge(other, campaign, other_owner)
    return {
        "owner": owner,
        "reviewer": reviewer,
        "targets": {
            "portal-submit": Target("owner", f"/portal/pledges/{draft.pk}/submit/", {}, "/portal/"),
            "portal-sign": Target(
                "owner",
                f"/portal/sign/{campaign.year}/",
                {"action": "save", "signer_name": "篡改", "signer_title": "篡改"},
                "/portal/",
            ),
            "review-approve": Target(
                "reviewer", f"/review/pledges/{waiting.pk}/approve/", {}, "/review/"
            ),
            "review-reject": Target(
                "reviewer",
                f"/review/pledges/{waiting.pk}/reject/",
                {"standard_reason": "other", "reason": "伪造"},
                "/review/",
            ),
            "language": Target("owner", "/i18n/setlang/", {"language": "en", "next": "/"}, "/"),
            "logout": Target("owner", "/accounts/logout/", {}, "/portal/"),
        },
    }


def state(client: Client) -> dict:
    """What any of the targets could change, including whether the browser is logged in."""
    return {
        "pledges": list(Pledge.objects.order_by("pk").values()),
        "events": AuditEvent.objects.count(),
        "languages": list(User.objects.order_by("pk").values_list("language", flat=True)),
        "logged_in": SESSION_KEY in client.session,
        "language_cookie": client.cookies.get("django_language").value
        if "django_language" in client.cookies
        else None,
    }


TARGETS = ["portal-submit", "portal-sign", "review-approve", "review-reject", "language", "logout"]


@pytest.mark.parametrize("target", TARGETS)
def test_the_browsers_own_token_is_accepted(forgery_targets, target):
    """Control: the forms below are refused for their token alone."""
    spec = forgery_targets["targets"][target]
    client = browser(forgery_targets[spec.who])
    token = page_token(client, spec.page)
    before = state(client)
    response = client.post(spec.url, {**spec.data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302, target
    assert state(client) != before


def forged_tokens(spec, client) -> dict[str, dict]:
    """Each forgery: extra form data and headers."""
    other = browser(factories.user())
    other_token = page_token(other, "/portal/")
    own_token = page_token(client, spec.page)
    return {
        "no token": {},
        "empty token": {"data": {"csrfmiddlewaretoken": ""}},
        "garbage token": {"data": {"csrfmiddlewaretoken": "x" * 64}},
        "own token altered": {
            "data": {"csrfmiddlewaretoken": own_token[:-1] + ("A" if own_token[-1] != "A" else "B")}
        },
        "another session's token": {"data": {"csrfmiddlewaretoken": other_token}},
        "another session's token in the header": {"headers": {"X-CSRFToken": other_token}},
    }


@pytest.mark.parametrize("target", TARGETS)
def test_forged_posts_are_refused_and_change_nothing(forgery_targets, target):
    spec = forgery_targets["targets"][target]
    client = browser(forgery_targets[spec.who])
    for forgery, extra in forged_tokens(spec, client).items():
        before = state(client)
        response = client.post(
            spec.url, {**spec.data, **extra.get("data", {})}, headers=extra.get("headers", {})
        )
        assert response.status_code == 403, forgery
        assert state(client) == before, forgery


@pytest.mark.parametrize("target", TARGETS)
def test_a_post_without_the_csrf_cookie_is_refused(forgery_targets, target):
    """A forged page elsewhere cannot read the cookie; without it even a well-formed token
    (here another session's) is refused."""
    spec = forgery_targets["targets"][target]
    client = browser(forgery_targets[spec.who])
    token = page_token(browser(factories.user()), "/portal/")
    before = state(client)
    assert "csrftoken" not in client.cookies
    response = client.post(spec.url, {**spec.data, "csrfmiddlewaretoken": token})
    assert response.status_code == 403
    assert state(client) == before


def test_a_token_from_before_login_is_not_valid_after_it(forgery_targets):
    """Logging in rotates the CSRF secret: a token captured on the login page (by someone
    who saw that page, or from a shared computer) no longer works once the user is in."""
    client = Client(enforce_csrf_checks=True)
    before_login = page_token(client, "/accounts/login/")
    cookie_before = client.cookies["csrftoken"].value
    response = client.post(
        "/accounts/login/",
        {
            "login": forgery_targets["owner"].email,
            "password": PASSWORD,
            "csrfmiddlewaretoken": before_login,
        },
    )
    assert response.status_code == 302
    assert SESSION_KEY in client.session
    assert client.cookies["csrftoken"].value != cookie_before
    spec = forgery_targets["targets"]["portal-submit"]
    snapshot = state(client)
    replay = client.post(spec.url, {"csrfmiddlewaretoken": before_login})
    assert replay.status_code == 403
    assert state(client) == snapshot
    # The token of a page shown after login works.
    fresh = page_token(client, "/portal/")
    assert client.post(spec.url, {"csrfmiddlewaretoken": fresh}).status_code == 302


def test_a_refused_form_gets_our_page_in_the_users_language(owner):
    """Django's own CSRF page has inline styles, which the policy blocks: ours has none."""
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(owner)
    response = forged.post("/accounts/logout/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 403
    page = response.content.decode()
    assert "表单已失效" in page and "<style" not in page
