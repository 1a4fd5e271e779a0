"""Production's URLs plus /bench/floor, a constant string: what the framework costs alone."""

from django.http import HttpResponse
from django.urls import include, path


def floor(request):
    return HttpResponse("floor\n", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/floor", floor, name="bench_floor"),
    path("", include("config.urls")),
]
