"""/healthz: the services the site cannot work without, the database and the Celery broker,
for load balancers and monitoring (no login, never cached).

Each check answers "ok" or a short reason; the exception itself goes to the log only, so the
public answer says nothing about hosts, versions or credentials.
"""

import logging

from celery import current_app
from django.conf import settings
from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

OK = "ok"
UNAVAILABLE = "unavailable"
# Seconds a load balancer's probe may wait for the broker before it is called down.
BROKER_TIMEOUT = 2.0


def _failed(check: str, error: Exception) -> str:
    # One line, no traceback: a probe every few seconds would flood the log with them.
    logger.warning(
        "health check failed", extra={"check": check, "error": f"{type(error).__name__}: {error}"}
    )
    return UNAVAILABLE


def check_database() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return _failed("database", error)
    return OK


def check_broker(*, timeout: float = BROKER_TIMEOUT) -> str:
    """Open a connection to the broker, once, without kombu's retries. For Redis that is a
    PING; the filesystem broker has no server, so opening it is all there is to check."""
    try:
        with current_app.connection_for_write(
            settings.CELERY_BROKER_URL,
            connect_timeout=timeout,
            # Read by the Redis transport (a server that accepts but never answers);
            # transports without sockets ignore them.
            transport_options={"socket_timeout": timeout, "socket_connect_timeout": timeout},
        ) as connection:
            connection.ensure_connection(max_retries=0, timeout=timeout)
    except Exception as error:  # whatever the transport raises, the broker is down
        return _failed("broker", error)
    return OK


def health_report() -> tuple[bool, dict[str, str]]:
    """(healthy, {"status": …, "database": …, "broker": …}) for the /healthz view."""
    checks = {"database": check_database(), "broker": check_broker()}
    healthy = all(result == OK for result in checks.values())
    return healthy, {"status": OK if healthy else "error", **checks}


@never_cache
@require_safe
def healthz(request):
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)
