"""The life of a pledge: each transition, each illegal one, the events and the snapshot."""

import hashlib

import pytest

from pledges.errors import (
    ConcurrentChange,
    DomainError,
    IllegalTransition,
    IncompletePledge,
    SigningClosed,
)
from pledges.models import AuditEvent, Pledge
from pledges.services import pledges as services
from tests import factories

pytestmark = pytest.mark.django_db
State = Pledge.State


complete_draft = factories.complete_draft


def in_state(state, enterprise, campaign, actor, reviewer):
    """A pledge brought to ``state`` through the real transitions."""
    pledge = complete_draft(enterprise, campaign, actor)
    if state == State.DRAFT:
        return pledge
    if state == State.WITHDRAWN:
        return services.pledge_withdraw(pledge=pledge, actor=actor)
    services.pledge_submit(pledge=pledge, actor=actor)
    if state == State.APPROVED:
        services.pledge_approve(pledge=pledge, actor=reviewer)
    elif state == State.CHANGES_REQUESTED:
        services.pledge_request_changes(pledge=pledge, actor=reviewer, reason="请重新上传")
    elif state == State.REJECTED:
        services.pledge_reject(pledge=pledge, actor=reviewer, reason="信息不实")
    elif state == State.REVOKED:
        services.pledge_approve(pledge=pledge, actor=reviewer)
        services.pledge_revoke(pledge=pledge, actor=reviewer, reason="质量事故")
    assert Pledge.objects.get(pk=pledge.pk).state == state
    return pledge


@pytest.fixture
def staff_user(db):
    return factories.user("reviewer@example.com", is_staff=True)


def test_draft_stores_the_campaign_text_and_its_sha256(enterprise, campaign, owner):
    pledge = complete_draft(enterprise, campaign, owner)
    pledge.refresh_from_db()
    assert pledge.state == State.DRAFT
    assert pledge.text_snapshot == campaign.pledge_text
    assert pledge.text_sha256 == hashlib.sha256(campaign.pledge_text.encode()).hexdigest()
    event = AuditEvent.objects.get(pledge=pledge)
    assert (event.action, event.to_state, event.actor) == ("pledge_created", "draft", owner)


def test_submit_moves_draft_to_submitted_with_one_event(enterprise, campaign, owner):
    pledge = complete_draft(enterprise, campaign, owner)
    services.pledge_submit(pledge=pledge, actor=owner)
    pledge.refresh_from_db()
    assert pledge.state == State.SUBMITTED
    assert pledge.submitted_at is not None
    event = pledge.events.get(action="pledge_submitted")
    assert (event.from_state, event.to_state, event.actor) == ("draft", "submitted", owner)


def test_resubmission_after_changes_requested(enterprise, campaign, owner, staff_user):
    pledge = in_state(State.CHANGES_REQUESTED, enterprise, campaign, owner, staff_user)
    services.pledge_update(
        pledge=pledge,
        actor=owner,
        signer_name="王芳",
        signer_title="总经理",
        signer_authorised=True,
        stamped_page=factories.upload(factories.pdf_bytes(), "p.pdf", "application/pdf"),
        stamped_page_type="application/pdf",
    )
    services.pledge_submit(pledge=pledge, actor=owner)
    pledge.refresh_from_db()
    assert pledge.state == State.SUBMITTED
    assert pledge.signer_title == "总经理"
    assert pledge.stamped_page.name.endswith(".pdf")
    actions = list(pledge.events.values_list("action", flat=True))
    assert actions == [
        "pledge_created",
        "pledge_submitted",
        "pledge_changes_requested",
        "pledge_edited",
        "pledge_resubmitted",
    ]
    reasons = dict(pledge.events.values_list("action", "reason"))
    assert reasons["pledge_changes_requested"] == "请重新上传"


@pytest.mark.parametrize("state", [State.DRAFT, State.SUBMITTED, State.CHANGES_REQUESTED])
def test_withdraw_is_allowed_before_a_decision(state, enterprise, campaign, owner, staff_user):
    pledge = in_state(state, enterprise, campaign, owner, staff_user)
    services.pledge_withdraw(pledge=pledge, actor=owner)
    assert Pledge.objects.get(pk=pledge.pk).state == State.WITHDRAWN
    assert pledge.events.filter(action="pledge_withdrawn", from_state=state).count() == 1


ILLEGAL = [
    # (state, service name)
    (State.SUBMITTED, "pledge_submit"),
    (State.APPROVED, "pledge_submit"),
    (State.REJECTED, "pledge_submit"),
    (State.WITHDRAWN, "pledge_submit"),
    (State.REVOKED, "pledge_submit"),
    (State.APPROVED, "pledge_withdraw"),
    (State.REJECTED, "pledge_withdraw"),
    (State.WITHDRAWN, "pledge_withdraw"),
    (State.REVOKED, "pledge_withdraw"),
    (State.DRAFT, "pledge_approve"),
    (State.CHANGES_REQUESTED, "pledge_approve"),
    (State.APPROVED, "pledge_approve"),
    (State.DRAFT, "pledge_revoke"),
    (State.SUBMITTED, "pledge_revoke"),
    (State.DRAFT, "pledge_reject"),
]


