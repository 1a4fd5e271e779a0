from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from accounts.views import set_language

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("accounts/", include("allauth.urls")),
    path("portal/", include("pledges.urls_portal")),
    path("review/", include("pledges.urls_review")),
    path("", include("pledges.urls_public")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
