"""Reviewer and administrator accounts: permissions, granting, revoking, new accounts."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.utils import translation

from accounts.models import User
from pledges.errors import DomainError, NotAllowed
from pledges.models import AuditEvent
from pledges.services.staff import staff_role_grant, staff_role_revoke
from tests import factories

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action


def groups(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def texts(response) -> list[str]:
    with translation.override("en"):
        return [str(message) for message in get_messages(response.wsgi_request)]


# --- Permissions ------------------------------------------------------------------------

URLS = [
    ("get", "/review/staff/"),
    ("post", "/review/staff/add/"),
    ("post", "/review/staff/{reviewer}/remove/reviewer/"),
]


@pytest.mark.parametrize(("method", "url"), URLS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, reviewer, method, url):
    response = getattr(client, method)(url.format(reviewer=reviewer.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(("method", "url"), URLS)
def test_enterprise_users_and_reviewers_are_refused(
    client, owner, enterprise, reviewer, method, url
):
    for user in (owner, reviewer):
        client.force_login(user)
        response = getattr(client, method)(
            url.format(reviewer=reviewer.pk), {"email": "x@example.com", "role": "reviewer"}
        )
        assert response.status_code == 403
    assert groups(reviewer) == {"Reviewers"}
    assert not User.objects.filter(email="x@example.com").exists()


def test_administrators_see_the_staff(administrator_client, administrator, reviewer):
    response = administrator_client.get("/review/staff/")
    assert response.status_code == 200
    members = {m.email: (m.is_reviewer, m.is_administrator) for m in response.context["members"]}
    assert members == {
        "admin@association.example": (False, True),
        "reviewer@association.example": (True, False),
    }
    content = response.content.decode()
    assert f"/review/staff/{reviewer.pk}/remove/reviewer/" in content
    # No button to remove one's own administrator role.
    assert f"/review/staff/{administrator.pk}/remove/administrator/" not in content


def test_enterprise_users_are_not_listed(administrator_client, owner, enterprise):
    response = administrator_client.get("/review/staff/")
    assert owner.email not in response.content.decode()


@pytest.mark.parametrize("url", ["/review/staff/add/", "/review/staff/1/remove/reviewer/"])
def test_writes_refuse_get(administrator_client, url):
    assert administrator_client.get(url).status_code == 405


def test_posts_need_the_csrf_token(administrator, reviewer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    response = client.post(f"/review/staff/{reviewer.pk}/remove/reviewer/")
    assert response.status_code == 403
    assert groups(reviewer) == {"Reviewers"}


# --- Granting ---------------------------------------------------------------------------


def test_an_existing_user_becomes_a_reviewer(administrator_client, administrator):
    person = factories.user("colleague@association.example")
    response = administrator_client.post(
        "/review/staff/add/", {"email": "Colleague@Association.example", "role": "reviewer"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/review/staff/"
    assert groups(person) == {"Reviewers"}
    assert person.has_usable_password()
    assert mail.outbox == []
    event = AuditEvent.objects.get(action=Action.STAFF_ROLE_GRANTED)
    assert event.actor == administrator
    assert event.details == {
        "user_id": person.pk,
        "email": "colleague@association.example",
        "role": "reviewer",
    }


def test_a_new_address_gets_an_account_and_a_password_link(
    administrator_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = administrator_client.post(
            "/review/staff/add/",
            {"email": "new.admin@association.example", "role": "administrator"},
        )
    assert response.status_code == 302
    person = User.objects.get(email="new.admin@association.example")
    assert groups(person) == {"Administrators"}
    assert not person.has_usable_password()
    address = EmailAddress.objects.get(user=person)
    assert (address.email, address.verified, address.primary) == (person.email, True, True)
    assert AuditEvent.objects.filter(action=Action.STAFF_ROLE_GRANTED).count() == 1

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.admin@association.example"]
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", message.body).group(0)

    # The link lets them choose a password, after which they can log in and work.
    path = link.split("://", 1)[1].split("/", 1)[1]
    anonymous = Client()
    response = anonymous.get("/" + path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else "/" + path
    response = anonymous.post(
        form_url, {"password1": "Quality-Month-2025", "password2": "Quality-Month-2025"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("Quality-Month-2025")


def test_the_mail_is_sent_only_after_commit(administrator_client):
    administrator_client.post(
        "/review/staff/add/", {"email": "later@association.example", "role": "reviewer"}
    )
    # The test's transaction never commits, so nothing left.
    assert mail.outbox == []


def test_an_enterprise_member_cannot_become_staff(administrator_client, owner, enterprise):
    response = administrator_client.post(
        "/review/staff/add/", {"email": owner.email, "role": "reviewer"}
    )
    assert response.status_code == 200
    assert any("belongs to an enterprise" in text for text in texts(response))
    assert groups(owner) == set()
    assert not AuditEvent.objects.filter(action=Action.STAFF_ROLE_GRANTED).exists()


def test_a_role_is_not_granted_twice(administrator_client, reviewer):
    response = administrator_client.post(
        "/review/staff/add/", {"email": reviewer.email, "role": "reviewer"}
    )
    assert response.status_code == 200
    assert any("already has the role" in text for text in texts(response))
    assert AuditEvent.objects.filter(action=Action.STAFF_ROLE_GRANTED).count() == 0


def test_a_reviewer_can_also_become_administrator(administrator_client, reviewer):
    response = administrator_client.post(
        "/review/staff/add/", {"email": reviewer.email, "role": "administrator"}
    )
    assert response.status_code == 302
    assert groups(reviewer) == {"Reviewers", "Administrators"}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not an address", "role": "reviewer"}, "email"),
        ({"email": "", "role": "reviewer"}, "email"),
        ({"email": "a@example.com", "role": "superuser"}, "role"),
        ({"email": "a@example.com"}, "role"),
    ],
)
def test_bad_input_is_shown_at_the_field(administrator_client, data, field):
    response = administrator_client.post("/review/staff/add/", data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not User.objects.filter(email="a@example.com").exists()


def test_the_service_refuses_an_unknown_role(administrator):
    with pytest.raises(DomainError):
        staff_role_grant(actor=administrator, email="a@example.com", role="owner")
    assert not User.objects.filter(email="a@example.com").exists()


# --- Revoking ---------------------------------------------------------------------------


def test_administrator_removes_a_reviewer(administrator_client, administrator, reviewer):
    response = administrator_client.post(f"/review/staff/{reviewer.pk}/remove/reviewer/")
    assert response.status_code == 302
    assert groups(reviewer) == set()
    event = AuditEvent.objects.get(action=Action.STAFF_ROLE_REVOKED)
    assert event.actor == administrator
    assert event.details["role"] == "reviewer"
    assert event.details["user_id"] == reviewer.pk
    # The former reviewer is out of the console at once.
    former = Client()
    former.force_login(User.objects.get(pk=reviewer.pk))
    assert former.get("/review/exports/").status_code == 403


def test_an_administrator_cannot_remove_their_own_role(administrator_client, administrator):
    response = administrator_client.post(f"/review/staff/{administrator.pk}/remove/administrator/")
    assert response.status_code == 302
    assert any("your own administrator role" in text for text in texts(response))
    assert groups(administrator) == {"Administrators"}
    assert not AuditEvent.objects.filter(action=Action.STAFF_ROLE_REVOKED).exists()


def test_an_administrator_may_drop_their_own_reviewer_role(administrator_client, administrator):
    administrator.groups.add(Group.objects.get(name="Reviewers"))
    response = administrator_client.post(f"/review/staff/{administrator.pk}/remove/reviewer/")
    assert response.status_code == 302
    assert groups(administrator) == {"Administrators"}


def test_another_administrator_can_be_removed(administrator_client):
    other = factories.staff("other.admin@association.example", role="Administrators")
    administrator_client.post(f"/review/staff/{other.pk}/remove/administrator/")
    assert groups(other) == set()


def test_removing_a_role_someone_does_not_have(administrator_client, reviewer):
    response = administrator_client.post(f"/review/staff/{reviewer.pk}/remove/administrator/")
    assert response.status_code == 302
    assert any("does not have the role" in text for text in texts(response))
    assert groups(reviewer) == {"Reviewers"}
    assert not AuditEvent.objects.filter(action=Action.STAFF_ROLE_REVOKED).exists()


@pytest.mark.parametrize(
    "url",
    [
        "/review/staff/{pk}/remove/superuser/",
        "/review/staff/999999/remove/reviewer/",
        "/review/staff/99999999999999999999999/remove/reviewer/",
    ],
)
def test_unknown_people_and_roles_are_not_found(administrator_client, reviewer, url):
    assert administrator_client.post(url.format(pk=reviewer.pk)).status_code == 404
    assert groups(reviewer) == {"Reviewers"}


def test_the_service_refuses_removing_ones_own_administrator_role(administrator):
    with pytest.raises(NotAllowed):
        staff_role_revoke(actor=administrator, user=administrator, role="administrator")
    assert groups(administrator) == {"Administrators"}
