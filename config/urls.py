from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.generic import TemplateView

from accounts.views import set_language
from config.health import healthz
from pledges.public.sitemaps import SITEMAPS

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("accounts/", include("allauth.urls")),
    path("portal/", include("pledges.portal.urls")),
    path("review/", include("pledges.review.urls")),
    path("", include("pledges.public.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    # The index of the sitemap files; the framework pages each section (?p=2, …).
    path(
        "sitemap.xml",
        cache_control(public=True, max_age=3600)(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cache_control(public=True, max_age=3600)(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
