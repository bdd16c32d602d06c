"""Public pages. Thin views: query vocabulary lives on the QuerySets, parameters in FilterSets.

Every page reads records through `published()` only, and runs a fixed number of queries
whatever the size of the data (tests/test_site.py asserts it).
"""

import datetime
import functools
import io
import tempfile
from collections import defaultdict

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.aggregates import ArrayAgg
from django.core.exceptions import PermissionDenied
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Count, F, Prefetch, Q, Window
from django.db.models.functions import ExtractYear, RowNumber
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import condition, require_safe

from . import charts, opendata, sitesearch
from . import preview as previews
from .caching import CachedResults, cached, data_version
from .filters import InitiativeFilterSet, OrganizationFilterSet, cached_filter_options
from .models import (
    LANGUAGE_CODES,
    SEARCH_COLUMNS,
    Agreement,
    AgreementLink,
    AgreementParty,
    AgreementStatus,
    Audience,
    Citation,
    CooperationArea,
    FormerSlug,
    Initiative,
    InitiativeKind,
    InitiativeParticipant,
    InitiativeStatus,
    Organization,
    OrganizationLink,
    Pillar,
    Recommendation,
    Role,
    Source,
    Status,
    active_language,
    published_counts,
)
from .templatetags.portal import long_date

PAGE_SIZE = 20
#: How many related records a detail page lists before pointing to the full list.
RELATED_LIMIT = 25


class RecordMoved(Exception):
    """The slug asked for is a published record's former one (FormerSlug)."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


def _published_by_slug(request, queryset, slug: str):
    """The published record whose slug in the page's language is `slug`; RecordMoved if that
    was its slug before a change; else 404. On a preview page (`preview`), the previewed
    record, whatever its status."""
    if getattr(request, "preview", None) is not None:
        return queryset.get(pk=request.preview.record.pk)
    language = active_language()
    try:
        return queryset.published().get(**{f"slug_{language}": slug})
    except queryset.model.DoesNotExist as exc:
        moved = FormerSlug.current(queryset.model, language, slug)
        if moved is not None and moved.url_in(language):
            raise RecordMoved(moved.url_in(language)) from exc
        raise Http404(_("No published record has this address.")) from exc


def follows_former_slugs(view):
    """A record page at a former address answers with a permanent redirect to the present
    one, its query string kept."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except RecordMoved as moved:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(moved.url + (f"?{query}" if query else ""))

    return wrapper


def _paginate(request, queryset, per_page: int = PAGE_SIZE):
    """The requested page; a page that is not a number or lies past the end is a 404."""
    paginator = Paginator(queryset, per_page)
    number = request.GET.get("page") or 1
    try:
        return paginator.page(number)
    except InvalidPage as exc:
        raise Http404(_("There is no such page in this list.")) from exc


def _participations(model, **filters):
    return Prefetch(
        "participations",
        queryset=model.objects.filter(organization__status=Status.PUBLISHED, **filters)
        .select_related("organization")
        .order_by(f"organization__name_{active_language()}", "organization_id", "role"),
    )


def _newest_first():
    return [F("start_date").desc(nulls_last=True), "-first_published"]


def _published_counts(version: str):
    """How many published records of each type (cached under the data version)."""
    return cached("published-counts", version, "any", None, published_counts)


def _areas_with_counts(version: str):
    """Published areas with their counts of published records (cached under the data version;
    the instances hold both languages, so one entry serves both)."""
    return cached(
        "areas-with-counts",
        version,
        "any",
        None,
        lambda: list(CooperationArea.objects.published().with_counts()),
    )


@require_safe
def home(request):
    version = data_version()
    context = {
        "counts": _published_counts(version),
        "areas": _areas_with_counts(version),
        "latest_initiatives": Initiative.objects.published().order_by(*_newest_first())[:6],
        "agreements": Agreement.objects.published()[:8],
        "recommendations": Recommendation.objects.published()[:4],
    }
    return render(request, "cooperation/home.html", context)


@require_safe
def area_list(request):
    version = data_version()
    context = {"object_list": _areas_with_counts(version), "chart": _area_status_chart(version)}
    return render(request, "cooperation/area_list.html", context)


@require_safe
@follows_former_slugs
def area_detail(request, slug: str):
    area = _published_by_slug(
        request, CooperationArea.objects.with_counts().with_published_citations(), slug
    )
    context = {
        "object": area,
        "agreements": area.agreements.published(),
        "initiatives": area.initiatives.published().order_by(*_newest_first())[:RELATED_LIMIT],
        "recommendations": area.recommendations.published(),
    }
    return render(request, "cooperation/area_detail.html", context)


