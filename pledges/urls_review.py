from django.urls import path

from .views import certificates
from .views.review import decisions, detail, queue
from .views.review.admin_urls import urlpatterns as admin_urlpatterns

app_name = "review"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("bulk-approve/", decisions.bulk_approve, name="bulk_approve"),
    path("pledges/<int:pledge_id>/", detail.pledge_detail, name="pledge"),
    path("pledges/<int:pledge_id>/stamped-page/", detail.stamped_page, name="stamped_page"),
    path("pledges/<int:pledge_id>/licence/", detail.licence_scan, name="licence_scan"),
    path("pledges/<int:pledge_id>/claim/", detail.claim, name="claim"),
    path("pledges/<int:pledge_id>/release/", detail.release, name="release"),
    path("pledges/<int:pledge_id>/notes/", detail.add_note, name="add_note"),
    path(
        "pledges/<int:pledge_id>/certificate.pdf",
        certificates.review_certificate,
        name="certificate",
    ),
    path(
        "pledges/<int:pledge_id>/certificate/rerender/",
        certificates.review_certificate_rerender,
        name="certificate_rerender",
    ),
    path("pledges/<int:pledge_id>/<str:decision>/", decisions.decide, name="decide"),
    *admin_urlpatterns,
]
