"""/healthz: the database and the Celery broker, for load balancers; no login, never cached."""

import json
import os
import socket
import subprocess
import sys
import time
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError, connections
from django.test import override_settings

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: the connection is refused at once.
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


def test_healthy_site_answers_ok_without_login(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_head_is_answered_for_probes_that_send_it(client):
    assert client.head("/healthz").status_code == 200


def test_writes_are_refused(client):
    assert client.post("/healthz").status_code == 405


def test_database_down_answers_503_naming_it(client):
    with mock.patch.object(
        connections["default"], "cursor", side_effect=OperationalError("could not connect")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable", "broker": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert b"could not connect" not in response.content


def test_broker_down_answers_503_quickly_without_details(client):
    started = time.monotonic()
    with override_settings(CELERY_BROKER_URL=UNREACHABLE_BROKER):
        response = client.get("/healthz")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "broker": "unavailable"}
    # No host, port or error text of the broker in the public answer.
    assert b"127.0.0.1" not in response.content
    assert b"refused" not in response.content.lower()
    assert elapsed < 5


def test_failures_are_logged_for_operators(client, caplog):
    with override_settings(CELERY_BROKER_URL=UNREACHABLE_BROKER):
        client.get("/healthz")
    failures = [record for record in caplog.records if record.name == "config.health"]
    assert [record.check for record in failures] == ["broker"]
    assert "refused" in failures[0].error.lower()


def test_a_broker_that_never_answers_is_down_within_the_timeout(client):
    # A socket that listens but is never served: the connection opens, the PING gets no answer.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        started = time.monotonic()
        with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{port}/0"):
            response = client.get("/healthz")
        elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"
    assert elapsed < 5


def production_setting(name: str):
    """A setting as config.settings.production computes it (in a process of its own: that
    module refuses to load without a real secret key, and changes base's LOGGING)."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps(settings.{name}))"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production"}
    environment.update(SECRET_KEY="k" * 60, ALLOWED_HOSTS="pledge.example.org")
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_lets_plain_http_probes_reach_healthz_only(client):
    exempt = production_setting("SECURE_REDIRECT_EXEMPT")
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=exempt):
        assert client.get("/healthz").status_code == 200
        redirected = client.get("/pledges/")
    assert redirected.status_code == 301
    assert redirected["Location"].startswith("https://")
