"""The public site: the list, enterprise pages, verification, statistics and the open data."""

from django.urls import path

from . import api, credentials, mail, objections, verify, views

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
    path("verify/file/", verify.verify_file, name="verify_file"),
    path("verify/<str:number>/", verify.verify_result, name="verify"),
    path("verify/<str:number>.json", credentials.credential_json, name="verify_credential"),
    path("verify/<str:number>.jwt", credentials.credential_jwt, name="verify_credential_jwt"),
    path("credentials/issuer.json", credentials.issuer, name="credential_issuer"),
    path("credentials/keys.json", credentials.keys, name="credential_keys"),
    path(
        "credentials/achievements/<int:year>.json",
        credentials.achievement,
        name="credential_achievement",
    ),
    path("credentials/status/<int:year>.jwt", credentials.status_list_view, name="status_list"),
    path("mail/unsubscribe/<str:token>/", mail.unsubscribe, name="unsubscribe"),
    path(
        "mail/unsubscribe/<str:token>/confirm/",
        mail.unsubscribe_confirm,
        name="unsubscribe_confirm",
    ),
    path("stats/", views.stats, name="stats"),
    path("api/", api.api_index, name="api_index"),
    path("api/pledges/", api.api_pledges, name="api_pledges"),
    path("api/history/<str:credit_code>/", api.api_history, name="api_history"),
    path("api/schema.json", api.api_schema, name="api_schema"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
