from django.urls import path

from .views import open_data, public, verify

urlpatterns = [
    path("pledges/", public.pledge_list, name="public_list"),
    # Before pledges/<int:pledge_id>/ for readability; it cannot match "export.csv" anyway.
    path("pledges/export.csv", open_data.export_csv, name="public_export"),
    path("pledges/<int:pledge_id>/", public.pledge_detail, name="public_pledge"),
    path("verify/", verify.verify_form, name="verify_form"),
    path("verify/<str:number>/", verify.verify_result, name="verify"),
    path("stats/", open_data.stats, name="public_stats"),
    path("api/", open_data.api_index, name="api_index"),
    path("api/pledges/", open_data.api_pledges, name="api_pledges"),
    path("api/schema.json", open_data.api_schema, name="api_schema"),
    path("robots.txt", open_data.robots_txt, name="robots_txt"),
]
