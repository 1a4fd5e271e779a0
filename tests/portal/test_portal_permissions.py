"""Who may see and do what in the portal.

Two enterprises, A and B, each with an owner, a licence scan, a complete draft pledge with a
stamped page and an open invitation; A also has a plain member. Every test checks the
outcome (status, what the page or file contains, what is stored), not only a status code.
"""

from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from accounts.models import Invitation, Membership
from pledges.models import AuditEvent, Enterprise, Pledge
from pledges.services.enterprises import enterprise_update
from pledges.services.members import invitation_accept, invitation_create
from pledges.services.pledges import pledge_create
from tests import factories

# Pages in English, so messages read the same with or without the compiled catalogues.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_client")]

LOGIN_PATH = "/accounts/login/"


def english_browser(**kwargs) -> Client:
    return Client(headers={"accept-language": "en"}, **kwargs)


def _side(letter: str, province: str, campaign, licence: bytes, page: bytes):
    owner = factories.user(f"owner-{letter}@example.com")
    enterprise = factories.enterprise(owner, province=province, name=f"企业{letter}有限公司")
    enterprise_update(
        enterprise=enterprise,
        actor=owner,
        profile={},
        licence=factories.upload(licence, "licence.png"),
        licence_type="image/png",
    )
    pledge = pledge_create(
        enterprise=enterprise,
        campaign=campaign,
        actor=owner,
        signer_name=f"签署人{letter}",
        signer_title="总经理",
        signer_authorised=True,
        stamped_page=factories.upload(page, "page.jpg", "image/jpeg"),
        stamped_page_type="image/jpeg",
    )
    invitation = invitation_create(
        enterprise=enterprise, actor=owner, email=f"invitee-{letter}@example.com"
    )
    return owner, enterprise, pledge, invitation, licence, page


