"""Request parameters → querysets. Invalid values are reported on the form and ignored."""

import django_filters
from django import forms
from django.db.models import CharField, Count, F, QuerySet, Subquery, Value
from django.db.models.functions import Cast, ExtractYear, Lower
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import (
    Agreement,
    CooperationArea,
    Initiative,
    InitiativeKind,
    InitiativeParticipant,
    InitiativeStatus,
    Organization,
    OrganizationKind,
    Status,
    active_language,
)
from .search import MAX_QUERY_LENGTH, clean_query


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


def initiative_filter_options(language: str) -> dict[str, list[tuple[str, str]]]:
    """The values the initiative filters accept, with their labels, in one query.

    Areas, organizations and agreements are named by their slug in the page's language;
    countries by the ISO code of a participating organization's country.
    """

    def part(model, kind: str, key: str, label: str):
        # Plain QuerySets, so every part of the UNION lists its columns in the same order.
        return (
            QuerySet(model)
            .filter(status=Status.PUBLISHED)
            .order_by()
            .annotate(
                option=Value(kind, output_field=CharField()),
                key=Cast(F(key), CharField()),
                label=Cast(F(label), CharField()),
            )
            .values_list("option", "key", "label")
        )

    parts = [
        part(CooperationArea, "area", f"slug_{language}", f"name_{language}"),
        part(Organization, "organization", f"slug_{language}", f"name_{language}"),
        part(Agreement, "agreement", f"slug_{language}", f"title_{language}"),
        part(Organization, "country", "country", "country").distinct(),
    ]
    options: dict[str, dict[str, str]] = {
        "area": {},
        "organization": {},
        "agreement": {},
        "country": {},
    }
    for option, key, label in parts[0].union(*parts[1:], all=True):
        if key:
            options[option][key] = countries.name(key) if option == "country" else label
    return {
        name: sorted(values.items(), key=lambda item: item[1].casefold())
        for name, values in options.items()
    }


SORT_CHOICES = [
    ("relevance", _("Relevance")),
    ("newest", _("Newest first")),
    ("title", _("Title (A–Z)")),
]
YEAR_BOUNDS = {"min_value": 1900, "max_value": 2100}


