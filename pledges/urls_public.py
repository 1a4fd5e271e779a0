from django.urls import path

from .views import verify

urlpatterns = [
    path("verify/", verify.verify_form, name="verify_form"),
    path("verify/<str:number>/", verify.verify_result, name="verify"),
]
