"""URLs of campaign administration, reviewer accounts and exports (in the review namespace)."""

from django.urls import path

from . import campaigns, exports, staff

urlpatterns = [
    path("exports/", exports.export_list, name="exports"),
    path("exports/pledges.csv", exports.export_pledges, name="export_pledges"),
    path("exports/decisions.csv", exports.export_decisions, name="export_decisions"),
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/new/", campaigns.campaign_create_view, name="campaign_create"),
    path("campaigns/<int:year>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:year>/open/", campaigns.campaign_open, name="campaign_open"),
    path("campaigns/<int:year>/close/", campaigns.campaign_close, name="campaign_close"),
    path("staff/", staff.staff_list, name="staff"),
    path("staff/add/", staff.staff_add, name="staff_add"),
    path("staff/<int:user_id>/remove/<str:role>/", staff.staff_remove, name="staff_remove"),
]