class InitiativeFilterSet(django_filters.FilterSet):
    """The initiatives search: `q` plus filters; `facet_counts()` says what each option gives."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    area = django_filters.ChoiceFilter(
        label=_("Cooperation area"), empty_label=_("All areas"), method="filter_area"
    )
    organization = django_filters.ChoiceFilter(
        label=_("Organization"), empty_label=_("All organizations"), method="filter_organization"
    )
    country = django_filters.ChoiceFilter(
        label=_("Country of a participant"),
        empty_label=_("All countries"),
        method="filter_country",
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=InitiativeKind.choices, empty_label=_("All kinds")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=InitiativeStatus.choices,
        empty_label=_("All statuses"),
        field_name="initiative_status",
    )
    year_from = django_filters.NumberFilter(
        label=_("Started in or after"),
        field_name="start_date",
        lookup_expr="year__gte",
        **YEAR_BOUNDS,
    )
    year_to = django_filters.NumberFilter(
        label=_("Started in or before"),
        field_name="start_date",
        lookup_expr="year__lte",
        **YEAR_BOUNDS,
    )
    agreement = django_filters.ChoiceFilter(
        label=_("Under agreement"), empty_label=_("All agreements"), method="filter_agreement"
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=SORT_CHOICES, empty_label=None, method="filter_nothing"
    )

    class Meta:
        model = Initiative
        fields = [
            "q",
            "area",
            "organization",
            "country",
            "kind",
            "status",
            "year_from",
            "year_to",
            "agreement",
            "sort",
        ]

    #: Filters whose options show facet counts, and the parameters each one owns.
    FACETS = {
        "area": ("area",),
        "organization": ("organization",),
        "country": ("country",),
        "kind": ("kind",),
        "status": ("status",),
        "year": ("year_from", "year_to"),
        "agreement": ("agreement",),
    }

    def __init__(self, data=None, *args, options=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.language = active_language()
        self.options = options if options is not None else initiative_filter_options(self.language)
        for name in ("area", "organization", "agreement", "country"):
            self.filters[name].extra["choices"] = self.options[name]
        self.form.fields["q"].widget = forms.TextInput(
            attrs={"type": "search", "maxlength": MAX_QUERY_LENGTH * 5, "autocomplete": "off"}
        )

    # -- filters -------------------------------------------------------------------------

    def filter_q(self, queryset, name, value):
        return queryset.search(value, self.language)

    def filter_area(self, queryset, name, value):
        return queryset.filter(**{f"areas__slug_{self.language}": value})

    def filter_organization(self, queryset, name, value):
        return queryset.filter(
            pk__in=Subquery(
                self._participations()
                .filter(**{f"organization__slug_{self.language}": value})
                .values("initiative_id")
            )
        )

    def filter_country(self, queryset, name, value):
        return queryset.filter(
            pk__in=Subquery(
                self._participations().filter(organization__country=value).values("initiative_id")
            )
        )

    def filter_agreement(self, queryset, name, value):
        return queryset.filter(**{f"agreement__slug_{self.language}": value})

    def filter_nothing(self, queryset, name, value):
        return queryset  # sorting is applied in filter_queryset, after every filter

    @staticmethod
    def _participations():
        return InitiativeParticipant.objects.filter(organization__status=Status.PUBLISHED)

    # -- results -------------------------------------------------------------------------

    @property
    def cleaned_data(self) -> dict:
        if self.is_bound:
            self.errors  # noqa: B018  (validates the form)
        return getattr(self.form, "cleaned_data", {})

    @property
    def query(self) -> str:
        """The search words acted on (control characters removed, length capped)."""
        return clean_query(self.cleaned_data.get("q") or "")

    @property
    def query_was_cut(self) -> bool:
        return len(" ".join(str(self.data.get("q", "")).split())) > MAX_QUERY_LENGTH

    @property
    def sort_order(self) -> str:
        sort = self.cleaned_data.get("sort")
        if sort in ("newest", "title"):
            return sort
        return "relevance" if self.query else "newest"

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.sort_order == "title":
            return queryset.order_by(Lower(f"title_{self.language}"), "pk")
        if self.sort_order == "relevance":
            return queryset.order_by("-rank", F("start_date").desc(nulls_last=True), "pk")
        return queryset.order_by(F("start_date").desc(nulls_last=True), "-pk")

    def facet_counts(self) -> dict[str, dict[str, int]]:
        """For each facet, how many results each of its options would give, in one query.

        An option's count applies every other active filter and this option, so choosing it
        gives exactly that many results. Counting runs over the link tables with the matching
        ids as a semi-join; DISTINCT only where an initiative can repeat (two roles).
        """
        language = self.language
        areas = Initiative.areas.through.objects.filter(cooperationarea__status=Status.PUBLISHED)
        participants = self._participations()
        # A plain QuerySet: modeltranslation's would reorder the columns of values_list(), and
        # every part of a UNION must list its columns in the same order.
        initiatives = QuerySet(Initiative)
        specs = {
            # facet: (rows to count, initiative id column, key, count distinct initiatives?)
            "area": (areas, "initiative_id", F(f"cooperationarea__slug_{language}"), False),
            "organization": (
                participants,
                "initiative_id",
                F(f"organization__slug_{language}"),
                True,
            ),
            "country": (
                participants.exclude(organization__country=""),
                "initiative_id",
                F("organization__country"),
                True,
            ),
            "kind": (initiatives, "pk", F("kind"), False),
            "status": (initiatives, "pk", F("initiative_status"), False),
            "year": (
                initiatives.filter(start_date__isnull=False),
                "pk",
                ExtractYear("start_date"),
                False,
            ),
            "agreement": (
                initiatives.filter(agreement__status=Status.PUBLISHED),
                "pk",
                F(f"agreement__slug_{language}"),
                False,
            ),
        }
        parts = []
        for facet, (rows, id_column, key, distinct) in specs.items():
            others = self.filtered_without(self.FACETS[facet])
            parts.append(
                rows.filter(**{f"{id_column}__in": others.values("pk")})
                .order_by()
                .annotate(
                    facet=Value(facet, output_field=CharField()),
                    key=Cast(key, CharField()),
                )
                .values("facet", "key")
                .annotate(n=Count(id_column, distinct=distinct))
                .values_list("facet", "key", "n")
            )
        counts: dict[str, dict[str, int]] = {facet: {} for facet in specs}
        for facet, key, n in parts[0].union(*parts[1:], all=True):
            counts[facet][str(key)] = n
        return counts

    def filtered_without(self, parameters) -> QuerySet:
        """The results with every valid filter applied except `parameters`, unsorted."""
        queryset = self.queryset.all()
        for name, value in self.cleaned_data.items():
            if name not in parameters:
                queryset = self.filters[name].filter(queryset, value)
        return queryset.order_by()
