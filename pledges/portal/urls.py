from django.urls import path

from . import account, views

app_name = "portal"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("account/", account.account, name="account"),
    path("account/data.json", account.account_data, name="account_data"),
    path("account/delete/", account.account_delete_view, name="account_delete"),
    path("enterprise/", views.enterprise_detail, name="enterprise"),
    path("enterprise/new/", views.enterprise_create, name="enterprise_create"),
    path("enterprise/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("enterprise/licence/", views.licence_scan, name="licence_scan"),
    path("enterprise/change/withdraw/", views.change_withdraw, name="change_withdraw"),
    path("team/", views.team, name="team"),
    path(
        "team/invitations/<int:invitation_id>/withdraw/",
        views.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path(
        "invitations/<int:invitation_id>/accept/",
        views.invitation_accept_view,
        name="invitation_accept",
    ),
    path("sign/<int:year>/", views.sign, name="sign"),
    path("pledges/<int:pledge_id>/", views.pledge_detail, name="pledge"),
    path("objections/<int:objection_id>/", views.objection_detail, name="objection"),
    path("pledges/<int:pledge_id>/submit/", views.pledge_submit_view, name="pledge_submit"),
    path("pledges/<int:pledge_id>/withdraw/", views.pledge_withdraw_view, name="pledge_withdraw"),
    path("pledges/<int:pledge_id>/stamped-page/", views.stamped_page, name="stamped_page"),
    path(
        "pledges/<int:pledge_id>/certificate.pdf",
        views.certificate,
        name="certificate",
    ),
]
