"""Request parameters → querysets. Invalid values are reported on the form and ignored."""

import django_filters
from django import forms
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import CharField, F, QuerySet, Subquery, Value
from django.db.models.functions import Cast, ExtractYear, Lower
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .caching import cached, data_version
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
from .search import MAX_QUERY_LENGTH, PortalUnaccent, clean_query


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


#: The initiative filters that name a record by its slug.
SLUG_FILTERS = ("area", "organization", "agreement")


def initiative_filter_options(language: str) -> dict:
    """The values the initiative filters accept, with their labels, in one query.

    Areas, organizations and agreements are named by their slug in the page's language;
    countries by the ISO code of a participating organization's country. Under "slugs", each
    slug filter maps the other language's slugs to this language's and back
    ({"to_this": {...}, "to_other": {...}}), so that a filter written in either language is
    understood, and the language toggle writes the other language's slugs.
    """
    other = "fr" if language == "en" else "en"

    def part(model, kind: str, key: str, label: str, other_key: str):
        # Plain QuerySets, so every part of the UNION lists its columns in the same order.
        return (
            QuerySet(model)
            .filter(status=Status.PUBLISHED)
            .order_by()
            .annotate(
                option=Value(kind, output_field=CharField()),
                key=Cast(F(key), CharField()),
                label=Cast(F(label), CharField()),
                other_key=Cast(F(other_key), CharField()),
            )
            .values_list("option", "key", "label", "other_key")
        )

    parts = [
        part(CooperationArea, "area", f"slug_{language}", f"name_{language}", f"slug_{other}"),
        part(
            Organization, "organization", f"slug_{language}", f"name_{language}", f"slug_{other}"
        ),
        part(Agreement, "agreement", f"slug_{language}", f"title_{language}", f"slug_{other}"),
        part(Organization, "country", "country", "country", "country").distinct(),
    ]
    options: dict[str, dict[str, str]] = {name: {} for name in (*SLUG_FILTERS, "country")}
    slugs = {name: {"to_this": {}, "to_other": {}} for name in SLUG_FILTERS}
    for option, key, label, other_key in parts[0].union(*parts[1:], all=True):
        if key:
            options[option][key] = countries.name(key) if option == "country" else label
            if option in slugs and other_key:
                slugs[option]["to_this"][other_key] = key
                slugs[option]["to_other"][key] = other_key
    return {
        **{
            name: sorted(values.items(), key=lambda item: item[1].casefold())
            for name, values in options.items()
        },
        "slugs": slugs,
    }


def cached_filter_options(language: str, version: str | None = None) -> dict:
    """`initiative_filter_options(language)`, cached under the data version."""
    return cached(
        "initiative-filter-options",
        data_version() if version is None else version,
        language,
        None,
        lambda: initiative_filter_options(language),
    )


