from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from .models import User


@csrf_exempt
@require_POST
def set_language(request):
    """Switch the interface language; a signed-in user's mails follow the same choice.

    A visitor without an account only gets a language cookie, so the switch on the pages
    every such visitor shares (pledges.public.cache) carries no form token. A signed-in
    user's choice is stored on their account: that change needs the token, as every other.
    """
    if request.user.is_authenticated:
        return _set_language_of_user(request)
    return django_set_language(request)


@csrf_protect
def _set_language_of_user(request):
    response = django_set_language(request)
    language = request.POST.get("language")
    if language in dict(User._meta.get_field("language").choices):
        User.objects.filter(pk=request.user.pk).update(language=language)
    return response
