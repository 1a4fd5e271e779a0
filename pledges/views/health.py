"""/healthz: for load balancers and monitoring; no login, never cached."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .. import health


@never_cache
@require_safe
def healthz(request):
    healthy, report = health.health_report()
    return JsonResponse(report, status=200 if healthy else 503)
