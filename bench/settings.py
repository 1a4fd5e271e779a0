"""The benchmark server's settings: production's, plus the framework-floor view.

Only what a benchmark run needs differs: the URLconf adds /bench/floor (production's URLs are
included unchanged), static files are collected under var/bench/, cache keys get their
own prefix and the public rate limits are off. Everything else (middleware, database, Redis
cache, security) is production's, configured from the environment as in production.
"""

from config.settings.production import *  # noqa: F403
from config.settings.production import CACHES, INSTALLED_APPS, VAR_DIR

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # its seed_bulk command loads the data
ROOT_URLCONF = "bench.urls"
STATIC_ROOT = VAR_DIR / "bench" / "static"
CACHES["default"]["KEY_PREFIX"] = "chengxin-bench-public"
# The load comes from one address, searches included: the public rate limits would answer
# 429. (allauth's limits only count POSTs under /accounts/, which the benchmark never sends.)
RATELIMIT_ENABLE = False
