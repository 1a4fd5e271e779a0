"""Accounts: e-mail login, mandatory verification by a POSTed confirmation, password reset."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "Quality-Month-2026"


def sign_up(client, email="new@example.com", **extra):
    return client.post(
        "/accounts/signup/",
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
        **extra,
    )


def confirmation_link(message) -> str:
    return re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", message.body).group(0)


def test_email_is_the_login_and_is_stored_lower_case():
    user = User.objects.create_user(email="Boss@Example.COM", password=PASSWORD)
    assert user.email == "boss@example.com"
    assert user.USERNAME_FIELD == "email"
    assert not hasattr(user, "username")


def test_signup_sends_a_confirmation_and_does_not_log_in(client):
    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="new@example.com")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.com"]
    assert client.get("/portal/").status_code == 302  # not logged in


def test_confirmation_link_opens_a_page_and_only_a_post_confirms(client):
    sign_up(client)
    link = confirmation_link(mail.outbox[0])
    path = link.split("://", 1)[1].split("/", 1)[1]

    page = client.get("/" + path)
    assert page.status_code == 200
    assert 'method="post"' in page.content.decode()
    assert not EmailAddress.objects.get(email="new@example.com").verified  # a GET changes nothing

    confirmed = client.post("/" + path)
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(email="new@example.com").verified
    assert client.get("/portal/").status_code == 200  # logged in on confirmation


def test_an_unverified_user_cannot_log_in(client):
    factories.user("pending@example.com", verified=False, password=PASSWORD)
    response = client.post(
        "/accounts/login/", {"login": "pending@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert client.get("/portal/").status_code == 302


def test_a_verified_user_logs_in_with_the_email_address(client):
    factories.user("ok@example.com", password=PASSWORD)
    response = client.post("/accounts/login/", {"login": "OK@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/portal/").status_code == 200


def test_password_reset_sends_a_link(client):
    factories.user("forgot@example.com", password=PASSWORD)
    response = client.post("/accounts/password/reset/", {"email": "forgot@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_failed_logins_are_rate_limited(client):
    """After 5 failures for one address, even the right password is refused for a while."""
    factories.user("target@example.com", password=PASSWORD)
    for _ in range(5):
        client.post("/accounts/login/", {"login": "target@example.com", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"login": "target@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", "too_many_login_attempts")
    assert client.get("/portal/").status_code == 302


def test_signups_from_one_address_are_rate_limited(client):
    statuses = [sign_up(client, f"bulk{i}@example.com").status_code for i in range(22)]
    assert statuses[:20] == [302] * 20
    assert statuses[-1] == 429


def test_signup_language_becomes_the_users_mail_language(client):
    sign_up(client, "english@example.com", HTTP_ACCEPT_LANGUAGE="en")
    assert User.objects.get(email="english@example.com").language == "en"
    sign_up(client, "chinese@example.com")
    assert User.objects.get(email="chinese@example.com").language == "zh-hans"


def test_switching_language_is_a_post_and_remembers_it_for_mails(client):
    user = factories.user("switch@example.com")
    client.force_login(user)
    assert client.get("/i18n/setlang/?language=en").status_code == 405
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/portal/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    page = client.get("/portal/")
    assert page.status_code == 200
    assert 'lang="en"' in page.content.decode()


def test_pages_default_to_simplified_chinese(client):
    page = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in page


def test_staff_land_in_the_review_console_and_enterprises_in_the_portal(client, reviewer, owner):
    for user, landing in ((reviewer, "/review/"), (owner, "/portal/")):
        response = client.post(
            "/accounts/login/", {"login": user.email, "password": "pw-Secret-123"}
        )
        assert response.status_code == 302 and response.url == landing
        client.post("/accounts/logout/")