@require_safe
def initiative_list(request):
    """The search page: `q` and the FilterSet's filters, facet counts, pagination.

    Counts, facets and the ids of each page are cached under the data version and language
    (cooperation/caching.py); the rows shown are read fresh by id.
    """
    redirect = without_empty_fields(request)
    if redirect is not None:
        return redirect
    version, language = data_version(), active_language()
    options = cached_filter_options(language, version)
    filterset = InitiativeFilterSet(
        request.GET or None, queryset=Initiative.objects.published(), options=options
    )
    parameters = filterset.parameters
    facets = cached("initiative-facets", version, language, parameters, filterset.facet_counts)
    rows = (
        Initiative.objects.published()
        .defer(*SEARCH_COLUMNS)
        .prefetch_related(sitesearch.published_participations())
    )
    key = {"version": version, "language": language}
    results = CachedResults(
        filterset.qs,
        rows,
        name="initiatives",
        parts=[parameters, filterset.sort_order],
        count=facets["total"][""],
        **key,
    )
    close_matches = False
    if filterset.query and not results.count():
        # Nothing contains the words: the records with words close to them (typo tolerance),
        # on every page of the results.
        similar = (
            filterset.filtered_without(("q",)).similar(filterset.query).order_by("-rank", "pk")
        )
        similar = CachedResults(similar, rows, name="similar", parts=parameters, **key)
        if similar.count():
            results, close_matches = similar, True
    page = _paginate(request, results)
    context = {
        "filter": filterset,
        "page_obj": page,
        "object_list": page.object_list,
        "facets": _facet_options(filterset, facets),
        "close_matches": close_matches,
        "query": filterset.query,
        "chart": _year_chart(version),
        "initiative_result": {"type": "initiatives"},  # the cards' record type
    }
    return render(request, "cooperation/initiative_list.html", context)


def without_empty_fields(request) -> HttpResponseRedirect | None:
    """A redirect to the same address without its empty parameters (a form submits every
    field: `?q=hydrogen&type=` becomes `?q=hydrogen`), or None if there are none."""
    if not any(value == "" for value in request.GET.values()):
        return None
    kept = request.GET.copy()
    for name in [name for name, value in kept.items() if value == ""]:
        kept.setlist(name, [value for value in kept.getlist(name) if value != ""])
        if not kept.getlist(name):
            del kept[name]
    query = kept.urlencode()
    return HttpResponseRedirect(request.path + (f"?{query}" if query else ""))


@require_safe
def search(request):
    """The site-wide search: every record type, the type as a facet with counts, ranked by
    relevance (cooperation/sitesearch.py)."""
    redirect = without_empty_fields(request)
    if redirect is not None:
        return redirect
    form = sitesearch.SiteSearchForm(request.GET or None)
    query, record_type = form.query, form.record_type
    searched = any(ch.isalnum() for ch in query)
    context = {
        "form": form,
        "query": query,
        "searched": searched,
        "record_type": record_type,
        "close_matches": False,
    }
    if searched:
        version, language = data_version(), active_language()
        counts = cached(
            "site-search-counts",
            version,
            language,
            query,
            lambda: sitesearch.counts(query, language),
        )
        close = not any(counts.values())
        if close:
            counts = cached(
                "site-search-close-counts",
                version,
                language,
                query,
                lambda: sitesearch.counts(query, language, close=True),
            )
        context["close_matches"] = close and any(counts.values())
        page = _paginate(request, sitesearch.ranked(query, language, record_type, close))
        context.update(
            page_obj=page,
            results=sitesearch.records_for(page.object_list),
            facets=[
                {
                    "code": code,
                    "label": label,
                    "count": counts[code],
                    "selected": code == record_type,
                }
                for code, label in sitesearch.type_choices()
            ],
            total=sum(counts.values()),
        )
    return render(request, "cooperation/search.html", context)


