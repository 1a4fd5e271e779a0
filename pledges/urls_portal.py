from django.urls import path

from .views import certificates, files, portal

app_name = "portal"

urlpatterns = [
    path("", portal.dashboard, name="dashboard"),
    path("enterprise/", portal.enterprise_detail, name="enterprise"),
    path("enterprise/new/", portal.enterprise_create, name="enterprise_create"),
    path("enterprise/edit/", portal.enterprise_edit, name="enterprise_edit"),
    path("enterprise/licence/", files.licence_scan, name="licence_scan"),
    path("team/", portal.team, name="team"),
    path(
        "team/invitations/<int:invitation_id>/withdraw/",
        portal.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path(
        "invitations/<int:invitation_id>/accept/",
        portal.invitation_accept_view,
        name="invitation_accept",
    ),
    path("sign/<int:year>/", portal.sign, name="sign"),
    path("pledges/<int:pledge_id>/", portal.pledge_detail, name="pledge"),
    path("pledges/<int:pledge_id>/submit/", portal.pledge_submit_view, name="pledge_submit"),
    path("pledges/<int:pledge_id>/withdraw/", portal.pledge_withdraw_view, name="pledge_withdraw"),
    path("pledges/<int:pledge_id>/stamped-page/", files.stamped_page, name="stamped_page"),
    path(
        "pledges/<int:pledge_id>/certificate.pdf",
        certificates.portal_certificate,
        name="certificate",
    ),
]
