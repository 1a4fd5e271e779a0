"""Team: an owner invites a colleague by e-mail; the colleague joins after signing up."""

import pytest
from django.core import mail

from accounts.models import Invitation, Membership
from pledges.errors import DomainError, NotAllowed
from pledges.models import AuditEvent
from pledges.services.enterprises import enterprise_register
from pledges.services.members import invitation_accept, invitation_create
from tests import factories

pytestmark = pytest.mark.django_db


def test_owner_invites_and_the_mail_leaves_after_commit(
    owner_client, enterprise, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = owner_client.post("/portal/team/", {"email": "Colleague@Example.com"})
    assert response.status_code == 302
    assert len(callbacks) == 1
    invitation = Invitation.objects.get()
    assert invitation.email == "colleague@example.com"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["colleague@example.com"]
    assert enterprise.name in mail.outbox[0].subject
    assert "/accounts/signup/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="member_invited", enterprise=enterprise).exists()


def test_colleague_signs_up_and_accepts(
    client, owner, enterprise, django_capture_on_commit_callbacks
):
    invitation_create(enterprise=enterprise, actor=owner, email="colleague@example.com")
    colleague = factories.user("colleague@example.com")
    client.force_login(colleague)
    welcome = client.get("/portal/")
    assert enterprise.name in welcome.content.decode()
    response = client.post(f"/portal/invitations/{Invitation.objects.get().pk}/accept/")
    assert response.status_code == 302
    membership = Membership.objects.get(user=colleague)
    assert membership.enterprise == enterprise
    assert membership.role == Membership.Role.MEMBER
    assert Invitation.objects.get().accepted_by == colleague
    assert client.get("/portal/").context["enterprise"] == enterprise


def test_an_invitation_is_accepted_only_once(owner, enterprise):
    invitation = invitation_create(enterprise=enterprise, actor=owner, email="c@example.com")
    colleague = factories.user("c@example.com")
    invitation_accept(invitation=invitation, actor=colleague)
    with pytest.raises(DomainError):
        invitation_accept(invitation=invitation, actor=colleague)
    assert Membership.objects.filter(user=colleague).count() == 1


def test_an_unverified_address_cannot_accept(owner, enterprise):
    invitation = invitation_create(enterprise=enterprise, actor=owner, email="c@example.com")
    pretender = factories.user("c@example.com", verified=False)
    with pytest.raises(NotAllowed):
        invitation_accept(invitation=invitation, actor=pretender)
    assert not Membership.objects.filter(user=pretender).exists()


def test_members_cannot_invite(owner, enterprise):
    invitation = invitation_create(enterprise=enterprise, actor=owner, email="m@example.com")
    member = factories.user("m@example.com")
    invitation_accept(invitation=invitation, actor=member)
    with pytest.raises(NotAllowed):
        invitation_create(enterprise=enterprise, actor=member, email="x@example.com")


def test_owner_withdraws_an_invitation(owner_client, owner, enterprise):
    invitation = invitation_create(enterprise=enterprise, actor=owner, email="c@example.com")
    response = owner_client.post(f"/portal/team/invitations/{invitation.pk}/withdraw/")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    colleague = factories.user("c@example.com")
    with pytest.raises(DomainError):
        invitation_accept(invitation=invitation, actor=colleague)


def test_reviewers_cannot_join_or_register_an_enterprise(owner, enterprise, reviewer):
    invitation = invitation_create(enterprise=enterprise, actor=owner, email=reviewer.email)
    with pytest.raises(DomainError):
        invitation_accept(invitation=invitation, actor=reviewer)
    with pytest.raises(DomainError):
        enterprise_register(
            actor=reviewer, credit_code=factories.credit_code("11"), profile=factories.profile()
        )
    assert not Membership.objects.filter(user=reviewer).exists()
