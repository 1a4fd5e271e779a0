"""Workers keep their database connection between tasks, but never a broken one."""

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app, drop_broken_database_connections

pytestmark = pytest.mark.django_db(transaction=True)


def test_workers_keep_their_connection_for_many_tasks():
    # Without this Celery closes the connection around every task.
    assert settings.CELERY_DB_REUSE_MAX >= 100
    assert app.conf.get("CELERY_DB_REUSE_MAX") == settings.CELERY_DB_REUSE_MAX


def test_a_connection_that_failed_and_is_dead_is_dropped_before_the_next_task(monkeypatch):
    connection.ensure_connection()
    connection.errors_occurred = True
    monkeypatch.setattr(connection, "is_usable", lambda: False)
    drop_broken_database_connections()
    assert connection.connection is None
    monkeypatch.undo()
    with connection.cursor() as cursor:  # the next task simply connects again
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_connection_that_failed_but_still_works_is_kept():
    connection.ensure_connection()
    kept = connection.connection
    connection.errors_occurred = True
    drop_broken_database_connections()
    assert connection.connection is kept
    assert connection.errors_occurred is False


def test_a_healthy_connection_is_not_even_checked(monkeypatch):
    connection.ensure_connection()
    monkeypatch.setattr(connection, "is_usable", lambda: pytest.fail("checked"))
    drop_broken_database_connections()
    assert connection.connection is not None
