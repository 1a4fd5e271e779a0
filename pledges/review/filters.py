"""The review queue's filters (django-filter): campaign, place, industry, state, waiting, mine."""

from datetime import timedelta

import django_filters
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..fields import ProvinceField
from ..models import Campaign, Industry, Pledge, Province, claim_cutoff
from ..search import name_or_code_condition


class ProvinceChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ProvinceField  # labels in the reader's language


class ReviewQueueFilter(django_filters.FilterSet):
    ALL = "all"
    WAITING_CHOICES = [
        ("1", _("more than 1 day")),
        ("3", _("more than 3 days")),
        ("7", _("more than 7 days")),
        ("overdue", _("overdue")),
    ]

    q = django_filters.CharFilter(method="filter_q", label=_("Name or credit code"))
    campaign = django_filters.ModelChoiceFilter(
        queryset=Campaign.objects.all(), to_field_name="year", label=_("Campaign")
    )
    province = ProvinceChoiceFilter(
        field_name="enterprise__province", queryset=Province.objects.all(), label=_("Province")
    )
    industry = django_filters.ModelChoiceFilter(
        method="filter_industry", queryset=Industry.objects.all(), label=_("Industry")
    )
    state = django_filters.ChoiceFilter(
        choices=[(ALL, _("All states")), *Pledge.State.choices],
        method="filter_state",
        empty_label=None,
        label=_("State"),
    )
    waiting = django_filters.ChoiceFilter(
        choices=WAITING_CHOICES, method="filter_waiting", label=_("Waiting")
    )
    mine = django_filters.BooleanFilter(
        method="filter_mine",
        label=_("Claimed by me"),
        widget=django_filters.widgets.forms.CheckboxInput,
    )

    class Meta:
        model = Pledge
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        # The queue opens on what waits for a decision.
        data.setdefault("state", Pledge.State.SUBMITTED)
        super().__init__(data, *args, **kwargs)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        # The public list's search: a whole credit code, or any part of a name.
        return queryset.filter(name_or_code_condition(value)) if value else queryset

    def filter_industry(self, queryset, name, value):
        if value.level == Industry.Level.SECTION:
            return queryset.filter(enterprise__industry__section=value)
        return queryset.filter(enterprise__industry=value)

    def filter_state(self, queryset, name, value):
        return queryset if value == self.ALL else queryset.filter(state=value)

    def filter_waiting(self, queryset, name, value):
        days = settings.REVIEW_OVERDUE_DAYS if value == "overdue" else int(value)
        return queryset.filter(submitted_at__lt=timezone.now() - timedelta(days=days))

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(claimed_by=self.request.user, claimed_at__gte=claim_cutoff())
