"""The audit log is append-only: events are written by pledges.events and never changed.

The model and its querysets refuse updates and deletes, no deletion elsewhere cascades into
the log, and the Django admin shows events read-only, even to superusers.
"""

import pytest
from django.contrib import admin
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import User
from pledges.models import AuditEvent, AuditLogIsAppendOnly, Pledge
from pledges.services.pledges import pledge_approve
from pledges.services.review import pledge_claim
from tests import factories

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action


@pytest.fixture
def event(submitted_pledge):
    return AuditEvent.objects.get(pledge=submitted_pledge, action=Action.PLEDGE_SUBMITTED)


def stored(event) -> dict:
    return AuditEvent.objects.filter(pk=event.pk).values().get()


def test_the_services_write_events(submitted_pledge, owner):
    actions = list(
        submitted_pledge.events.order_by("id").values_list("action", "actor", "to_state")
    )
    assert actions == [
        (Action.PLEDGE_CREATED, owner.pk, Pledge.State.DRAFT),
        (Action.PLEDGE_SUBMITTED, owner.pk, Pledge.State.SUBMITTED),
    ]


# --- Model and queryset ----------------------------------------------------------------------


def test_a_stored_event_cannot_be_saved_again(event):
    before = stored(event)
    event.reason = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.save(update_fields=["reason"])
    assert stored(event) == before


def test_a_new_event_cannot_take_the_place_of_a_stored_one(event):
    before = stored(event)
    forged = AuditEvent(pk=event.pk, action=Action.PLEDGE_APPROVED, reason="forged")
    with pytest.raises(AuditLogIsAppendOnly):
        forged.save(force_update=True)
    # Saved as new, it is an INSERT, which the primary key refuses: never an UPDATE.
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()
    assert stored(event) == before


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "write",
    [
        lambda events: events.update(reason="rewritten"),
        lambda events: events.delete(),
        lambda events: events.all().delete(),
        lambda events: events.filter(action=Action.PLEDGE_SUBMITTED).update(actor=None),
        lambda events: events.bulk_update(list(events.all()), ["reason"]),
        lambda events: events.update_or_create(pk=events.first().pk, defaults={"reason": "x"}),
        lambda events: events.bulk_create(
            [AuditEvent(pk=events.first().pk, action=Action.PLEDGE_APPROVED)],
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["action"],
        ),
    ],
    ids=[
        "update",
        "delete",
        "all-delete",
        "filter-update",
        "bulk_update",
        "update_or_create",
        "upsert",
    ],
)
@pytest.mark.parametrize("source", ["manager", "related manager"])
def test_querysets_refuse_to_change_events(submitted_pledge, write, source):
    events = AuditEvent.objects if source == "manager" else submitted_pledge.events
    before = list(AuditEvent.objects.order_by("pk").values())
    with pytest.raises(AuditLogIsAppendOnly):
        write(events)
    assert list(AuditEvent.objects.order_by("pk").values()) == before


def test_a_related_manager_cannot_detach_events(submitted_pledge, enterprise):
    """The nullable relations offer clear() and remove(): both would rewrite events."""
    before = list(AuditEvent.objects.order_by("pk").values())
    # (Each in a savepoint: the related manager's own transaction is spoilt by the refusal.)
    with pytest.raises(AuditLogIsAppendOnly), transaction.atomic():
        submitted_pledge.events.clear()
    with pytest.raises(AuditLogIsAppendOnly), transaction.atomic():
        enterprise.events.remove(*enterprise.events.all(), bulk=False)
    assert list(AuditEvent.objects.order_by("pk").values()) == before


def test_bulk_inserts_still_work(submitted_pledge, owner):
    created = AuditEvent.objects.bulk_create(
        [AuditEvent(action=Action.PLEDGE_EDITED, actor=owner, pledge=submitted_pledge)]
    )
    assert AuditEvent.objects.filter(pk=created[0].pk, action=Action.PLEDGE_EDITED).exists()


# --- Nothing cascades into the log ------------------------------------------------------------


def test_every_relation_of_the_log_protects_it():
    """No deletion elsewhere may delete events (CASCADE) or rewrite them (SET_NULL …)."""
    outgoing = [f for f in AuditEvent._meta.get_fields() if f.many_to_one and f.concrete]
    assert {f.name for f in outgoing} == {"actor", "enterprise", "pledge", "campaign"}
    for field in outgoing:
        assert field.remote_field.on_delete is models.PROTECT, field.name
    incoming = [
        f for f in AuditEvent._meta.get_fields(include_hidden=True) if f.one_to_many or f.one_to_one
    ]
    assert incoming == []  # nothing points at an event
    for relation in incoming:
        assert relation.on_delete is models.PROTECT, relation


