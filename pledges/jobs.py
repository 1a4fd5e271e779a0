"""Queueing background work from a write: the task is sent only once the write commits.

A worker must find the rows the task is about, and a write that rolls back must queue
nothing. Tasks are named by their dotted path and imported only when sent, so services
never import the tasks module (which imports them).
"""

from django.db import transaction
from django.utils.module_loading import import_string


def queue_after_commit(task_path: str, *args) -> None:
    """Run the task at ``task_path`` with ``args`` (ids, never model instances) after the
    commit."""
    transaction.on_commit(lambda: import_string(task_path).delay(*args))
