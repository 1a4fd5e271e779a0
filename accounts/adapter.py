from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation

from config.client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # Mails to this person later go out in the language they signed up in.
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language in dict(settings.LANGUAGES):
            user.language = language
        return super().save_user(request, user, form, commit=commit)

    def get_client_ip(self, request):
        # The address all rate limits share (TRUSTED_PROXY_COUNT), not allauth's own reading
        # of X-Forwarded-For (ALLAUTH_TRUSTED_PROXY_COUNT, left unset).
        return client_ip(request)
