"""One small function per audit event type; the only code that writes AuditEvent rows."""

from .models import AuditEvent, Campaign, Enterprise, Pledge

Action = AuditEvent.Action


def _record(
    action,
    *,
    actor,
    enterprise=None,
    pledge=None,
    campaign=None,
    from_state="",
    to_state="",
    reason="",
    **details,
) -> AuditEvent:
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        enterprise=enterprise,
        pledge=pledge,
        campaign=campaign,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        details=details,
    )


def enterprise_created_event(*, enterprise: Enterprise, actor) -> AuditEvent:
    return _record(
        Action.ENTERPRISE_CREATED,
        actor=actor,
        enterprise=enterprise,
        credit_code=enterprise.credit_code,
    )


def enterprise_updated_event(*, enterprise: Enterprise, actor, changed: list[str]) -> AuditEvent:
    return _record(
        Action.ENTERPRISE_UPDATED, actor=actor, enterprise=enterprise, changed=sorted(changed)
    )


def member_invited_event(*, enterprise: Enterprise, actor, email: str) -> AuditEvent:
    return _record(Action.MEMBER_INVITED, actor=actor, enterprise=enterprise, email=email)


def invitation_revoked_event(*, enterprise: Enterprise, actor, email: str) -> AuditEvent:
    return _record(Action.INVITATION_REVOKED, actor=actor, enterprise=enterprise, email=email)


def member_joined_event(*, enterprise: Enterprise, actor) -> AuditEvent:
    return _record(Action.MEMBER_JOINED, actor=actor, enterprise=enterprise, email=actor.email)


def pledge_created_event(*, pledge: Pledge, actor) -> AuditEvent:
    return _record(
        Action.PLEDGE_CREATED,
        actor=actor,
        enterprise=pledge.enterprise,
        pledge=pledge,
        campaign=pledge.campaign,
        to_state=Pledge.State.DRAFT,
    )


def pledge_edited_event(*, pledge: Pledge, actor, changed: list[str]) -> AuditEvent:
    return _record(
        Action.PLEDGE_EDITED,
        actor=actor,
        enterprise=pledge.enterprise,
        pledge=pledge,
        campaign=pledge.campaign,
        from_state=pledge.state,
        to_state=pledge.state,
        changed=sorted(changed),
    )


def pledge_transition_event(
    *, action, pledge: Pledge, actor, from_state: str, to_state: str, reason: str = "", **details
) -> AuditEvent:
    return _record(
        action,
        actor=actor,
        enterprise=pledge.enterprise,
        pledge=pledge,
        campaign=pledge.campaign,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        **details,
    )


def campaign_created_event(*, campaign: Campaign, actor) -> AuditEvent:
    return _record(Action.CAMPAIGN_CREATED, actor=actor, campaign=campaign)


def campaign_updated_event(*, campaign: Campaign, actor, changed: list[str]) -> AuditEvent:
    return _record(Action.CAMPAIGN_UPDATED, actor=actor, campaign=campaign, changed=sorted(changed))


def pledge_claimed_event(*, pledge: Pledge, actor) -> AuditEvent:
    return _record(
        Action.PLEDGE_CLAIMED,
        actor=actor,
        enterprise=pledge.enterprise,
        pledge=pledge,
        campaign=pledge.campaign,
    )


def pledge_released_event(*, pledge: Pledge, actor) -> AuditEvent:
    return _record(
        Action.PLEDGE_RELEASED,
        actor=actor,
        enterprise=pledge.enterprise,
        pledge=pledge,
        campaign=pledge.campaign,
    )


def note_added_event(*, pledge: Pledge, actor, note_id: int) -> AuditEvent:
    return _record(
        Action.NOTE_ADDED,
        actor=actor,
        enterprise=pledge.enterprise,
        pledge=pledge,
        campaign=pledge.campaign,
        note_id=note_id,
    )


def campaign_opened_event(*, campaign: Campaign, actor) -> AuditEvent:
    return _record(Action.CAMPAIGN_OPENED, actor=actor, campaign=campaign)


def campaign_closed_event(*, campaign: Campaign, actor) -> AuditEvent:
    return _record(Action.CAMPAIGN_CLOSED, actor=actor, campaign=campaign)


