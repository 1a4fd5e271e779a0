"""Log format: plain text by default, one JSON object a line with LOG_FORMAT=json and in
production; certificate events carry their ids as fields of their own."""

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from pledges.models import Certificate, Pledge
from pledges.services import certificates
from pledges.services.pledges import pledge_approve
from tests import factories

# Logs one record with extra fields and one with a traceback, through the configured handler.
EMIT = """
import logging, django
django.setup()
log = logging.getLogger("pledges.services.certificates")
log.info("certificate issued", extra={"certificate_id": 7, "certificate_number": "CQ-2026-000007"})
try:
    1 / 0
except ZeroDivisionError:
    log.exception("证书生成失败")
"""


def emit_logs(module: str, **env) -> list[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LOG_FORMAT", "SECRET_KEY", "DATABASE_URL", "REDIS_URL")
    }
    environment.update(env, DJANGO_SETTINGS_MODULE=module)
    result = subprocess.run(
        [sys.executable, "-c", EMIT],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr.splitlines()


def assert_json_lines(lines: list[str]) -> None:
    assert len(lines) == 2, lines  # the traceback stays inside its record's line
    issued, failed = (json.loads(line) for line in lines)
    assert issued["message"] == "certificate issued"
    assert issued["level"] == "INFO"
    assert issued["logger"] == "pledges.services.certificates"
    assert issued["timestamp"].endswith("+00:00")  # ISO 8601, UTC
    assert issued["certificate_id"] == 7
    assert issued["certificate_number"] == "CQ-2026-000007"
    assert failed["level"] == "ERROR"
    assert failed["message"] == "证书生成失败"
    assert "ZeroDivisionError" in failed["exc_info"]


def test_log_format_json_writes_one_parseable_object_a_line():
    assert_json_lines(emit_logs("config.settings.local", LOG_FORMAT="json"))


def test_production_logs_json_by_default():
    assert_json_lines(
        emit_logs(
            "config.settings.production",
            SECRET_KEY="k" * 60,
            ALLOWED_HOSTS="pledge.example.org",
        )
    )


def test_development_logs_plain_text_by_default():
    lines = emit_logs("config.settings.local")
    assert " INFO pledges.services.certificates certificate issued" in lines[0]
    with pytest.raises(json.JSONDecodeError):
        json.loads(lines[0])
    assert "Traceback" in "\n".join(lines)


@pytest.fixture
def submitted_with_blank_pdf(owner, enterprise, campaign, monkeypatch):
    # A blank PDF stands in for WeasyPrint: these tests are about what is logged.
    monkeypatch.setattr(certificates, "render_pdf", lambda data: factories.pdf_bytes())
    return factories.submitted_pledge(enterprise, campaign, owner)


def records(caplog, message: str):
    return [record for record in caplog.records if record.getMessage() == message]


@pytest.mark.django_db
def test_issuing_a_certificate_logs_its_number(
    submitted_with_blank_pdf, reviewer, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level("INFO", logger="pledges.services.certificates")
    with django_capture_on_commit_callbacks(execute=True):
        pledge_approve(pledge=submitted_with_blank_pdf, actor=reviewer)
    certificate = Certificate.objects.get(pledge=submitted_with_blank_pdf)
    assert certificate.state == Certificate.State.READY
    [issued] = records(caplog, "certificate issued")
    assert issued.levelname == "INFO"
    assert issued.certificate_id == certificate.pk
    assert issued.certificate_number == certificate.number
    assert issued.pledge_id == submitted_with_blank_pdf.pk


@pytest.mark.django_db
def test_a_certificate_that_fails_is_logged_as_an_error(
    submitted_with_blank_pdf, reviewer, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        # Owed; its rendering never runs.
        pledge_approve(pledge=submitted_with_blank_pdf, actor=reviewer)
    certificate = Certificate.objects.get(pledge=submitted_with_blank_pdf)
    certificates.certificate_fail(certificate_id=certificate.pk, error="TemplateSyntaxError()")
    [failed] = records(caplog, "certificate rendering failed")
    assert failed.levelname == "ERROR"
    assert failed.certificate_id == certificate.pk
    assert failed.error == "TemplateSyntaxError()"


@pytest.mark.django_db
def test_a_late_failure_of_a_ready_certificate_logs_nothing(
    submitted_with_blank_pdf, reviewer, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pledge_approve(pledge=submitted_with_blank_pdf, actor=reviewer)
    certificate = Certificate.objects.get(pledge=submitted_with_blank_pdf)
    certificates.certificate_fail(certificate_id=certificate.pk, error="OSError()")
    certificate.refresh_from_db()
    assert certificate.state == Certificate.State.READY
    assert records(caplog, "certificate rendering failed") == []


@pytest.mark.django_db
def test_the_sweep_logs_how_many_it_queued_again(
    submitted_with_blank_pdf, reviewer, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the message is "lost"
        pledge_approve(pledge=submitted_with_blank_pdf, actor=reviewer)
    Pledge.objects.filter(pk=submitted_with_blank_pdf.pk).update(
        decided_at=timezone.now() - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=False):
        assert certificates.certificates_sweep() == 1
        assert certificates.certificates_sweep() == 1  # still not rendered: queued again
    swept = records(caplog, "certificates queued again by the sweep")
    assert [(record.levelname, record.count) for record in swept] == [("WARNING", 1)] * 2


@pytest.mark.django_db
def test_a_sweep_with_nothing_owed_logs_nothing(caplog):
    assert certificates.certificates_sweep() == 0
    assert records(caplog, "certificates queued again by the sweep") == []
