"""Request parameters → querysets. Invalid values are reported on the form and ignored."""

import django_filters
from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import CooperationArea, Initiative, Organization, OrganizationKind, Status


def _language() -> str:
    return translation.get_language()[:2]


def organization_country_choices() -> list[tuple[str, str]]:
    """The countries of published organizations, named in the page's language."""
    codes = (
        Organization.objects.published()
        .exclude(country="")
        .order_by()
        .values_list("country", flat=True)
        .distinct()
    )
    return sorted(((code, countries.name(code)) for code in codes), key=lambda c: c[1])


def area_choices() -> list[tuple[str, str]]:
    """Published areas by their slug in the page's language."""
    language = _language()
    return list(
        CooperationArea.objects.published().values_list(f"slug_{language}", f"name_{language}")
    )


class OrganizationFilterSet(django_filters.FilterSet):
    country = django_filters.ChoiceFilter(
        label=_("Country"), choices=organization_country_choices, empty_label=_("All countries")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=OrganizationKind.choices, empty_label=_("All kinds")
    )

    class Meta:
        model = Organization
        fields = ["country", "kind"]


class InitiativeFilterSet(django_filters.FilterSet):
    area = django_filters.ChoiceFilter(
        label=_("Cooperation area"),
        choices=area_choices,
        empty_label=_("All areas"),
        method="filter_area",
        widget=forms.Select,
    )

    class Meta:
        model = Initiative
        fields = ["area"]

    def filter_area(self, queryset, name, value):
        return queryset.filter(
            areas__status=Status.PUBLISHED, **{f"areas__slug_{_language()}": value}
        )
