"""The public site: the list, enterprise pages, verification, statistics and the open data."""

from django.urls import path

from . import api, objections, verify, views

app_name = "public"

urlpatterns = [
    path("pledges/", views.pledge_list, name="list"),
    # Before pledges/<int:pledge_id>/ for readability; it cannot match "export.csv" anyway.
    path("pledges/export.csv", views.export_csv, name="export"),
    path("pledges/<int:pledge_id>/", views.pledge_detail, name="pledge"),
    path("pledges/<int:pledge_id>/object/", objections.objection_form, name="object"),
    path("pledges/<int:pledge_id>/object/sent/", objections.objection_sent, name="objection_sent"),
    path(
        "objections/confirm/<str:token>/",
        objections.objection_confirm_view,
        name="objection_confirm",
    ),
    path("verify/", verify.verify_form, name="verify_form"),
    path("verify/<str:number>/", verify.verify_result, name="verify"),
    path("stats/", views.stats, name="stats"),
    path("api/", api.api_index, name="api_index"),
    path("api/pledges/", api.api_pledges, name="api_pledges"),
    path("api/schema.json", api.api_schema, name="api_schema"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