@pytest.fixture
def two_enterprises(db):
    """Enterprises A (Beijing) and B (Shanghai), built through the real services.

    The uploaded bytes are kept here: the tests compare served files with them instead of
    reading the storage (the in-memory test storage shares one stream per file, so reading
    it would disturb a streaming response)."""
    campaign = factories.campaign()
    a = _side("a", "11", campaign, factories.png_bytes((61, 81)), factories.jpeg_bytes((63, 83)))
    b = _side("b", "31", campaign, factories.png_bytes((62, 82)), factories.jpeg_bytes((64, 84)))
    member_a = factories.user("member-a@example.com")
    invitation_accept(
        invitation=invitation_create(enterprise=a[1], actor=a[0], email=member_a.email),
        actor=member_a,
    )
    return SimpleNamespace(
        campaign=campaign,
        owner_a=a[0],
        enterprise_a=a[1],
        pledge_a=a[2],
        invitation_a=a[3],
        licence_a=a[4],
        page_a=a[5],
        member_a=member_a,
        owner_b=b[0],
        enterprise_b=b[1],
        pledge_b=b[2],
        invitation_b=b[3],
        licence_b=b[4],
        page_b=b[5],
        outsider=factories.user("outsider@example.com"),
    )


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def state_of_everything() -> dict:
    """Every row the portal's actions change, to prove a refused request changed nothing."""
    return {
        "enterprises": list(Enterprise.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "pledges": list(Pledge.objects.order_by("pk").values()),
        "invitations": list(Invitation.objects.order_by("pk").values()),
        "events": AuditEvent.objects.count(),
    }


def login(user, **kwargs) -> Client:
    client = english_browser(**kwargs)
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def urls(two_enterprises) -> dict[str, str]:
    year, pa, pb = (
        two_enterprises.campaign.year,
        two_enterprises.pledge_a.pk,
        two_enterprises.pledge_b.pk,
    )
    return {
        "dashboard": "/portal/",
        "enterprise": "/portal/enterprise/",
        "enterprise_create": "/portal/enterprise/new/",
        "enterprise_edit": "/portal/enterprise/edit/",
        "licence": "/portal/enterprise/licence/",
        "team": "/portal/team/",
        "sign": f"/portal/sign/{year}/",
        "pledge_a": f"/portal/pledges/{pa}/",
        "stamped_a": f"/portal/pledges/{pa}/stamped-page/",
        "submit_a": f"/portal/pledges/{pa}/submit/",
        "withdraw_a": f"/portal/pledges/{pa}/withdraw/",
        "pledge_b": f"/portal/pledges/{pb}/",
        "stamped_b": f"/portal/pledges/{pb}/stamped-page/",
        "submit_b": f"/portal/pledges/{pb}/submit/",
        "withdraw_b": f"/portal/pledges/{pb}/withdraw/",
        "revoke_a": f"/portal/team/invitations/{two_enterprises.invitation_a.pk}/withdraw/",
        "revoke_b": f"/portal/team/invitations/{two_enterprises.invitation_b.pk}/withdraw/",
        "accept_a": f"/portal/invitations/{two_enterprises.invitation_a.pk}/accept/",
        "accept_b": f"/portal/invitations/{two_enterprises.invitation_b.pk}/accept/",
    }


def assert_login_redirect(response, path: str) -> None:
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == LOGIN_PATH
    assert parse_qs(location.query) == {"next": [path]}


# --- Anonymous visitors -----------------------------------------------------------------

PAGES = [
    "dashboard", "enterprise", "enterprise_create", "enterprise_edit", "licence", "team",
    "sign", "pledge_a", "stamped_a",
]  # fmt: skip
ACTIONS = ["submit_a", "withdraw_a", "revoke_a", "accept_a"]
FORMS = ["enterprise_create", "enterprise_edit", "team", "sign"]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_get_of_a_portal_page_redirects_to_login(client, two_enterprises, page):
    """Every portal page (and private file) sends an anonymous visitor to the login page,
    with ?next= pointing back, and reveals nothing."""
    path = urls(two_enterprises)[page]
    response = client.get(path)
    assert_login_redirect(response, path)
    assert "企业a".encode() not in body(response)
    assert two_enterprises.page_a not in body(response)


@pytest.mark.parametrize("action", ACTIONS + FORMS)
def test_anonymous_post_to_a_portal_url_redirects_to_login_and_changes_nothing(
    client, two_enterprises, action
):
    """Every state-changing URL and every form, posted anonymously, redirects to login and
    stores nothing (no submission, withdrawal, acceptance, invitation, edit)."""
    path = urls(two_enterprises)[action]
    before = state_of_everything()
    response = client.post(
        path,
        {"email": "new@example.com", "action": "submit", "name": "篡改", "signer_name": "x"},
    )
    assert_login_redirect(response, path)
    assert state_of_everything() == before


# --- Another enterprise's objects -------------------------------------------------------


@pytest.fixture(params=["owner_a", "member_a"])
def client_a(request, two_enterprises):
    """A logged-in owner, then a plain member, of enterprise A."""
    return login(getattr(two_enterprises, request.param))


def test_control_a_sees_its_own_pledge_and_stamped_page(client_a, two_enterprises):
    """Control for the 404s below: A's people do see A's pledge and its file."""
    response = client_a.get(urls(two_enterprises)["pledge_a"])
    assert response.status_code == 200
    assert "企业a有限公司" in response.content.decode()
    response = client_a.get(urls(two_enterprises)["stamped_a"])
    assert response.status_code == 200
    assert body(response) == two_enterprises.page_a


def test_guessed_pledge_of_b_is_404_without_leaking(client_a, two_enterprises):
    """A user of A who guesses B's pledge URL gets 404, and the page names nothing of B."""
    response = client_a.get(urls(two_enterprises)["pledge_b"])
    assert response.status_code == 404
    html = response.content.decode()
    assert "企业b" not in html
    assert two_enterprises.pledge_b.signer_name not in html


def test_guessed_stamped_page_of_b_is_404_and_never_the_file(client_a, two_enterprises):
    """B's stamped page is not served to A: 404 and none of B's bytes."""
    response = client_a.get(urls(two_enterprises)["stamped_b"])
    assert response.status_code == 404
    assert two_enterprises.page_b not in body(response)


@pytest.mark.parametrize("action", ["submit_b", "withdraw_b", "revoke_b", "accept_b"])
def test_guessed_action_on_b_is_404_and_changes_nothing(client_a, two_enterprises, action):
    """Submitting or withdrawing B's (complete, submittable) pledge, or withdrawing or
    accepting B's invitation, from A's account: 404, and B's pledge stays a draft and its
    invitation stays open."""
    before = state_of_everything()
    response = client_a.post(urls(two_enterprises)[action])
    assert response.status_code == 404
    assert state_of_everything() == before
    two_enterprises.pledge_b.refresh_from_db()
    two_enterprises.invitation_b.refresh_from_db()
    assert two_enterprises.pledge_b.state == Pledge.State.DRAFT
    assert two_enterprises.invitation_b.is_open


def test_control_owner_of_b_can_submit_b(two_enterprises):
    """Control: the same submit URL works for B's owner, so the 404 above is about who asks."""
    response = login(two_enterprises.owner_b).post(urls(two_enterprises)["submit_b"])
    assert response.status_code == 302
    two_enterprises.pledge_b.refresh_from_db()
    assert two_enterprises.pledge_b.state == Pledge.State.SUBMITTED


# --- Private files ----------------------------------------------------------------------


def assert_private_file(response, content: bytes, content_type: str) -> None:
    assert response.status_code == 200
    assert body(response) == content
    assert response["Content-Type"] == content_type
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("who", ["owner_a", "member_a"])
def test_licence_scan_is_served_to_members_privately(two_enterprises, who):
    """Owner and plain member of A get A's licence, marked private/no-store."""
    response = login(getattr(two_enterprises, who)).get(urls(two_enterprises)["licence"])
    assert_private_file(response, two_enterprises.licence_a, "image/png")


def test_licence_url_serves_only_the_users_own_enterprise(two_enterprises):
    """The licence URL has no id: B's owner gets B's licence, never A's."""
    response = login(two_enterprises.owner_b).get(urls(two_enterprises)["licence"])
    assert_private_file(response, two_enterprises.licence_b, "image/png")
    assert two_enterprises.licence_a != two_enterprises.licence_b


def test_licence_url_without_an_enterprise_never_serves_a_file(two_enterprises):
    """A user who belongs to no enterprise gets 404 or a redirect, never a licence."""
    response = login(two_enterprises.outsider).get(urls(two_enterprises)["licence"])
    assert response.status_code in (302, 404)
    content = body(response)
    assert two_enterprises.licence_a not in content
    assert two_enterprises.licence_b not in content


def test_licence_url_of_an_enterprise_without_a_scan_is_404(two_enterprises):
    """An enterprise that never uploaded a licence gets 404 (no empty or foreign file)."""
    owner = factories.user("no-scan@example.com")
    factories.enterprise(owner, province="44")
    response = login(owner).get(urls(two_enterprises)["licence"])
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["owner_a", "member_a"])
def test_stamped_page_is_served_to_members_privately(two_enterprises, who):
    """Owner and plain member of A get A's stamped page, marked private/no-store."""
    response = login(getattr(two_enterprises, who)).get(urls(two_enterprises)["stamped_a"])
    assert_private_file(response, two_enterprises.page_a, "image/jpeg")


