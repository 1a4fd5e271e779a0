"""Settings read from the environment; production refuses a development secret key."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_settings(module: str, **env) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL")
    }
    environment.update(env, DJANGO_SETTINGS_MODULE=module)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.EMAIL_BACKEND, s.CELERY_BROKER_URL, "
        "s.TIME_ZONE, s.LANGUAGE_CODE)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_defaults_need_no_services():
    result = load_settings("config.settings.local")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "django.core.mail.backends.filebased.EmailBackend",
        "filesystem://",
        "Asia/Shanghai",
        "zh-hans",
    ]


def test_environment_selects_postgres_redis_and_smtp():
    result = load_settings(
        "config.settings.local",
        DATABASE_URL="postgres://u@db.invalid:5432/x",
        REDIS_URL="redis://cache.invalid:6379/0",
        EMAIL_URL="smtp://mail.invalid:25",
    )
    assert result.returncode == 0, result.stderr
    engine, backend, broker, *_ = result.stdout.split()
    assert engine == "django.db.backends.postgresql"
    assert backend == "django.core.mail.backends.smtp.EmailBackend"
    assert broker == "redis://cache.invalid:6379/0"


def test_production_refuses_to_start_without_a_real_secret_key():
    result = load_settings("config.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    ok = load_settings(
        "config.settings.production", SECRET_KEY="k" * 60, ALLOWED_HOSTS="pledge.example.org"
    )
    assert ok.returncode == 0, ok.stderr
