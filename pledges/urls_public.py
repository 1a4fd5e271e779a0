from django.urls import path

from .views import public, verify

urlpatterns = [
    path("pledges/", public.pledge_list, name="public_list"),
    path("pledges/<int:pledge_id>/", public.pledge_detail, name="public_pledge"),
    path("verify/", verify.verify_form, name="verify_form"),
    path("verify/<str:number>/", verify.verify_result, name="verify"),
]
