"""Work owed and not done is queued again, quickly and safely.

Certificates and messages are owed in the database, so a message the broker lost (a broker
restarted empty, a worker killed holding it) costs a delay, never the work. Every
OWED_WORK_REQUEUE_SECONDS / 2 the beat (and each worker as it starts) queues again what was
queued longer ago than OWED_WORK_REQUEUE_SECONDS and is still not done: after the broker
comes back, within about 30 s. The tasks are safe to run twice, so a piece of work queued
again while its first message is still waiting costs one no-op. While the queue holds much
work (a batch of approvals), nothing is added: what is owed is in it.
"""

import logging
from datetime import timedelta

from django.conf import settings

from ..jobs import tasks_waiting
from .certificates import certificates_requeue
from .outbox import messages_requeue

logger = logging.getLogger(__name__)
# At most this many of each kind per round, and none while more tasks than this wait.
REQUEUE_LIMIT = 200


def owed_work_requeue() -> dict:
    waiting = tasks_waiting()
    if waiting is not None and waiting > REQUEUE_LIMIT:
        return {"waiting": waiting, "certificates": 0, "messages": 0}
    older_than = timedelta(seconds=settings.OWED_WORK_REQUEUE_SECONDS)
    counts = {
        "waiting": waiting,
        "certificates": certificates_requeue(older_than=older_than, limit=REQUEUE_LIMIT),
        "messages": messages_requeue(older_than=older_than, limit=REQUEUE_LIMIT),
    }
    if counts["certificates"] or counts["messages"]:
        # A lost message or a dead worker: worth an operator's look.
        logger.warning("owed work queued again", extra=counts)
    return counts
