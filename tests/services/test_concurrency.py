"""Two requests deciding on one pledge at the same moment, on two real database connections."""

import threading
import time

import pytest
from django.db import connection, connections

from pledges import events
from pledges.errors import ConcurrentChange
from pledges.models import AuditEvent, Pledge
from pledges.services import pledges as services
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks between connections are what is under test; CI runs PostgreSQL",
    ),
]


def run_concurrently(*calls):
    """Run each call in its own thread (own connection), released together; collect results."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            call()
            results[index] = "ok"
        except ConcurrentChange as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_concurrent_transitions_exactly_one_wins(owner, enterprise, campaign, monkeypatch):
    pledge = factories.submitted_pledge(enterprise, campaign, owner)
    reviewer_a = factories.user("a@example.com", is_staff=True)
    reviewer_b = factories.user("b@example.com", is_staff=True)
    copy_a = Pledge.objects.get(pk=pledge.pk)
    copy_b = Pledge.objects.get(pk=pledge.pk)

    record = events.pledge_transition_event

    def hold_the_row_lock(**kwargs):
        # Keep the winner's transaction open so the loser's UPDATE really meets the row lock.
        event = record(**kwargs)
        time.sleep(0.3)
        return event

    monkeypatch.setattr(events, "pledge_transition_event", hold_the_row_lock)
    results = run_concurrently(
        lambda: services.pledge_approve(pledge=copy_a, actor=reviewer_a),
        lambda: services.pledge_reject(pledge=copy_b, actor=reviewer_b, reason="不符合"),
    )

    assert sorted(map(str, results)).count("ok") == 1
    assert sum(isinstance(r, ConcurrentChange) for r in results) == 1
    final = Pledge.objects.get(pk=pledge.pk)
    decisions = AuditEvent.objects.filter(
        pledge=pledge, action__in=["pledge_approved", "pledge_rejected"]
    )
    assert decisions.count() == 1
    assert final.state == decisions.get().to_state
