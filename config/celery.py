"""The Celery application; tasks are found in each app's ``tasks`` module."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("chengxin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
def drop_broken_database_connections(**kwargs):
    """Workers keep their connection between tasks (CELERY_DB_REUSE_MAX): one that failed
    (the server restarted, say) is closed, so the next query opens a fresh one."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and connection.errors_occurred:
            if not connection.is_usable():
                connection.close()
            connection.errors_occurred = False


@signals.worker_init.connect
def preload_certificate_libraries(**kwargs):
    """In the worker's main process, before the pool forks: every child, recycled ones
    included, starts with the certificate libraries imported."""
    from pledges.certificates.preload import certificate_libraries_preload

    certificate_libraries_preload()


@signals.worker_ready.connect
def requeue_owed_work_on_start(sender=None, **kwargs):
    """A worker that starts (after a crash, a deploy, the broker's return) has the work
    owed and not queued for a while queued again at once, not at the next beat."""
    sender.app.send_task("pledges.tasks.requeue_owed_work")
