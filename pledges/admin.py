from django.contrib import admin, messages
from django.db import models

from .errors import CampaignTextFrozen
from .models import AuditEvent, Campaign, Enterprise, Industry, Pledge, Province
from .review.selectors import campaign_has_signatures
from .services.campaigns import EDITABLE_FIELDS, campaign_create, campaign_update


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Province)
class ProvinceAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "short_name", "name_en"]


@admin.register(Industry)
class IndustryAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "level", "section", "name_en"]
    list_filter = ["level"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit log can be read here, never edited."""

    list_display = [
        "created_at",
        "action",
        "actor",
        "enterprise",
        "pledge",
        "from_state",
        "to_state",
    ]
    list_filter = ["action"]
    list_select_related = ["actor", "enterprise", "pledge"]
    search_fields = ["enterprise__name", "actor__email"]
    date_hierarchy = "created_at"


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin):
    list_display = ["name", "credit_code", "province", "industry", "created_at"]
    list_select_related = ["province", "industry"]
    search_fields = ["name", "credit_code"]
    list_filter = ["province"]
    # As the portal's form: an address typed without a scheme is an https one.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Pledge)
class PledgeAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "campaign", "state", "submitted_at", "decided_at"]
    list_select_related = ["enterprise", "campaign"]
    list_filter = ["state", "campaign"]
    search_fields = ["enterprise__name", "enterprise__credit_code"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["year", "title", "opens_at", "closes_at", "number_prefix"]
    fields = ["year", *EDITABLE_FIELDS]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        frozen = ["pledge_text"] if campaign_has_signatures(obj) else []
        return ["year", *frozen]

    def save_model(self, request, obj, form, change):
        # Writes go through the services so the freeze rule and the audit log hold here too.
        if not change:
            values = {name: form.cleaned_data[name] for name in EDITABLE_FIELDS}
            created = campaign_create(actor=request.user, year=form.cleaned_data["year"], **values)
            obj.pk = created.pk
            return
        values = {
            name: form.cleaned_data[name] for name in EDITABLE_FIELDS if name in form.cleaned_data
        }
        stored = Campaign.objects.get(pk=obj.pk)
        try:
            campaign_update(campaign=stored, actor=request.user, **values)
        except CampaignTextFrozen as error:
            self.message_user(request, error.message, messages.ERROR)

    def has_delete_permission(self, request, obj=None):
        # Its creation is in the audit trail, which nothing may delete: a campaign stays.
        return False
