from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from .models import User


@require_POST
def set_language(request):
    """Switch the interface language; a logged-in user's mails follow the same choice."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(User._meta.get_field("language").choices):
        User.objects.filter(pk=request.user.pk).update(language=language)
    return response
