from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from config.client_ip import client_ip

from .models import is_blocked


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # Mails to this person later go out in the language they signed up in.
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language in dict(settings.LANGUAGES):
            user.language = language
        user.signup_address = client_ip(request)
        return super().save_user(request, user, form, commit=commit)

    def is_open_for_signup(self, request):
        # A blocked client address sees allauth's "sign-up closed" page.
        return not is_blocked(address=client_ip(request))

    def clean_email(self, email):
        email = super().clean_email(email)
        if is_blocked(email=email):
            raise forms.ValidationError(
                _("Sign-ups with addresses of this e-mail domain are not accepted."),
                code="blocked",
            )
        return email

    def get_client_ip(self, request):
        # The address all rate limits share (TRUSTED_PROXY_COUNT), not allauth's own reading
        # of X-Forwarded-For (ALLAUTH_TRUSTED_PROXY_COUNT, left unset).
        return client_ip(request)

    def get_login_redirect_url(self, request):
        # Reviewers and administrators work in the console; the portal is for enterprises.
        if request.user.has_perm("pledges.review_pledge"):
            return reverse("review:queue")
        return super().get_login_redirect_url(request)
