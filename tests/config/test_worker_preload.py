"""A worker's main process imports the certificate libraries before it forks its children."""

import subprocess
import sys

from django.conf import settings

from pledges.certificates.preload import MODULES

# A fresh interpreter: in this one, other tests have imported the libraries already.
SCRIPT = """
import sys
import django
django.setup()
from celery import signals
from config.celery import app
from pledges.certificates.preload import MODULES
before = [name for name in MODULES if name in sys.modules]
signals.worker_init.send(sender=None)
after = [name for name in MODULES if name in sys.modules]
print(",".join(before) or "-", len(after))
"""


def test_worker_init_imports_the_certificate_libraries_the_web_process_never_loads():
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
        env={"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    before, after = done.stdout.split()
    # Neither WeasyPrint nor pyHanko is loaded by Django and the apps alone (the web process
    # stays without pango); all of the list once the worker starts.
    assert not [name for name in before.split(",") if name.startswith(("weasyprint", "pyhanko"))]
    assert after == str(len(MODULES))
