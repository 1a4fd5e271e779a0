"""Settings shared by every environment, read from the environment (12-factor).

Every variable has a default that works on a fresh machine: SQLite under ``var/``,
mail written to ``var/mail/`` and a Celery broker that needs no server.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# The zero-setup defaults (SQLite file, mail files, broker folders) live under var/.
for _folder in ("mail", "static", "celery/queue", "celery/control"):
    (VAR_DIR / _folder).mkdir(parents=True, exist_ok=True)

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
REDIS_URL = env("REDIS_URL", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "accounts",
    "pledges",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Above whitenoise, so static files carry the policies too.
    "csp.middleware.CSPMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'chengxin.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A read-only PostgreSQL replica (streaming replication) for the public pages: when set, the
# published record's reads go there (config.db_router); everything else stays on the primary.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
for _database in DATABASES.values():
    if _database["ENGINE"].endswith("sqlite3"):
        # Transactions take the write lock when they begin, so a second process waits for it
        # (up to the timeout) instead of failing with "database is locked" when both had
        # read and then both want to write: two worker processes, or a worker and the site.
        _database.setdefault("OPTIONS", {}).setdefault("transaction_mode", "IMMEDIATE")
        _database["OPTIONS"].setdefault("timeout", 20)
    if _database["ENGINE"].endswith("postgresql"):
        options = _database.setdefault("OPTIONS", {})
        # An unreachable server fails a request (and /healthz) in seconds, not a TCP timeout.
        options.setdefault("connect_timeout", 5)
        # A statement run five times on a connection is prepared. Only the public list's
        # reads can be (pledges.public.listing_sql.fetch); Django writes the values into
        # its own statements. PgBouncer keeps them in transaction mode from version 1.21.
        options.setdefault("prepare_threshold", 5)
PUBLIC_READS_ON_REPLICA = "replica" in DATABASES
DATABASE_ROUTERS = ["config.db_router.PublicReadsRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "chengxin",
        }
    }
else:
    # A real (per-process) cache, not the dummy one: allauth's rate limits need it.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The page chrome an anonymous visitor sees (header links, language buttons), per language:
# in each process's memory, so a deployment's new templates never meet an old copy.
CACHES["fragments"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}

# Public static files are served by whitenoise. The default storage holds only private
# files (licence scans, stamped pages, certificates): it has no public URL and its files are
# served by views that check who is asking. S3 can replace it by settings alone.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
PRIVATE_MEDIA_ROOT = env("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))
# With S3_BUCKET set, private files go to S3-compatible object storage instead (several web
# and worker machines then share them). Credentials come from boto3's usual chain:
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment, or the machine's role.
S3_BUCKET = env("S3_BUCKET", default="")
if S3_BUCKET:
    _encryption = env("S3_SERVER_SIDE_ENCRYPTION", default="")  # e.g. AES256 or aws:kms
    _private_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("S3_ENDPOINT_URL", default=None),  # unset: AWS itself
            "region_name": env("S3_REGION", default=None),
            "addressing_style": env("S3_ADDRESSING_STYLE", default=None),  # "path", "virtual"
            "location": env("S3_LOCATION", default="private"),  # key prefix inside the bucket
            "signature_version": "s3v4",
            # No ACL header: objects stay private to the bucket owner (and buckets whose
            # ACLs are disabled accept the upload); the bucket must block public access.
            "default_acl": None,
            # Never a public URL: our views stream files after checking who is asking.
            "querystring_auth": True,
            "querystring_expire": 300,
            # Stored names are random; never replace an existing object by accident.
            "file_overwrite": False,
            # A download is buffered in memory up to this size, then in a temporary file.
            "max_memory_size": 2 * 1024 * 1024,
            "object_parameters": {"ServerSideEncryption": _encryption} if _encryption else {},
        },
    }
else:
    _private_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    }
STORAGES = {
    "default": _private_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads above this size are refused by the form; the limit is checked on the real size.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Mail -------------------------------------------------------------------------------
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Chengxin <noreply@chengxin.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Accounts ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# The link in the mail opens a page whose button POSTs: mail scanners must not confirm.
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
# Reverse proxies in front of the application (0: none, REMOTE_ADDR is the client). Every rate
# limit, allauth's through the account adapter and django-ratelimit's (/verify/, searches),
# takes the client's address from config.client_ip, which reads this. Both mask IPv6 to /64.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise environ.ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
RATELIMIT_IP_META_KEY = "config.client_ip.client_ip"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"

# --- Languages and time -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Celery -----------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if not REDIS_URL:
    # kombu's filesystem transport: a broker that needs no server, shared by the web
    # process and the worker through one folder.
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
if REDIS_URL:
    # kombu's Redis transport redelivers a message that was taken but never acknowledged
    # (acks_late) once this many seconds have passed: longer than any task or retry
    # countdown here, short enough that a certificate owed by a dead worker is not late long.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600),
        # Look for such messages every 10 s (kombu's default is about every 100 s).
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Recycle worker children to bound memory (WeasyPrint's caches grow with new glyphs).
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=500)
# Celery closes a worker's database connection around every task unless told otherwise: a new
# PostgreSQL connection per task cost more than the queries. Keep it for this many tasks; one
# that broke is dropped before the next task (config/celery.py).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=200)
# Tasks go to this queue (a test run or a second deployment on one broker uses its own).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Owed certificates and messages queued longer ago than this and not done are queued again
# (pledges.services.recovery), by the beat every half of it.
OWED_WORK_REQUEUE_SECONDS = env.int("OWED_WORK_REQUEUE_SECONDS", default=20)
# A worker sending a message holds it this long; a worker that died releases it by then. A
# send gives up after EMAIL_TIMEOUT, well inside the lease, so two never overlap.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=30)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# A campaign invites, when it opens, the enterprises that signed in the last RENEWAL_YEARS
# years, and reminds those that have not signed yet CAMPAIGN_REMINDER_DAYS days before it
# closes. Such mail to many goes out at CAMPAIGN_MAIL_PER_MINUTE, queued in batches every
# CAMPAIGN_MAIL_TICK_SECONDS (pledges.services.campaign_mail).
RENEWAL_YEARS = env.int("RENEWAL_YEARS", default=3)
CAMPAIGN_REMINDER_DAYS = env.list("CAMPAIGN_REMINDER_DAYS", cast=int, default=[30, 7])
CAMPAIGN_MAIL_PER_MINUTE = env.int("CAMPAIGN_MAIL_PER_MINUTE", default=120)
CAMPAIGN_MAIL_TICK_SECONDS = env.int("CAMPAIGN_MAIL_TICK_SECONDS", default=10)
# The contact details of an enterprise that has not signed for this many years are removed
# (PIPL: kept no longer than needed), by the beat once a day.
CONTACT_RETENTION_YEARS = env.int("CONTACT_RETENTION_YEARS", default=5)
CELERY_BEAT_SCHEDULE = {
    "sweep-certificates": {"task": "pledges.tasks.sweep_certificates", "schedule": 60.0},
    "requeue-owed-work": {
        "task": "pledges.tasks.requeue_owed_work",
        "schedule": OWED_WORK_REQUEUE_SECONDS / 2,
    },
    # A notice period ends at midnight (China time); checked every ten minutes.
    "end-notices": {"task": "pledges.tasks.end_notices", "schedule": 600.0},
    # Invitations when a campaign opens, reminders before it closes; then their batches.
    "owe-campaign-mail": {"task": "pledges.tasks.owe_campaign_mail", "schedule": 60.0},
    "anonymise-lapsed-contacts": {
        "task": "pledges.tasks.anonymise_lapsed_contacts",
        "schedule": 86400.0,
    },
    # The list's "years in a row" and "lapsed" follow this year (checked every ten minutes).
    "refresh-listing-runs": {"task": "pledges.tasks.refresh_listing_runs", "schedule": 600.0},
    "queue-paced-mail": {
        "task": "pledges.tasks.queue_paced_mail",
        "schedule": float(CAMPAIGN_MAIL_TICK_SECONDS),
    },
}

# --- Security defaults (production tightens them) ---------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No page runs inline script or inline style: scripts and stylesheets come from our static
# files only (the admin's and allauth's included). data: images are allauth's TOTP QR codes.
# Private files (pledges/files.py) set their own, stricter policy, which this one leaves alone.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features no page here uses, switched off (config.middleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# Plain text for a person at a terminal; LOG_FORMAT=json (production's default) writes one
# JSON object a line for log collectors, with a record's `extra` fields as keys of their own.
LOG_FORMAT = env("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "{levelname}{name}{message}",
            "style": "{",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,  # ISO 8601, UTC
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": "INFO"},
    # WeasyPrint logs every rendering step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
# The worker logs through the handler above (so in the same format) instead of replacing it
# with Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Reviewers and administrators may protect their accounts with TOTP; production requires it
# before the review console opens.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Chengxin"
REVIEW_REQUIRE_MFA = env.bool("REVIEW_REQUIRE_MFA", default=False)

# --- Product ----------------------------------------------------------------------------
# A reviewer's claim on a pledge lapses after this many minutes.
REVIEW_CLAIM_MINUTES = env.int("REVIEW_CLAIM_MINUTES", default=30)
# Submitted pledges waiting longer than this stand out in the queue.
REVIEW_OVERDUE_DAYS = env.int("REVIEW_OVERDUE_DAYS", default=5)
# Public notice (公示): an approval or an approved change of public details stands this many
# Chinese working days before the listing is final (0: no notice, final at once).
NOTICE_WORKING_DAYS = env.int("NOTICE_WORKING_DAYS", default=5)
# The association answers an objection in writing within this many working days (the
# enterprise information disclosure rules allow 20); later ones stand out in the queue.
OBJECTION_WORKING_DAYS = env.int("OBJECTION_WORKING_DAYS", default=20)
# Printed on certificates as the issuer.
CERTIFICATE_ISSUER = env("CERTIFICATE_ISSUER", default="中国质量检验协会")
# The sweep re-queues certificates still not ready this long after the approval.
CERTIFICATE_SWEEP_AFTER_MINUTES = env.int("CERTIFICATE_SWEEP_AFTER_MINUTES", default=3)
# A certificate is valid through its campaign's year plus this many years.
CERTIFICATE_VALID_YEARS = env.int("CERTIFICATE_VALID_YEARS", default=1)
# The association's signing keys and trust roots (pledges/certificates/keys.py): outside the
# repository in production; `manage.py create_signing_key --dev` fills the default folder.
SIGNING_KEYS_DIR = env("SIGNING_KEYS_DIR", default=str(VAR_DIR / "keys"))
# The key that signs now; empty: the newest key with a private key.
SIGNING_KEY_ID = env("SIGNING_KEY_ID", default="")
# An RFC 3161 timestamp authority: set, certificates are signed PAdES B-T; empty, B-B.
SIGNING_TSA_URL = env("SIGNING_TSA_URL", default="")