#: How many organizations the organization filter offers (the most frequent in the results).
ORGANIZATION_OPTIONS = 30

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
        label=_("Co-operation area"), empty_label=_("All areas"), method="filter_area"
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
        language = active_language()
        options = options if options is not None else initiative_filter_options(language)
        if data is not None:
            data = self.in_this_language(data, options)
        super().__init__(data, *args, **kwargs)
        self.language = language
        self.options = options
        for name in ("area", "organization", "agreement", "country"):
            # A callable, so the form's deep copy of its fields does not copy thousands of
            # choices on every request.
            self.filters[name].extra["choices"] = lambda values=self.options[name]: values
        self.form.fields["q"].widget = forms.TextInput(
            attrs={"type": "search", "maxlength": MAX_QUERY_LENGTH * 5, "autocomplete": "off"}
        )

    @staticmethod
    def in_this_language(data, options):
        """`data` with any slug given in the other language replaced by this language's."""
        renamed = {}
        for name in SLUG_FILTERS:
            slugs, value = options["slugs"][name], data.get(name)
            if value in slugs["to_this"] and value not in slugs["to_other"]:
                renamed[name] = slugs["to_this"][value]
        if not renamed:
            return data
        data = data.copy()
        for name, slug in renamed.items():
            data[name] = slug
        return data

    def query_string_in(self, language: str) -> str:
        """This search's query string for the page in `language`: the same parameters, in
        the same order, with slugs in that language."""
        if language == self.language:
            return self.data.urlencode() if self.data else ""
        data = self.data.copy() if self.data else QueryDict(mutable=True)
        for name in SLUG_FILTERS:
            slug = data.get(name)
            if slug in self.options["slugs"][name]["to_other"]:
                data[name] = self.options["slugs"][name]["to_other"][slug]
        return data.urlencode()

    # -- filters -------------------------------------------------------------------------

    def filter_q(self, queryset, name, value):
        return queryset.search(value, self.language)

    def filter_area(self, queryset, name, value: str):
        return queryset.filter(**{f"areas__slug_{self.language}": value})

    def filter_organization(self, queryset, name, value: str):
        return queryset.filter(
            pk__in=Subquery(
                self._participations()
                .filter(**{f"organization__slug_{self.language}": value})
                .values("initiative_id")
            )
        )

    def filter_country(self, queryset, name, value: str):
        return queryset.filter(
            pk__in=Subquery(
                self._participations().filter(organization__country=value).values("initiative_id")
            )
        )

    def filter_agreement(self, queryset, name, value: str):
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
            # "Énergie" among the E's, whatever the database's collation.
            return queryset.order_by(PortalUnaccent(Lower(f"title_{self.language}")), "pk")
        if self.sort_order == "relevance":
            return queryset.order_by("-rank", F("start_date").desc(nulls_last=True), "pk")
        return queryset.order_by(F("start_date").desc(nulls_last=True), "-pk")

    def facet_counts(self) -> dict[str, dict[str, int]]:
        """For each facet, how many results each of its options would give; and under "total"
        (key ""), the number of results. One statement.

        An option's count applies every other active filter and this option, so choosing it
        gives exactly that many results. Each distinct set of matching initiatives (all the
        filters; and for a facet with a chosen value, all but that one) is computed once, as a
        materialized CTE of a few narrow columns, and every facet counts over its set: the
        search condition is evaluated once per set, not once per facet.
        """
        sets: dict[tuple[str, ...], str] = {}  # the active parameters left out -> CTE name
        ctes, cte_params = [], []

        def matching(facet: str | None) -> str:
            left_out = tuple(
                p for p in self.FACETS.get(facet, ()) if self.cleaned_data.get(p) not in (None, "")
            )
            if left_out not in sets:
                name = sets[left_out] = f"matching_{len(sets)}"
                columns = ("id", "kind", "initiative_status", "agreement_id")
                year = ExtractYear("start_date")
                try:
                    rows = self.filtered_without(left_out).values(*columns, year=year)
                    sql, params = rows.query.sql_with_params()
                except EmptyResultSet:  # a condition that matches nothing (e.g. only -words)
                    rows = QuerySet(Initiative).filter(pk__isnull=True).values(*columns, year=year)
                    sql, params = rows.query.sql_with_params()
                ctes.append(f"{name} AS MATERIALIZED ({sql})")
                cte_params.extend(params)
            return sets[left_out]

        language, published = self.language, Status.PUBLISHED
        areas_link = Initiative.areas.through._meta.db_table
        participants = InitiativeParticipant._meta.db_table
        area, organization, agreement = (
            m._meta.db_table for m in (CooperationArea, Organization, Agreement)
        )
        parts: list[tuple[str, list]] = [
            (f"SELECT 'total', '', COUNT(*) FROM {matching(None)}", []),
            (
                f"SELECT 'area', a.slug_{language}, COUNT(*) FROM {areas_link} l "
                f"JOIN {matching('area')} m ON m.id = l.initiative_id "
                f"JOIN {area} a ON a.id = l.cooperationarea_id "
                f"WHERE a.status = %s GROUP BY a.slug_{language}",
                [published],
            ),
            (
                # An organization can hold two roles in one initiative: count pairs once.
                f"SELECT 'organization', o.slug_{language}, COUNT(*) FROM "
                f"(SELECT DISTINCT p.initiative_id, p.organization_id FROM {participants} p "
                f"JOIN {matching('organization')} m ON m.id = p.initiative_id) x "
                f"JOIN {organization} o ON o.id = x.organization_id "
                f"WHERE o.status = %s GROUP BY o.slug_{language}",
                [published],
            ),
            (
                f"SELECT 'country', country, COUNT(*) FROM "
                f"(SELECT DISTINCT p.initiative_id, o.country FROM {participants} p "
                f"JOIN {matching('country')} m ON m.id = p.initiative_id "
                f"JOIN {organization} o ON o.id = p.organization_id "
                f"WHERE o.status = %s AND o.country <> '') x GROUP BY country",
                [published],
            ),
            (f"SELECT 'kind', kind, COUNT(*) FROM {matching('kind')} GROUP BY kind", []),
            (
                f"SELECT 'status', initiative_status, COUNT(*) FROM {matching('status')} "
                "GROUP BY initiative_status",
                [],
            ),
            (
                f"SELECT 'year', CAST(year AS text), COUNT(*) FROM {matching('year')} "
                "WHERE year IS NOT NULL GROUP BY year",
                [],
            ),
            (
                f"SELECT 'agreement', g.slug_{language}, COUNT(*) FROM {matching('agreement')} m "
                f"JOIN {agreement} g ON g.id = m.agreement_id "
                f"WHERE g.status = %s GROUP BY g.slug_{language}",
                [published],
            ),
        ]
        sql = f"WITH {', '.join(ctes)} " + " UNION ALL ".join(part for part, _ in parts)
        params = cte_params + [p for _, part_params in parts for p in part_params]
        counts: dict[str, dict[str, int]] = {facet: {} for facet in ("total", *self.FACETS)}
        # On the database the request reads from (a replica, or the primary), like its data
        # version and its rows.
        with connections[self.queryset.db].cursor() as cursor:
            cursor.execute(sql, params)
            for facet, key, n in cursor.fetchall():
                counts[facet][str(key)] = n
        counts["total"].setdefault("", 0)
        # Only the most frequent organizations are offered (there can be thousands), and the
        # chosen one, so that what is kept (and cached) stays small.
        chosen = self.cleaned_data.get("organization") or ""
        top = sorted(counts["organization"].items(), key=lambda item: (-item[1], item[0]))
        counts["organization"] = {
            key: n
            for rank, (key, n) in enumerate(top)
            if rank < ORGANIZATION_OPTIONS or key == chosen
        }
        return counts

    @property
    def parameters(self) -> dict:
        """The valid, non-empty parameters that select the results (not their order): what a
        cached count or facet is keyed on."""
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if value not in (None, "") and name != "sort"
        }
        if "q" in data:
            data["q"] = self.query
        return data

    def filtered_without(self, parameters) -> QuerySet:
        """The results with every valid filter applied except `parameters`, unsorted."""
        queryset = self.queryset.all()
        for name, value in self.cleaned_data.items():
            if name not in parameters:
                queryset = self.filters[name].filter(queryset, value)
        return queryset.order_by()