def test_deleting_a_user_with_events_is_refused(submitted_pledge, reviewer):
    pledge_claim(pledge=submitted_pledge, actor=reviewer)
    with pytest.raises(ProtectedError) as refused:
        reviewer.delete()
    assert any(isinstance(obj, AuditEvent) for obj in refused.value.protected_objects)
    assert User.objects.filter(pk=reviewer.pk).exists()
    assert AuditEvent.objects.filter(actor=reviewer, action=Action.PLEDGE_CLAIMED).exists()


def test_deleting_the_pledge_or_enterprise_of_events_is_refused(submitted_pledge, enterprise):
    count = AuditEvent.objects.count()
    for parent in (submitted_pledge, enterprise, submitted_pledge.campaign):
        with pytest.raises(ProtectedError), transaction.atomic():
            parent.delete()
    assert AuditEvent.objects.count() == count


# --- The admin: read-only, even for superusers ------------------------------------------------


@pytest.fixture
def superuser(db):
    return factories.user("root@association.example", is_staff=True, is_superuser=True)


@pytest.fixture
def superuser_client(superuser):
    client = Client(headers={"accept-language": "en"})
    client.force_login(superuser)
    return client


@pytest.fixture
def decided(submitted_pledge, reviewer, django_capture_on_commit_callbacks, monkeypatch):
    """An approval: its event has a decision notice hanging off it too."""
    from pledges.services import certificates

    monkeypatch.setattr(certificates, "render_pdf", lambda data: factories.pdf_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        pledge_approve(pledge=submitted_pledge, actor=reviewer)
    return AuditEvent.objects.get(pledge=submitted_pledge, action=Action.PLEDGE_APPROVED)


def test_the_admin_grants_no_add_change_or_delete_permission(superuser, event):
    model_admin = admin.site._registry[AuditEvent]
    request = RequestFactory().get("/admin/pledges/auditevent/")
    request.user = superuser
    assert model_admin.has_view_permission(request, event)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert "delete_selected" not in model_admin.get_actions(request)


def test_the_admin_lists_and_shows_events(superuser_client, decided):
    response = superuser_client.get(reverse("admin:pledges_auditevent_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == AuditEvent.objects.count()
    assert b'name="action"' not in response.content  # no bulk actions at all
    response = superuser_client.get(reverse("admin:pledges_auditevent_change", args=[decided.pk]))
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert b'name="_continue"' not in response.content


def test_the_admin_cannot_add_an_event(superuser_client, submitted_pledge, reviewer):
    url = reverse("admin:pledges_auditevent_add")
    count = AuditEvent.objects.count()
    assert superuser_client.get(url).status_code == 403
    response = superuser_client.post(
        url, {"action": Action.PLEDGE_APPROVED, "pledge": submitted_pledge.pk, "actor": reviewer.pk}
    )
    assert response.status_code == 403
    assert AuditEvent.objects.count() == count


def test_the_admin_cannot_change_an_event(superuser_client, decided, owner):
    before = stored(decided)
    url = reverse("admin:pledges_auditevent_change", args=[decided.pk])
    response = superuser_client.post(
        url,
        {
            "action": Action.PLEDGE_REJECTED,
            "actor": owner.pk,
            "reason": "rewritten",
            "details": "{}",
            "created_at_0": "2020-01-01",
            "created_at_1": "00:00:00",
            "_save": "Save",
        },
    )
    assert response.status_code == 403
    assert stored(decided) == before


def test_the_admin_cannot_delete_an_event(superuser_client, decided):
    url = reverse("admin:pledges_auditevent_delete", args=[decided.pk])
    assert superuser_client.get(url).status_code == 403
    assert superuser_client.post(url, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=decided.pk).exists()


def test_the_admin_changelist_runs_no_delete_action(superuser_client, decided):
    count = AuditEvent.objects.count()
    response = superuser_client.post(
        reverse("admin:pledges_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [decided.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert AuditEvent.objects.count() == count


def test_the_admin_will_not_delete_a_user_the_log_names(superuser_client, decided, reviewer):
    """Deleting a reviewer in the admin would take the log's record of who decided."""
    url = reverse("admin:accounts_user_delete", args=[reviewer.pk])
    response = superuser_client.get(url)
    assert response.status_code == 200
    assert response.context["protected"]
    superuser_client.post(url, {"post": "yes"})
    assert User.objects.filter(pk=reviewer.pk).exists()
    assert AuditEvent.objects.filter(pk=decided.pk, actor=reviewer).exists()
