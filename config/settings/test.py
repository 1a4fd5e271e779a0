"""Test settings: same services as configured (PostgreSQL/Redis in CI, SQLite otherwise)."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, INSTALLED_APPS, VAR_DIR

DEBUG = False
# The benchmarks' seed_bulk command, tested here, never shipped.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run in the test process; tests marked "worker" start a real Celery worker instead.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Each test gets its own cache state through a fixture; a real backend so rate limits work.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory, so a Celery worker process can share it; one per test run.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
# A second database standing in for a replica (tests/public/test_replica.py copies rows to it
# by hand, as replication would); public reads go there only where a test turns it on.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {}}
if DATABASES["replica"]["ENGINE"].endswith("sqlite3"):
    DATABASES["replica"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}-replica.sqlite3")}
else:
    DATABASES["replica"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_replica"}
PUBLIC_READS_ON_REPLICA = False
# Signing keys from the development CA, made once for all test runs (tests/conftest.py).
SIGNING_KEYS_DIR = str(VAR_DIR / "test-keys")
# No public notice unless a test turns it on (with a date it fixes): counting it needs the
# working-day calendar to cover the day the test runs.
NOTICE_WORKING_DAYS = 0