def staff_role_granted_event(*, actor, user, role: str) -> AuditEvent:
    return _record(
        Action.STAFF_ROLE_GRANTED, actor=actor, user_id=user.pk, email=user.email, role=role
    )


def staff_role_revoked_event(*, actor, user, role: str) -> AuditEvent:
    return _record(
        Action.STAFF_ROLE_REVOKED, actor=actor, user_id=user.pk, email=user.email, role=role
    )


def certificate_rerendered_event(*, certificate, actor) -> AuditEvent:
    pledge = certificate.pledge
    return _record(
        Action.CERTIFICATE_RERENDERED,
        actor=actor,
        enterprise=pledge.enterprise,
        pledge=pledge,
        campaign=pledge.campaign,
        number=certificate.number,
    )


def certificate_superseded_event(*, pledge: Pledge, number: str, name: str) -> AuditEvent:
    return _record(
        Action.CERTIFICATE_SUPERSEDED,
        actor=None,
        enterprise=pledge.enterprise,
        pledge=pledge,
        campaign=pledge.campaign,
        number=number,
        name=name,
    )


def profile_change_event(action, *, change, actor, reason: str = "") -> AuditEvent:
    """A change of public details requested, approved, rejected or withdrawn; the details
    keep the diff, from which the published corrections can be rebuilt."""
    return _record(
        action,
        actor=actor,
        enterprise=change.enterprise,
        reason=reason,
        change_id=change.pk,
        changes=change.changes,
    )


def banned_term_event(action, *, actor, term: str) -> AuditEvent:
    return _record(action, actor=actor, term=term)


def block_list_event(action, *, actor, kind: str, value: str) -> AuditEvent:
    return _record(action, actor=actor, kind=kind, value=value)


def messages_retried_event(*, actor, message_ids: list[int]) -> AuditEvent:
    return _record(Action.MESSAGES_RETRIED, actor=actor, message_ids=message_ids)


def notice_started_events(*, listings, until, at) -> None:
    """Public notice began ``at`` for these listings (an approval or an approved change),
    until the end of ``until``; by the system, as the decision's consequence."""
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action=Action.NOTICE_STARTED,
            created_at=at,
            enterprise_id=listing.enterprise_id,
            pledge_id=listing.pledge_id,
            campaign_id=listing.campaign_id,
            details={"until": until.isoformat()},
        )
        for listing in listings
    )


def notice_ended_events(*, listings, at) -> None:
    """These listings' public notice ended without an upheld objection: final ``at``."""
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action=Action.NOTICE_ENDED,
            created_at=at,
            enterprise_id=listing.enterprise_id,
            pledge_id=listing.pledge_id,
            campaign_id=listing.campaign_id,
        )
        for listing in listings
    )


def objection_event(action, *, objection, actor=None, reason: str = "", **details) -> AuditEvent:
    """An objection confirmed, responded to or answered; on the listing's pledge. Nothing of
    the objector is recorded here (the timeline is shown to the enterprise)."""
    listing = objection.listing
    return _record(
        action,
        actor=actor,
        enterprise=listing.enterprise,
        pledge=listing.pledge,
        campaign=listing.campaign,
        reason=reason,
        objection=objection.pk,
        **details,
    )


def signatories_imported_event(*, record, actor) -> AuditEvent:
    return _record(
        Action.SIGNATORIES_IMPORTED,
        actor=actor,
        year=record.year,
        file=record.file_name,
        file_sha256=record.file_sha256,
        import_id=record.pk,
        counts=record.counts,
    )


def campaign_mail_owed_event(*, campaign, key: str, count: int) -> AuditEvent:
    return _record(
        Action.CAMPAIGN_MAIL_OWED, actor=None, campaign=campaign, message=key, recipients=count
    )


def campaign_mail_unsubscribed_event(*, user) -> AuditEvent:
    return _record(Action.CAMPAIGN_MAIL_UNSUBSCRIBED, actor=user)


def campaign_mail_resubscribed_event(*, user) -> AuditEvent:
    return _record(Action.CAMPAIGN_MAIL_RESUBSCRIBED, actor=user)


def account_deleted_event(*, user) -> AuditEvent:
    return _record(Action.ACCOUNT_DELETED, actor=user)


def contacts_anonymised_event(*, enterprise) -> AuditEvent:
    return _record(Action.CONTACTS_ANONYMISED, actor=None, enterprise=enterprise)