@pytest.mark.parametrize("who", ["owner_b", "outsider"])
def test_stamped_page_is_not_served_to_others(two_enterprises, who):
    """B's owner and a user without an enterprise get 404 or a redirect for A's stamped
    page, never its bytes."""
    response = login(getattr(two_enterprises, who)).get(urls(two_enterprises)["stamped_a"])
    assert response.status_code in (302, 404)
    assert two_enterprises.page_a not in body(response)


# --- Methods and CSRF -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "who"),
    [
        ("submit_a", "owner_a"),
        ("withdraw_a", "owner_a"),
        ("revoke_a", "owner_a"),
        ("accept_a", "invitee"),
    ],
)
def test_state_changing_urls_refuse_get(two_enterprises, action, who):
    """GET on submit, withdraw, invitation withdraw and accept is 405 for the very person
    who could POST, and changes nothing."""
    user = factories.user("invitee-a@example.com") if who == "invitee" else two_enterprises.owner_a
    before = state_of_everything()
    response = login(user).get(urls(two_enterprises)[action])
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    assert state_of_everything() == before


@pytest.mark.parametrize(
    ("target", "who", "data"),
    [
        ("submit_a", "owner_a", {}),
        ("withdraw_a", "owner_a", {}),
        ("revoke_a", "owner_a", {}),
        ("accept_a", "invitee", {}),
        ("team", "owner_a", {"email": "new@example.com"}),
        ("enterprise_edit", "owner_a", {"name": "篡改有限公司"}),
        ("sign", "owner_a", {"action": "save", "signer_name": "篡改"}),
        ("enterprise_create", "outsider", {"name": "篡改有限公司"}),
    ],
)
def test_posts_without_a_csrf_token_are_forbidden(two_enterprises, target, who, data):
    """With CSRF checks on, a POST without a token is 403 and changes nothing."""
    user = (
        factories.user("invitee-a@example.com")
        if who == "invitee"
        else getattr(two_enterprises, who)
    )
    client = login(user, enforce_csrf_checks=True)
    before = state_of_everything()
    response = client.post(urls(two_enterprises)[target], data)
    assert response.status_code == 403
    assert state_of_everything() == before


