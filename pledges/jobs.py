"""Queueing background work from a write: the task is sent only once the write commits.

A worker must find the rows the task is about, and a write that rolls back must queue
nothing. Tasks are named by their dotted path and imported only when sent, so services
never import the tasks module (which imports them).
"""

from django.db import transaction
from django.utils.module_loading import import_string


def queue_after_commit(task_path: str, *args, countdown: float | None = None) -> None:
    """Run the task at ``task_path`` with ``args`` (ids, never model instances) after the
    commit, ``countdown`` seconds later if given."""
    if countdown:
        transaction.on_commit(
            lambda: import_string(task_path).apply_async(args, countdown=countdown)
        )
    else:
        transaction.on_commit(lambda: import_string(task_path).delay(*args))


def tasks_waiting() -> int | None:
    """How many tasks wait in the default queue (None when the broker cannot say)."""
    from django.conf import settings

    from config.celery import app

    try:
        with app.connection_for_write() as connection:
            # Not passive: Redis forgets an emptied queue, and a passive declaration fails.
            declared = connection.default_channel.queue_declare(
                queue=app.conf.task_default_queue or settings.CELERY_TASK_DEFAULT_QUEUE
            )
            return declared.message_count
    except Exception:  # noqa: BLE001 - a missing queue or a broker away: the caller decides
        return None
