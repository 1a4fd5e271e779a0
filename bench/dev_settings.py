"""Development settings plus the bench app: ``manage.py seed_bulk`` on a development database.

The benchmarks use bench.settings (production's); this is for trying the data out locally:

    DJANGO_SETTINGS_MODULE=bench.dev_settings .venv/bin/python manage.py seed_bulk --pledges 10000
"""

from config.settings.local import *  # noqa: F403
from config.settings.local import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