def test_control_post_with_the_csrf_token_is_accepted(two_enterprises):
    """Control for the 403s: the same client, sending the token from the page, submits."""
    client = login(two_enterprises.owner_a, enforce_csrf_checks=True)
    page = client.get(urls(two_enterprises)["pledge_a"])
    assert page.status_code == 200
    token = client.cookies["csrftoken"].value
    response = client.post(urls(two_enterprises)["submit_a"], {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    two_enterprises.pledge_a.refresh_from_db()
    assert two_enterprises.pledge_a.state == Pledge.State.SUBMITTED


# --- Owner and plain member -------------------------------------------------------------


def test_plain_member_cannot_invite(two_enterprises):
    """A member (not owner) who posts the invitation form creates no invitation, no event
    and no mail, and is not offered the form."""
    client = login(two_enterprises.member_a)
    page = client.get(urls(two_enterprises)["team"])
    assert 'name="email"' not in page.content.decode()
    before = state_of_everything()
    response = client.post(urls(two_enterprises)["team"], {"email": "colleague@example.com"})
    assert response.status_code == 200
    assert not Invitation.objects.filter(email="colleague@example.com").exists()
    assert state_of_everything() == before
    assert response.context["form"].errors["email"]


def test_plain_member_cannot_withdraw_an_invitation(two_enterprises):
    """A member who posts the withdraw URL of their own enterprise's open invitation is
    refused with a message; the invitation stays open and no event is recorded."""
    before = state_of_everything()
    response = login(two_enterprises.member_a).post(urls(two_enterprises)["revoke_a"], follow=True)
    assert response.redirect_chain[0] == ("/portal/team/", 302)
    assert any("owner" in message for message in messages_of(response))
    two_enterprises.invitation_a.refresh_from_db()
    assert two_enterprises.invitation_a.is_open
    assert state_of_everything() == before


def test_control_owner_can_withdraw_an_invitation(two_enterprises):
    """Control: the owner's same request withdraws it and records the event."""
    response = login(two_enterprises.owner_a).post(urls(two_enterprises)["revoke_a"])
    assert response.status_code == 302
    two_enterprises.invitation_a.refresh_from_db()
    assert two_enterprises.invitation_a.revoked_at is not None
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.INVITATION_REVOKED, enterprise=two_enterprises.enterprise_a
    ).exists()


@pytest.mark.parametrize("who", ["owner_a", "member_a"])
def test_member_of_an_enterprise_cannot_register_a_second_one(two_enterprises, who):
    """Someone who already acts for A is sent to A's profile by the registration URL; a
    complete, valid registration posted there creates nothing."""
    data = {
        "credit_code": factories.credit_code("11"),
        "name": "第二家有限公司",
        "province": "11",
        "city": "北京市",
        "industry": "13",
        "legal_representative": "王芳",
        "address": "北京市海淀区中关村大街2号",
        "contact_name": "李雷",
        "contact_phone": "010-88886666",
        "contact_email": "contact@example.com",
    }
    before = state_of_everything()
    response = login(getattr(two_enterprises, who)).post(
        urls(two_enterprises)["enterprise_create"], data
    )
    assert response.status_code == 302
    assert response["Location"] == "/portal/enterprise/"
    assert state_of_everything() == before
    assert not Enterprise.objects.filter(name="第二家有限公司").exists()


# --- Accepting an invitation ------------------------------------------------------------


def test_invited_verified_user_accepts_and_becomes_a_member(two_enterprises):
    """The user whose verified address is the invited one accepts: they become a plain
    member of A, the invitation is closed and a member_joined event names them."""
    invitee = factories.user("invitee-a@example.com")
    response = login(invitee).post(urls(two_enterprises)["accept_a"])
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    membership = Membership.objects.get(user=invitee)
    assert (membership.enterprise, membership.role) == (two_enterprises.enterprise_a, "member")
    two_enterprises.invitation_a.refresh_from_db()
    assert two_enterprises.invitation_a.accepted_by == invitee
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.MEMBER_JOINED,
        actor=invitee,
        enterprise=two_enterprises.enterprise_a,
    ).exists()


