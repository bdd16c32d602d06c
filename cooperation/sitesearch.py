"""The site-wide search (/en/search/ ↔ /fr/recherche/): every record type at once.

Each type is matched and ranked the way the initiative search is (`search()` on its QuerySet,
see cooperation/search.py); the types' matches are put together in one SQL `UNION ALL` ordered
by rank, so a page of results is one query, whatever the number of records, plus one query per
type shown to read its rows. The counts per type (the facet) are one query too. When nothing
contains the words, the records whose names hold a word close to them are offered instead
(typo tolerance), as on the initiative search.
"""

from django import forms
from django.db.models import CharField, Count, Prefetch, Value
from django.utils.translation import gettext_lazy as _

from .models import (
    SEARCH_COLUMNS,
    Agreement,
    CooperationArea,
    Initiative,
    InitiativeParticipant,
    Organization,
    Recommendation,
    Source,
    Status,
)
from .search import MAX_QUERY_LENGTH, clean_query

#: The record types searched, by the code the `type` parameter takes, in the facet's order.
TYPES = {
    "initiatives": Initiative,
    "agreements": Agreement,
    "organizations": Organization,
    "recommendations": Recommendation,
    "areas": CooperationArea,
    "sources": Source,
}


def type_choices() -> list[tuple[str, str]]:
    return [(code, model._meta.verbose_name_plural) for code, model in TYPES.items()]


class SiteSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search the portal"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "maxlength": MAX_QUERY_LENGTH * 5, "autocomplete": "off"}
        ),
    )
    type = forms.ChoiceField(label=_("Type of record"), required=False, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("All types")), *type_choices()]

    @property
    def query(self) -> str:
        if not self.is_valid():
            return clean_query(self.data.get("q", ""))
        return clean_query(self.cleaned_data["q"])

    @property
    def query_was_cut(self) -> bool:
        return len(" ".join(str(self.data.get("q", "")).split())) > MAX_QUERY_LENGTH

    @property
    def record_type(self) -> str:
        return self.cleaned_data.get("type", "") if self.is_valid() else ""


def _matches(code: str, query: str, language: str, close: bool):
    """The published records of type `code` matching `query`, as (type, id, rank) rows."""
    published = TYPES[code].objects.published()
    matched = published.similar(query) if close else published.search(query, language)
    return matched.annotate(record_type=Value(code, output_field=CharField())).values_list(
        "record_type", "pk", "rank"
    )


def counts(query: str, language: str, close: bool = False) -> dict[str, int]:
    """How many records of each type match (one query)."""
    queries = [
        _matches(code, query, language, close)
        .order_by()
        .values("record_type")
        .annotate(n=Count("pk"))
        .values_list("record_type", "n")
        for code in TYPES
    ]
    found = dict.fromkeys(TYPES, 0)
    found.update(dict(queries[0].union(*queries[1:], all=True)))
    return found


def ranked(query: str, language: str, record_type: str = "", close: bool = False):
    """(type, id, rank) of every match, best first: one query, sliced by the paginator."""
    codes = [record_type] if record_type else list(TYPES)
    queries = [_matches(code, query, language, close).order_by() for code in codes]
    union = queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]
    return union.order_by("-rank", "record_type", "pk")


def published_participations() -> Prefetch:
    """An initiative's participants that are published, with their organizations (one
    query for a whole page of initiatives)."""
    return Prefetch(
        "participations",
        InitiativeParticipant.objects.filter(organization__status=Status.PUBLISHED)
        .select_related("organization")
        .order_by("pk"),
    )


def records_for(rows) -> list[dict]:
    """The records of a page of (type, id, rank) rows, in that order: one query per type
    present (initiatives with their published participants)."""
    ids: dict[str, list[int]] = {}
    for code, pk, _rank in rows:
        ids.setdefault(code, []).append(pk)
    found = {}
    for code, pks in ids.items():
        queryset = TYPES[code].objects.published().filter(pk__in=pks)
        if code == "initiatives":
            queryset = queryset.defer(*SEARCH_COLUMNS).prefetch_related(published_participations())
        elif code == "recommendations":
            queryset = queryset.select_related("proposed_in")
        for record in queryset:
            found[(code, record.pk)] = record
    return [
        {"type": code, "record": found[(code, pk)]}
        for code, pk, _rank in rows
        if (code, pk) in found
    ]