@pytest.mark.parametrize(("state", "service"), ILLEGAL)
def test_illegal_transitions_raise_and_write_nothing(
    state, service, enterprise, campaign, owner, staff_user
):
    pledge = in_state(state, enterprise, campaign, owner, staff_user)
    events_before = AuditEvent.objects.count()
    kwargs = {"reason": "理由"} if service in ("pledge_revoke", "pledge_reject") else {}
    with pytest.raises(IllegalTransition):
        getattr(services, service)(pledge=pledge, actor=owner, **kwargs)
    assert Pledge.objects.get(pk=pledge.pk).state == state
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize("state", [State.SUBMITTED, State.APPROVED, State.REJECTED])
def test_only_draft_or_changes_requested_can_be_edited(
    state, enterprise, campaign, owner, staff_user
):
    pledge = in_state(state, enterprise, campaign, owner, staff_user)
    with pytest.raises(IllegalTransition):
        services.pledge_update(
            pledge=pledge, actor=owner, signer_name="x", signer_title="y", signer_authorised=True
        )
    assert Pledge.objects.get(pk=pledge.pk).signer_name == "王芳"


def test_decisions_that_need_a_reason_refuse_an_empty_one(enterprise, campaign, owner, staff_user):
    pledge = in_state(State.SUBMITTED, enterprise, campaign, owner, staff_user)
    for service in (services.pledge_request_changes, services.pledge_reject):
        with pytest.raises(DomainError):
            service(pledge=pledge, actor=staff_user, reason="   ")
    assert Pledge.objects.get(pk=pledge.pk).state == State.SUBMITTED


def test_an_incomplete_draft_cannot_be_submitted(enterprise, campaign, owner):
    pledge = services.pledge_create(
        enterprise=enterprise, campaign=campaign, actor=owner, signer_name="王芳"
    )
    with pytest.raises(IncompletePledge):
        services.pledge_submit(pledge=pledge, actor=owner)
    assert Pledge.objects.get(pk=pledge.pk).state == State.DRAFT


def test_a_stale_copy_loses_against_the_stored_state(enterprise, campaign, owner, staff_user):
    """The UPDATE names the state that was loaded: an outdated copy changes nothing."""
    pledge = in_state(State.SUBMITTED, enterprise, campaign, owner, staff_user)
    stale = Pledge.objects.get(pk=pledge.pk)
    services.pledge_withdraw(pledge=pledge, actor=owner)
    with pytest.raises(ConcurrentChange):
        services.pledge_approve(pledge=stale, actor=staff_user)
    assert Pledge.objects.get(pk=pledge.pk).state == State.WITHDRAWN
    assert not AuditEvent.objects.filter(pledge=pledge, action="pledge_approved").exists()


def test_no_signing_outside_the_window(enterprise, owner):
    closed = factories.campaign(2020, open_now=False)
    with pytest.raises(SigningClosed):
        complete_draft(enterprise, closed, owner)
    assert not Pledge.objects.exists()


def test_no_submission_after_the_window_closed(enterprise, campaign, owner):
    pledge = complete_draft(enterprise, campaign, owner)
    campaign.closes_at = campaign.opens_at + (campaign.closes_at - campaign.opens_at) / 1000
    campaign.save(update_fields=["closes_at"])
    pledge.campaign = campaign
    with pytest.raises(SigningClosed):
        services.pledge_submit(pledge=pledge, actor=owner)
    assert Pledge.objects.get(pk=pledge.pk).state == State.DRAFT


def test_one_active_pledge_per_enterprise_and_campaign(enterprise, campaign, owner):
    complete_draft(enterprise, campaign, owner)
    with pytest.raises(DomainError):
        complete_draft(enterprise, campaign, owner)
    assert Pledge.objects.count() == 1


def test_after_withdrawing_the_enterprise_can_sign_again(enterprise, campaign, owner):
    first = complete_draft(enterprise, campaign, owner)
    services.pledge_withdraw(pledge=first, actor=owner)
    second = complete_draft(enterprise, campaign, owner)
    assert second.pk != first.pk
    assert Pledge.objects.filter(state=State.WITHDRAWN).count() == 1


def test_next_years_pledge_starts_from_the_stored_profile(
    owner_client, enterprise, owner, campaign
):
    """A new campaign's signing form is pre-filled from the profile: nothing typed twice."""
    earlier = factories.campaign(campaign.year - 1)
    complete_draft(enterprise, earlier, owner)
    response = owner_client.get(f"/portal/sign/{campaign.year}/")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["signer_name"] == enterprise.legal_representative
    assert response.context["pledge"] is None