@require_safe
def initiative_export(request, fmt: str):
    """The search page's results (same query, filters and order), every row, as CSV, JSON or
    XLSX. Values the page would ignore with a message are refused here with a 400."""
    if fmt not in opendata.FORMATS:
        raise Http404(_("Results can be downloaded as CSV, JSON or XLSX."))
    filterset = InitiativeFilterSet(
        request.GET or None,
        queryset=Initiative.objects.published(),
        options=cached_filter_options(active_language()),
    )
    if filterset.is_bound and not filterset.form.is_valid():
        errors = {
            str(filterset.form.fields[name].label if name in filterset.form.fields else name): [
                str(e) for e in messages
            ]
            for name, messages in filterset.form.errors.items()
        }
        if fmt == "json":
            return JsonResponse({"errors": errors}, status=400)
        lines = [f"{name}: {' '.join(messages)}" for name, messages in errors.items()]
        return HttpResponse(
            "\n".join([_("Some values were not understood:"), *lines]) + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    results, close_matches = filterset.qs, False
    if filterset.query and not results.exists():
        # As on the page: when nothing contains the words, the close matches.
        similar = filterset.filtered_without(("q",)).similar(filterset.query)
        results, close_matches = similar.order_by("-rank", "pk"), True
    records = opendata.INITIATIVES.records(results, base=opendata.site_address(request))
    stamp = timezone.localdate().isoformat()
    name = f"{_('initiatives')}-{stamp}.{fmt}"
    count = results.count()
    if fmt == "json":
        header = {
            "language": active_language(),
            "query": filterset.query,
            "filters": {k: str(v) for k, v in filterset.parameters.items() if k != "q"},
            "sort": filterset.sort_order,
            "close_matches": close_matches,
            "count": count,
            "generated": timezone.now().isoformat(),
            "dictionary": request.build_absolute_uri(reverse("data_dictionary")),
        }
        response = _download(opendata.stream_json(records, header), fmt, count)
    else:
        response = _download_table(opendata.INITIATIVES, records, fmt, count)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


#: Downloads of at most this many rows are sent whole (so they can be cached with the page
#: cache, portal/middleware.py); larger ones are streamed, in flat memory.
BUFFERED_ROWS = 1000
#: An XLSX workbook is zipped whole before it can be sent: one of more than BUFFERED_ROWS rows
#: is written to a temporary file (in memory up to this size, on disk past it), then streamed.
XLSX_SPOOL_BYTES = 4 * 2**20


def _download(chunks, fmt: str, rows: int):
    content_type = opendata.CONTENT_TYPES[fmt]
    if rows <= BUFFERED_ROWS:
        return HttpResponse("".join(chunks), content_type=content_type)
    return StreamingHttpResponse(chunks, content_type=content_type)


def _download_table(dataset, records, fmt: str, rows: int):
    """`records` of `dataset` as CSV or XLSX (the same columns)."""
    if fmt == "csv":
        return _download(opendata.stream_csv(dataset, records), fmt, rows)
    if rows <= BUFFERED_ROWS:
        buffer = io.BytesIO()
        opendata.write_xlsx(dataset, records, buffer)
        return HttpResponse(buffer.getvalue(), content_type=opendata.CONTENT_TYPES[fmt])
    # Not a `with`: the file outlives this function, and FileResponse closes it once sent.
    file = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)  # noqa: SIM115
    try:
        opendata.write_xlsx(dataset, records, file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return FileResponse(file, content_type=opendata.CONTENT_TYPES[fmt])


def _facet_options(filterset, counts) -> dict[str, list[dict]]:
    """Each facet's options with their counts: options giving no result are left out (unless
    chosen)."""
    data = filterset.cleaned_data
    labels = {
        "area": filterset.options["area"],
        "organization": filterset.options["organization"],
        "country": filterset.options["country"],
        "agreement": filterset.options["agreement"],
        "kind": list(InitiativeKind.choices),
        "status": list(InitiativeStatus.choices),
    }
    facets = {}
    for name, options in labels.items():
        chosen = str(data.get(name) or "")
        facets[name] = [
            {
                "value": value,
                "label": label,
                "count": counts[name].get(str(value), 0),
                "selected": str(value) == chosen,
            }
            for value, label in options
            if counts[name].get(str(value)) or str(value) == chosen
        ]
    facets["year"] = sorted(
        ({"value": int(y), "label": y, "count": n} for y, n in counts["year"].items()),
        key=lambda i: -i["value"],
    )
    return facets


@require_safe
@follows_former_slugs
def initiative_detail(request, slug: str):
    queryset = (
        Initiative.objects.select_related("agreement")
        .with_published_citations()
        .prefetch_related(_participations(InitiativeParticipant))
    )
    initiative = _published_by_slug(request, queryset, slug)
    agreement = initiative.agreement
    context = {
        "object": initiative,
        "agreement": agreement if agreement and agreement.is_published else None,
        "areas": initiative.areas.published(),
        "recommendations": initiative.recommendations.published(),
        "under_pillars": initiative.pillars.shown().select_related("plan"),
    }
    return render(request, "cooperation/initiative_detail.html", context)


@require_safe
def agreement_list(request):
    """The timeline: every published agreement, newest first, grouped by year in the template."""
    agreements = list(Agreement.objects.published())
    context = {"object_list": agreements, "chart": _agreement_chart(agreements)}
    return render(request, "cooperation/agreement_list.html", context)


@require_safe
@follows_former_slugs
def agreement_detail(request, slug: str):
    queryset = Agreement.objects.with_published_citations().prefetch_related(
        _participations(AgreementParty)
    )
    agreement = _published_by_slug(request, queryset, slug)
    context = {
        "object": agreement,
        "links": AgreementLink.objects.read_from(agreement),
        "pillars": agreement.pillars.shown().prefetch_related(
            Prefetch("agreements", Agreement.objects.published()),
            Prefetch("initiatives", Initiative.objects.published().defer(*SEARCH_COLUMNS)),
        ),
        "under_pillars": Pillar.objects.shown()
        .filter(agreements=agreement)
        .select_related("plan"),
        "areas": agreement.areas.published(),
        "initiatives": agreement.initiatives.published().order_by(*_newest_first())[
            :RELATED_LIMIT
        ],
    }
    return render(request, "cooperation/agreement_detail.html", context)


@require_safe
def organization_list(request):
    filterset = OrganizationFilterSet(
        request.GET or None,
        queryset=Organization.objects.published().alphabetical(active_language()),
    )
    page = _paginate(request, filterset.qs, per_page=50)
    context = {
        "filter": filterset,
        "page_obj": page,
        "object_list": page.object_list,
        "card": {"type": "organizations"},
    }
    return render(request, "cooperation/organization_list.html", context)


@require_safe
@follows_former_slugs
def organization_detail(request, slug: str):
    organization = _published_by_slug(
        request, Organization.objects.with_published_citations(), slug
    )
    initiatives = (
        Initiative.objects.published()
        .filter(pk__in=organization.initiative_participations.values("initiative_id"))
        .defer(*SEARCH_COLUMNS)
        .order_by(F("start_date").desc(nulls_last=True), "pk")
    )
    shown = list(initiatives[:RELATED_LIMIT])
    context = {
        "object": organization,
        "links": OrganizationLink.objects.read_from(organization),
        "former_names": organization.former_names.filter(
            source__status=Status.PUBLISHED
        ).select_related("source"),
        # Each record once, with every role the organization holds in it.
        "agreements": _with_roles(
            list(
                Agreement.objects.published().filter(
                    pk__in=organization.agreement_participations.values("agreement_id")
                )
            ),
            organization.agreement_participations,
            "agreement_id",
        ),
        "initiatives": _with_roles(shown, organization.initiative_participations, "initiative_id"),
        "initiative_count": initiatives.count() if len(shown) == RELATED_LIMIT else len(shown),
        "chart": _partner_chart(organization, data_version()),
    }
    return render(request, "cooperation/organization_detail.html", context)


def _with_roles(records: list, participations, key: str) -> list:
    """`records`, each given `roles`: the labels of the roles in `participations` (one query)."""
    roles = defaultdict(list)
    rows = participations.filter(**{f"{key}__in": [r.pk for r in records]}).order_by("pk")
    for record_id, role in rows.values_list(key, "role"):
        roles[record_id].append(Role(role).label)
    for record in records:
        record.roles = roles[record.pk]
    return records


@require_safe
def recommendation_list(request):
    """Recommendations grouped by area (default) or by audience (?by=audience)."""
    recommendations = list(
        Recommendation.objects.published()
        .select_related("proposed_in")
        .prefetch_related(Prefetch("areas", queryset=CooperationArea.objects.published()))
    )
    by = "audience" if request.GET.get("by") == "audience" else "area"
    groups: dict = defaultdict(list)
    if by == "audience":
        labels = dict(Audience.choices)
        for recommendation in recommendations:
            groups[recommendation.audience].append(recommendation)
        grouped = [(labels[key], None, groups[key]) for key in labels if groups[key]]
    else:
        areas = {}
        for recommendation in recommendations:
            for area in recommendation.areas.all():
                areas[area.pk] = area
                groups[area.pk].append(recommendation)
        ordered = sorted(areas.values(), key=lambda a: (a.position, str(a)))
        grouped = [(str(area), area, groups[area.pk]) for area in ordered]
    context = {
        "grouped": grouped,
        "by": by,
        "object_list": recommendations,
        "card": {"type": "recommendations"},
    }
    return render(request, "cooperation/recommendation_list.html", context)


@require_safe
@follows_former_slugs
def recommendation_detail(request, slug: str):
    recommendation = _published_by_slug(
        request,
        Recommendation.objects.select_related("proposed_in").with_published_citations(),
        slug,
    )
    context = {
        "object": recommendation,
        "areas": recommendation.areas.published(),
        "initiatives": recommendation.initiatives.published(),
    }
    return render(request, "cooperation/recommendation_detail.html", context)


@require_safe
def preview(request, token: str):
    """A record's page as it will look once published (cooperation/preview.py): for a
    signed-in member of staff who may see the record, at a signed address that expires;
    marked as a preview, never cached, never indexed."""
    try:
        record, issued, change = previews.open_token(token)
    except previews.Expired:
        minutes = max(1, settings.PREVIEW_MAX_AGE // 60)
        context = {"preview_minutes": minutes}
        response = render(request, "cooperation/preview_expired.html", context, status=410)
    except previews.Invalid as exc:
        raise Http404(_("This preview link is not valid.")) from exc
    else:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        opts = record._meta
        allowed = request.user.is_staff and any(
            request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")
            for action in ("view", "change")
        )
        if not allowed:
            raise PermissionDenied(_("Previews are for the portal's curators."))
        request.preview = previews.Preview(record, token, issued, change)
        response = previews.render(request, DETAIL_VIEWS[type(record)])
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def source_list(request):
    """Every published source, and the published records that cite it: up to RELATED_LIMIT of
    each record type per source, with how many there are in all. One query for the citations
    (cached under the data version) and one per record type, whatever their number."""
    sources = list(Source.objects.published())
    types = ContentType.objects.get_for_models(
        CooperationArea, Initiative, Agreement, Organization, Recommendation
    )
    of_published = Q(pk__in=[])
    for model, content_type in types.items():
        of_published |= Q(
            content_type=content_type, object_id__in=model.objects.published().values("pk")
        )
    per_type = [F("source_id"), F("content_type_id")]

    def first_citations():
        return list(
            Citation.objects.filter(of_published, source__in=sources)
            .annotate(
                rank=Window(RowNumber(), partition_by=per_type, order_by=F("pk").asc()),
                total=Window(Count("pk"), partition_by=per_type),
            )
            .filter(rank__lte=RELATED_LIMIT)
            .order_by("source_id", "content_type_id", "pk")
        )

    # Numbering every citation of a much-cited source is the page's one costly step (800 ms
    # for a source cited 100,000 times): kept under the data version, like the counts.
    citations = cached("source-citations", data_version(), "any", None, first_citations)
    records = {}
    for model, content_type in types.items():
        ids = {c.object_id for c in citations if c.content_type_id == content_type.pk}
        for pk, record in model.objects.published().in_bulk(ids).items():
            records[content_type.pk, pk] = record
    cited_by, totals = defaultdict(list), defaultdict(int)
    for citation in citations:
        record = records.get((citation.content_type_id, citation.object_id))
        if record is not None:  # deleted or unpublished since the citations were read
            cited_by[citation.source_id].append((record, citation))
        if citation.rank == 1:
            totals[citation.source_id] += citation.total
    for source in sources:
        source.citing = cited_by[source.pk]
        source.citing_count = totals[source.pk]
        source.citing_more = totals[source.pk] - len(source.citing)
    return render(request, "cooperation/source_list.html", {"object_list": sources})


# -- The standard pages --------------------------------------------------------------------

#: The standard pages: URL name → (title, description). Each page's text is written once per
#: language, as prose (templates/pages/<language>/<page>.html); its title, which the footer
#: also uses, goes through the catalogue like every other interface string.
STANDARD_PAGES = {
    "about": (
        gettext_lazy("About this portal"),
        gettext_lazy(
            "What the Canada–Korea AI Co-operation Portal records, where its content comes "
            "from, how records cite their sources and are checked, and the licence of its data."
        ),
    ),
    "contact": (
        gettext_lazy("Contact us"),
        gettext_lazy(
            "How to reach the portal's curators: suggest a correction to a record, or tell us "
            "about a page."
        ),
    ),
    "terms": (
        gettext_lazy("Terms and conditions"),
        gettext_lazy(
            "The licence of the portal's data, links to other websites, and the limits of what "
            "the portal offers."
        ),
    ),
    "privacy": (
        gettext_lazy("Privacy"),
        gettext_lazy(
            "What the portal's feedback forms keep, for how long, and what the portal does not "
            "collect: no analytics, no third-party services."
        ),
    ),
    "accessibility": (
        gettext_lazy("Accessibility"),
        gettext_lazy(
            "The accessibility standard the portal aims to meet, how it is tested, its known "
            "limitations, and how to report a problem."
        ),
    ),
}


@require_safe
def standard_page(request, page: str):
    """About, Contact, Terms and conditions, Privacy, Accessibility: the frame of
    pages/standard_page.html around the page's text in the visitor's language."""
    title, description = STANDARD_PAGES[page]
    context = {
        "page_name": page,
        "title": title,
        "description": description,
        "body": f"pages/{active_language()}/{page}.html",
        "licence": opendata.licence(),
        "retention_days": settings.FEEDBACK_RETENTION.days,
    }
    return render(request, "pages/standard_page.html", context)


@require_safe
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /i18n/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


# -- Open data ----------------------------------------------------------------------------


def _data_etag(request, *args, **kwargs) -> str:
    """Dumps change only when the data does: a client that has this version gets a 304."""
    return f"data-{data_version()}-{'-'.join(str(v) for v in kwargs.values())}"


@require_safe
def open_data(request):
    """The Open data page: every download (with its format and size), the API, the feeds, the
    licence, the dictionary."""
    version = data_version()
    counts = _published_counts(version)
    sizes = _download_sizes(request, version, counts)
    datasets = [
        {
            "dataset": dataset,
            "count": counts[dataset.model._meta.model_name],
            "dictionary": dataset.dictionary(),
            "downloads": [
                {
                    "format": fmt,
                    "url": reverse("data_dump", kwargs={"name": name, "fmt": fmt}),
                    "content_type": opendata.CONTENT_TYPES[fmt].split(";")[0],
                    "size": sizes[f"{name}.{fmt}"][0],
                    "approximate": sizes[f"{name}.{fmt}"][1],
                }
                for fmt in opendata.FORMATS
            ],
        }
        for name, dataset in opendata.DATASETS.items()
    ]
    context = {"datasets": datasets, "licence": opendata.licence()}
    return render(request, "cooperation/open_data.html", context)


#: The size of each full download is measured on the file of its first SIZE_SAMPLE records
#: (the whole file, unless there are more) and scaled to the rest ("about").
SIZE_SAMPLE = BUFFERED_ROWS


def _download_sizes(request, version: str, counts) -> dict[str, tuple[int, bool]]:
    """(bytes, approximate) of every full download, by "<name>.<fmt>": measured once per data
    version and language (an XLSX file's second sheet is in the visitor's language), and never
    by building the whole of a large file."""
    base = opendata.site_address(request)

    def measure():
        sizes = {}
        for name, dataset in opendata.DATASETS.items():
            count = counts[dataset.model._meta.model_name]
            sample = list(dataset.records(dataset.published()[:SIZE_SAMPLE], base=base))
            measured = opendata.file_sizes(dataset, sample, _dump_header(request, dataset, count))
            scale = count / len(sample) if sample and len(sample) < count else 1
            for fmt, size in measured.items():
                sizes[f"{name}.{fmt}"] = (round(size * scale), scale != 1)
        return sizes

    return cached("download-sizes", version, active_language(), base, measure)


@require_safe
@condition(etag_func=_data_etag)
def data_dump(request, name: str, fmt: str):
    """Every published record of one type, as CSV, JSON or XLSX (/data/<name>.<fmt>)."""
    dataset = opendata.DATASETS.get(name)
    if dataset is None or fmt not in opendata.FORMATS:
        raise Http404(_("There is no such download."))
    queryset = dataset.published()
    records = dataset.records(queryset, base=opendata.site_address(request))
    count = queryset.count()
    if fmt == "json":
        response = _download(
            opendata.stream_json(records, _dump_header(request, dataset, count)), fmt, count
        )
    else:
        response = _download_table(dataset, records, fmt, count)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _dump_header(request, dataset, count: int) -> dict:
    """What a JSON dump says before its records."""
    return {
        "dataset": dataset.name,
        "title_en": opendata.in_language(dataset.title, "en"),
        "title_fr": opendata.in_language(dataset.title, "fr"),
        "licence": opendata.licence_data(),
        "dictionary": request.build_absolute_uri(reverse("data_dictionary")),
        "count": count,
        "generated": timezone.now().isoformat(),
    }


@require_safe
@condition(etag_func=_data_etag)
def data_dictionary(request):
    """Every column of every download and API record, described in English and French."""
    return JsonResponse(
        opendata.bilingual_dictionary(opendata.site_address(request)),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


# -- What each page reads from its query string (the page cache caches nothing else) ---------

_API_LIST = frozenset({"page", "page_size", "lang"})
#: View name -> the query parameters it reads (portal.middleware.PublicPageCacheMiddleware).
PAGE_PARAMETERS = {
    "cooperation:initiative_list": frozenset(InitiativeFilterSet.base_filters) | {"page"},
    "cooperation:initiative_export": frozenset(InitiativeFilterSet.base_filters),
    "cooperation:organization_list": frozenset(OrganizationFilterSet.base_filters) | {"page"},
    "cooperation:search": frozenset({"q", "type", "page"}),
    "cooperation:recommendation_list": frozenset({"by"}),
    "sitemap": frozenset({"p"}),
    "api:root": frozenset({"lang"}),
    "api:openapi": frozenset({"lang", "format"}),
    **{f"api:{name}-list": _API_LIST for name in opendata.DATASETS},
    **{f"api:{name}-detail": frozenset({"lang"}) for name in opendata.DATASETS},
    "api:initiatives-list": _API_LIST | frozenset(InitiativeFilterSet.base_filters),
    "api:organizations-list": _API_LIST | frozenset(OrganizationFilterSet.base_filters),
}


# -- Charts (cooperation/charts.py draws them; templates/includes/charts/) -----------------------


def _status_series() -> list[tuple[str, str]]:
    """The initiative statuses, as the chart legends name them (agreeing with « initiative »)."""
    return [(value, str(label)) for value, label in InitiativeStatus.choices]


def _area_status_counts(version: str) -> dict[int, dict[str, int]]:
    """Published initiatives per published area and status: one grouped query, cached."""

    def compute():
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        rows = (
            Initiative.areas.through.objects.filter(
                initiative__status=Status.PUBLISHED, cooperationarea__status=Status.PUBLISHED
            )
            .values("cooperationarea_id", status=F("initiative__initiative_status"))
            .annotate(n=Count("initiative_id", distinct=True))
            .order_by()
        )
        for row in rows:
            counts[row["cooperationarea_id"]][row["status"]] = row["n"]
        return dict(counts)

    return cached("chart-area-statuses", version, "any", None, compute)


def _area_status_chart(version: str) -> dict:
    counts = _area_status_counts(version)
    series = _status_series()
    areas = _areas_with_counts(version)
    rows = [
        {"label": str(area), "url": area.get_absolute_url(), "values": counts.get(area.pk, {})}
        for area in areas
    ]
    geometry = charts.stacked_bars(rows, series)
    busiest = max(geometry["rows"], key=lambda r: r["total"], default=None)
    text = _(
        "Each bar counts the published initiatives of one co-operation area, split by status. "
        "An initiative can belong to more than one area."
    )
    if busiest and busiest["total"]:
        text += " " + _("%(area)s has the most: %(count)s.") % {
            "area": busiest["label"],
            "count": busiest["total_text"],
        }
    return {
        "id": "chart-areas",
        "title": _("Initiatives per co-operation area, by status"),
        "alt": ngettext(
            "Horizontal stacked bar chart of %(count)s co-operation area. The table after the "
            "chart gives every figure.",
            "Horizontal stacked bar chart of %(count)s co-operation areas. The table after the "
            "chart gives every figure.",
            len(rows),
        )
        % {"count": charts.number(len(rows))},
        "text": text,
        "geometry": geometry,
        "table": _bars_table(_("Co-operation area"), geometry, series),
        "csv": reverse("cooperation:area_chart_csv"),
    }


def _bars_table(first: str, geometry: dict, series) -> dict:
    """The data table of a stacked bar chart: one row per bar, one column per series."""
    return {
        "columns": [first, *(label for _key, label in series), _("Total")],
        "rows": [
            {
                "header": row["label"],
                "url": row.get("url"),
                "cells": [row["values"].get(key, 0) for key, _label in series] + [row["total"]],
            }
            for row in geometry["rows"]
        ],
    }


def _chart_csv(table: dict, name: str) -> HttpResponse:
    """A chart's data table as CSV, UTF-8 with a byte-order mark like the other downloads."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table["columns"])
    for row in table["rows"]:
        writer.writerow([row["header"], *row["cells"]])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@require_safe
def area_chart_csv(request):
    chart = _area_status_chart(data_version())
    return _chart_csv(chart["table"], _("initiatives-per-area"))


def _year_status_counts(version: str) -> dict:
    """Published initiatives per start year and status (year None: no start date), cached."""

    def compute():
        counts: dict = defaultdict(dict)
        rows = (
            Initiative.objects.published()
            .values("initiative_status", year=ExtractYear("start_date"))
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            counts[row["year"]][row["initiative_status"]] = row["n"]
        return dict(counts)

    return cached("chart-year-statuses", version, "any", None, compute)


def _year_chart(version: str) -> dict:
    counts = _year_status_counts(version)
    series = _status_series()
    undated = sum(counts.get(None, {}).values())
    years = sorted(year for year in counts if year is not None)
    # Every year from the first to the last, those without a start included: a real axis.
    rows = (
        [
            {"label": str(year), "values": counts.get(year, {})}
            for year in range(years[0], years[-1] + 1)
        ]
        if years
        else []
    )
    geometry = charts.stacked_bars(rows, series)
    dated = sum(row["total"] for row in geometry["rows"])
    text = _(
        "Each bar counts the published initiatives that started in one year, split by status. "
        "The chart counts every published initiative, whatever the search above."
    )
    undated_text = ngettext(
        "%(count)s published initiative has no start date and is not on the chart.",
        "%(count)s published initiatives have no start date and are not on the chart.",
        undated,
    ) % {"count": charts.number(undated)}
    return {
        "id": "chart-years",
        "title": _("Initiatives by start year"),
        "alt": ngettext(
            "Horizontal stacked bar chart of %(count)s initiative by start year, from %(first)s "
            "to %(last)s. The table after the chart gives every figure.",
            "Horizontal stacked bar chart of %(count)s initiatives by start year, from "
            "%(first)s to %(last)s. The table after the chart gives every figure.",
            dated,
        )
        % {
            "count": charts.number(dated),
            "first": years[0] if years else "",
            "last": years[-1] if years else "",
        },
        "text": text,
        "note": undated_text if undated else "",
        "geometry": geometry,
        "table": _bars_table(_("Start year"), geometry, series),
        "undated": undated,
        "csv": reverse("cooperation:initiative_year_chart_csv"),
    }


@require_safe
def initiative_year_chart_csv(request):
    chart = _year_chart(data_version())
    table = chart["table"]
    if chart["undated"]:  # the initiatives the chart leaves out, counted too
        series = _status_series()
        undated = _year_status_counts(data_version()).get(None, {})
        cells = [undated.get(key, 0) for key, _label in series]
        table = {
            **table,
            "rows": [
                *table["rows"],
                {"header": _("No start date"), "cells": [*cells, sum(cells)]},
            ],
        }
    return _chart_csv(table, _("initiatives-by-start-year"))


#: Where the agreement timeline begins (the Free Trade Agreement), unless an earlier one is on it.
TIMELINE_START = datetime.date(2014, 1, 1)


def _agreement_chart(agreements) -> dict:
    """The agreements on a time axis from 2014 to today; those without a date apart."""
    dated = [a for a in agreements if a.date_signed]
    items = [
        {
            "label": a.short_title or str(a),
            "url": a.get_absolute_url(),
            "agreement": a,
            "status": a.agreement_status,
            "date": a.date_signed,
            "precision": a.date_signed_precision,
            "in_force": a.date_in_force,
            "in_force_precision": a.date_in_force_precision,
        }
        for a in dated
    ]
    geometry = charts.timeline(items, TIMELINE_START, timezone.localdate())
    shown = {row["status"] for row in geometry["rows"]}
    legend = [
        {"status": value, "label": label}
        for value, label in AgreementStatus.choices
        if value in shown
    ]
    undated = [a for a in agreements if not a.date_signed]
    start, end = geometry["start"], geometry["end"]
    return {
        "id": "chart-agreements",
        "title": _("Agreements over time"),
        "alt": ngettext(
            "Timeline of %(count)s agreement from %(start)s to %(end)s, placed by date signed; "
            "the shape of each mark gives its status. The table after the chart lists them.",
            "Timeline of %(count)s agreements from %(start)s to %(end)s, placed by date signed; "
            "the shape of each mark gives its status. The table after the chart lists them.",
            len(items),
        )
        % {"count": charts.number(len(items)), "start": start.year, "end": long_date(end)},
        "text": _(
            "Each agreement sits at its date of signature, on a scale running from %(start)s "
            "to today. A date the sources give only to the year or the month is drawn at the "
            "middle of that period, with a bar across it."
        )
        % {"start": start.year},
        "geometry": geometry,
        "legend": legend,
        "has_periods": any(not row["signed"]["exact"] for row in geometry["rows"]),
        "has_in_force": any(row["in_force_mark"] for row in geometry["rows"]),
        "undated": undated,
        "table": {
            "columns": [_("Agreement"), _("Date signed"), _("Status"), _("Date in force")],
            "rows": [
                {
                    "header": str(row["agreement"]),
                    "url": row["url"],
                    "cells": [
                        row["agreement"].date_signed_display,
                        row["agreement"].get_agreement_status_display(),
                        row["agreement"].date_in_force_display,
                    ],
                }
                for row in geometry["rows"]
            ]
            + [
                {
                    "header": str(a),
                    "url": a.get_absolute_url(),
                    "cells": [
                        _("Date not stated"),
                        a.get_agreement_status_display(),
                        a.date_in_force_display,
                    ],
                }
                for a in undated
            ],
        },
        "csv": reverse("cooperation:agreement_chart_csv"),
    }


@require_safe
def agreement_chart_csv(request):
    chart = _agreement_chart(list(Agreement.objects.published()))
    return _chart_csv(chart["table"], _("agreements-timeline"))


#: How many partners an organization's chart draws (the CSV has them all).
PARTNER_LIMIT = 15


def _partners(organization, version: str) -> list[dict]:
    """The published organizations that share published initiatives or agreements with
    `organization`: how many of each, and the roles they hold in them. Two grouped queries
    whatever the number of partners, cached under the data version."""

    def shared(model, key: str) -> dict:
        mine = model.objects.filter(
            organization=organization, **{f"{key}__status": Status.PUBLISHED}
        ).values(f"{key}_id")
        names = [
            f"organization__{f}_{code}"
            for f in ("name", "short_name", "slug")
            for code in LANGUAGE_CODES
        ]
        rows = (
            model.objects.filter(**{f"{key}_id__in": mine}, organization__status=Status.PUBLISHED)
            .exclude(organization=organization)
            .values("organization_id", *names)
            .annotate(n=Count(key, distinct=True), roles=ArrayAgg("role", distinct=True))
            .order_by()
        )
        return {row["organization_id"]: row for row in rows}

    def compute():
        initiatives = shared(InitiativeParticipant, "initiative")
        agreements = shared(AgreementParty, "agreement")
        partners = []
        for pk in initiatives.keys() | agreements.keys():
            row = initiatives.get(pk) or agreements[pk]
            roles = set(initiatives.get(pk, {}).get("roles", [])) | set(
                agreements.get(pk, {}).get("roles", [])
            )
            partners.append(
                {
                    "pk": pk,
                    "names": {
                        k.removeprefix("organization__"): v
                        for k, v in row.items()
                        if k.startswith("organization__")
                    },
                    "initiatives": initiatives.get(pk, {}).get("n", 0),
                    "agreements": agreements.get(pk, {}).get("n", 0),
                    "roles": [value for value, _label in Role.choices if value in roles],
                }
            )
        return partners

    return cached("chart-partners", version, "any", organization.pk, compute)


def _partner_chart(organization, version: str, limit: int | None = PARTNER_LIMIT) -> dict:
    language = active_language()
    partners = _partners(organization, version)

    def name(partner, field="name"):
        names = partner["names"]
        return names.get(f"{field}_{language}") or names.get(f"{field}_en") or ""

    partners = sorted(
        partners,
        key=lambda p: (-(p["initiatives"] + p["agreements"]), name(p).casefold()),
    )
    series = [("initiatives", _("Shared initiatives")), ("agreements", _("Shared agreements"))]
    rows = []
    for partner in partners:
        roles = ", ".join(str(Role(r).label) for r in partner["roles"])
        slug = name(partner, "slug")
        rows.append(
            {
                # The roles are never cut off; a long name is.
                "label": charts.fit(
                    name(partner, "short_name") or name(partner),
                    charts.LABEL_SIZE,
                    charts.WIDTH - 2 - charts.text_width(f" — {roles}", charts.LABEL_SIZE),
                )
                + f" — {roles}",
                "name": name(partner),
                "roles": roles,
                "url": reverse("cooperation:organization_detail", kwargs={"slug": slug}),
                "values": {
                    "initiatives": partner["initiatives"],
                    "agreements": partner["agreements"],
                },
            }
        )
    drawn = rows[:limit] if limit else rows
    geometry = charts.stacked_bars(drawn, series)
    text = _(
        "Each bar counts the published initiatives and agreements this organization shares "
        "with another one; the label names the roles the other one holds in them."
    )
    more = len(rows) - len(drawn)
    return {
        "id": "chart-partners",
        "title": _("Partners and their roles"),
        "alt": ngettext(
            "Horizontal stacked bar chart of %(count)s partner organization. The table after "
            "the chart gives every figure.",
            "Horizontal stacked bar chart of %(count)s partner organizations. The table after "
            "the chart gives every figure.",
            len(drawn),
        )
        % {"count": charts.number(len(drawn))},
        "text": text,
        "note": ngettext(
            "The chart and table show the %(shown)s partners with the most shared records; "
            "%(more)s more is in the CSV file.",
            "The chart and table show the %(shown)s partners with the most shared records; "
            "%(more)s more are in the CSV file.",
            more,
        )
        % {"shown": charts.number(len(drawn)), "more": charts.number(more)}
        if more
        else "",
        "geometry": geometry,
        "count": len(rows),
        "table": {
            "columns": [
                _("Organization"),
                _("Shared initiatives"),
                _("Shared agreements"),
                _("Their roles"),
            ],
            "rows": [
                {
                    "header": row["name"],
                    "url": row["url"],
                    "cells": [
                        row["values"]["initiatives"],
                        row["values"]["agreements"],
                        row["roles"],
                    ],
                }
                for row in drawn
            ],
        },
        "csv": reverse(
            "cooperation:organization_partners_csv",
            kwargs={"slug": getattr(organization, f"slug_{language}")},
        ),
    }


@require_safe
def organization_partners_csv(request, slug: str):
    organization = _published_by_slug(request, Organization.objects.all(), slug)
    chart = _partner_chart(organization, data_version(), limit=None)
    return _chart_csv(chart["table"], _("partners") + f"-{slug}")


#: The page of each record type, for previews.
DETAIL_VIEWS = {
    CooperationArea: area_detail,
    Organization: organization_detail,
    Agreement: agreement_detail,
    Initiative: initiative_detail,
    Recommendation: recommendation_detail,
}