def test_invited_address_matching_in_another_case_can_accept(two_enterprises):
    """Addresses compare case-insensitively: Invitee-A@Example.com (verified) may accept."""
    invitee = factories.user("Invitee-A@Example.com")
    response = login(invitee).post(urls(two_enterprises)["accept_a"])
    assert response.status_code == 302
    assert Membership.objects.get(user=invitee).enterprise == two_enterprises.enterprise_a


@pytest.mark.parametrize(
    "who",
    ["unverified-invitee", "other-verified-user", "owner_b", "member_a", "outsider"],
)
def test_others_cannot_accept_an_invitation(two_enterprises, who):
    """Anyone but the verified invitee (the same address unverified, another user, another
    enterprise's owner, an existing member) gets 404 and nothing changes."""
    if who == "unverified-invitee":
        user = factories.user("invitee-a@example.com", verified=False)
    elif who == "other-verified-user":
        user = factories.user("someone-else@example.com")
    else:
        user = getattr(two_enterprises, who)
    before = state_of_everything()
    response = login(user).post(urls(two_enterprises)["accept_a"])
    assert response.status_code == 404
    assert state_of_everything() == before


def test_withdrawn_or_accepted_invitation_cannot_be_accepted(two_enterprises):
    """Once an invitation is withdrawn, even its verified invitee gets 404; an accepted one
    cannot be accepted a second time."""
    invitee = factories.user("invitee-a@example.com")
    login(two_enterprises.owner_a).post(urls(two_enterprises)["revoke_a"])
    before = state_of_everything()
    assert login(invitee).post(urls(two_enterprises)["accept_a"]).status_code == 404
    assert state_of_everything() == before

    invitee_b = factories.user("invitee-b@example.com")
    client = login(invitee_b)
    assert client.post(urls(two_enterprises)["accept_b"]).status_code == 302
    before = state_of_everything()
    assert client.post(urls(two_enterprises)["accept_b"]).status_code == 404
    assert state_of_everything() == before


def test_invitee_who_already_belongs_to_an_enterprise_is_refused_with_a_message(two_enterprises):
    """A verified invitee who registered their own enterprise meanwhile cannot join A too:
    no second membership, the invitation stays open, and they are told why."""
    invitee = factories.user("invitee-a@example.com")
    own = factories.enterprise(invitee, province="44")
    before = state_of_everything()
    response = login(invitee).post(urls(two_enterprises)["accept_a"], follow=True)
    assert response.status_code == 200
    assert any("already belongs" in message for message in messages_of(response))
    assert Membership.objects.get(user=invitee).enterprise == own
    assert state_of_everything() == before
