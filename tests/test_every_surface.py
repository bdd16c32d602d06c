"""Two rules checked on every public surface at once: every page type in both languages,
search and its filters, the counts, the sitemap, the feeds, the search downloads, the open-data
dumps and dictionary, and every operation of the API.

- Nothing unpublished appears: not a draft record, nor a draft part of a published one.
- The database queries a surface makes do not grow with the number of records.
"""

import datetime
import io
import re

import openpyxl
import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from cooperation import opendata
from cooperation.models import AgreementParty, InitiativeParticipant
from tests.factories import (
    LIST_PAGES,
    STANDARD_PAGES,
    cite,
    make_agreement,
    make_area,
    make_initiative,
    make_organization,
    make_recommendation,
    make_source,
    populate,
)

pytestmark = pytest.mark.django_db

RECORD_PAGES = ("area", "initiative", "agreement", "organization", "recommendation")


def _page(name: str):
    def url(records, language):
        if name in RECORD_PAGES:
            return records[name].url_in(language)
        with translation.override(language):
            return reverse(f"cooperation:{name}")

    return url


def _localized(name: str, query):
    def url(records, language):
        with translation.override(language):
            return reverse(f"cooperation:{name}") + query(records, language)

    return url


def _search(records, language) -> str:
    return f"?q={records['word']}"


def _filtered(records, language) -> str:
    slugs = {k: getattr(records[k], f"slug_{language}") for k in ("area", "agreement")}
    return (
        f"?q={records['word']}&area={slugs['area']}&agreement={slugs['agreement']}"
        f"&organization={getattr(records['organization'], f'slug_{language}')}&country=KR"
    )


def _export(fmt: str):
    def url(records, language):
        with translation.override(language):
            path = reverse("cooperation:initiative_export", kwargs={"fmt": fmt})
        return path + _search(records, language)

    return url


def _fixed(path: str):
    return lambda records, language: path


def _api_detail(name: str):
    key = {"areas": "area", "sources": "source"}.get(name, name[:-1])
    return lambda records, language: f"/api/{name}/{records[key].uuid}/"


def _partners_csv(records, language) -> str:
    with translation.override(language):
        slug = getattr(records["organization"], f"slug_{language}")
        return reverse("cooperation:organization_partners_csv", kwargs={"slug": slug})


#: Every public surface: name -> (address for (records, language), in both languages?)
SURFACES = {
    **{f"page:{name}": (_page(name), True) for name in LIST_PAGES + STANDARD_PAGES + RECORD_PAGES},
    "search": (_localized("initiative_list", _search), True),
    "search with filters": (_localized("initiative_list", _filtered), True),
    "search download csv": (_export("csv"), True),
    "search download json": (_export("json"), True),
    "search download xlsx": (_export("xlsx"), True),
    "feed": (_localized("feed", lambda records, language: ""), True),
    "chart csv:areas": (_page("area_chart_csv"), True),
    "chart csv:start years": (_page("initiative_year_chart_csv"), True),
    "chart csv:agreements": (_page("agreement_chart_csv"), True),
    "chart csv:partners": (_partners_csv, True),
    "sitemap": (_fixed("/sitemap.xml"), False),
    "robots.txt": (_fixed("/robots.txt"), False),
    "data dictionary": (_fixed("/data/dictionary.json"), False),
    **{
        f"dump:{name}.{fmt}": (_fixed(f"/data/{name}.{fmt}"), False)
        for name in opendata.DATASETS
        for fmt in opendata.FORMATS
    },
    "api:index": (_fixed("/api/"), False),
    "api:openapi": (_fixed("/api/openapi.json"), False),
    **{
        f"api:{name} list": (_fixed(f"/api/{name}/?page_size=100"), False)
        for name in opendata.DATASETS
    },
    **{f"api:{name} detail": (_api_detail(name), False) for name in opendata.DATASETS},
    "api:initiatives search": (
        lambda records, language: f"/api/initiatives/?q={records['word']}&lang={language}",
        True,
    ),
}

#: Surfaces that list no record (so the published records are not expected on them).
WITHOUT_RECORDS = {
    "page:open_data",
    *(f"page:{name}" for name in STANDARD_PAGES),
    "robots.txt",
    "data dictionary",
    "api:index",
    "chart csv:start years",  # years and counts, no names
    "chart csv:partners",  # the published organization's only partner is a draft
}


def addresses(name: str, records: dict) -> list[str]:
    url, localized = SURFACES[name]
    return [url(records, language) for language in (("en", "fr") if localized else ("en",))]


def body(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        return workbook_text(content)
    return content.decode()


def workbook_text(content: bytes) -> str:
    """Every cell of every sheet of an XLSX file, one line per row."""
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        "\t".join("" if value is None else str(value) for value in row)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


# -- Nothing unpublished leaks -----------------------------------------------------------------


@pytest.fixture(scope="module")
def published_and_hidden(django_db_setup, django_db_blocker):
    """Published records named "Lumen…", drafts named "Zanzibar…" (in both languages, in their
    slugs), and the drafts linked to the published records in every way they can be.

    Made once for the module, in a transaction rolled back at its end; each test runs in a
    savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _published_and_hidden()
        transaction.set_rollback(True)


def _published_and_hidden():
    source = make_source(title_en="Lumen source", title_fr="Source Lumen")
    hidden_source = make_source(
        published=False, title_en="Zanzibar source", title_fr="Source Zanzibar"
    )

    def named(maker, label, kind, published=True, **fields):
        word = "Lumen" if published else "Zanzibar"
        values = {
            f"{label}_en": f"{word} {kind} quasar",
            f"{label}_fr": f"{kind} {word} quasar",
            "slug_en": f"{word.lower()}-{kind}",
            "slug_fr": f"{word.lower()}-{kind}-fr",
            **fields,
        }
        if published:
            return maker(source=source, **values)
        return maker(published=False, **values)

    records = {"word": "quasar", "source": source}
    hidden = {"source": hidden_source}
    for kind, maker, label in (
        ("area", make_area, "name"),
        ("organization", make_organization, "name"),
        ("agreement", make_agreement, "title"),
        ("initiative", make_initiative, "title"),
        ("recommendation", make_recommendation, "title"),
    ):
        extra = {"country": "KR"} if kind == "organization" else {}
        if kind == "agreement":
            extra = {"date_signed": datetime.date(2020, 1, 1)}
        records[kind] = named(maker, label, kind, **extra)
        hidden[kind] = named(maker, label, kind, published=False, **extra)

    initiative, agreement = records["initiative"], records["agreement"]
    initiative.agreement = agreement
    initiative.save()
    initiative.areas.add(records["area"], hidden["area"])
    for organization in (records["organization"], hidden["organization"]):
        InitiativeParticipant.objects.create(
            initiative=initiative, organization=organization, role="lead"
        )
        AgreementParty.objects.create(agreement=agreement, organization=organization)
    agreement.areas.add(records["area"], hidden["area"])
    cite(initiative, hidden_source)
    # A published initiative under a draft agreement; drafts inside published records' lists.
    # The publishing rule refuses that now (links are checked), so it is made as a bulk update
    # or older data would leave it: nothing may leak even then.
    second = make_initiative(source=source, title_en="Lumen second quasar")
    type(second).objects.filter(pk=second.pk).update(agreement=hidden["agreement"])
    hidden["initiative"].areas.add(records["area"])
    hidden["initiative"].agreement = agreement
    hidden["initiative"].save()
    records["recommendation"].areas.add(records["area"], hidden["area"])
    records["recommendation"].initiatives.add(initiative, hidden["initiative"])
    hidden["recommendation"].areas.add(records["area"])
    return records, hidden


@pytest.mark.parametrize("surface", SURFACES)
def test_no_draft_appears_on_any_public_surface(client, published_and_hidden, surface):
    records, hidden = published_and_hidden
    for address in addresses(surface, records):
        response = client.get(address)
        assert response.status_code == 200, address
        text = body(response)
        leaks = re.findall(r".{0,60}zanzibar.{0,60}", text, re.IGNORECASE)
        assert not leaks, (address, leaks[:3])
        for record in hidden.values():
            assert str(record.uuid) not in text, address
        if surface not in WITHOUT_RECORDS:
            assert "lumen" in text.lower(), address  # the surface does show published records


@pytest.mark.parametrize("surface", SURFACES)
def test_every_surface_answers_head_like_get(client, published_and_hidden, surface, settings):
    """Link checkers and monitors ask with HEAD: the same status and type, no body."""
    records, _hidden = published_and_hidden
    settings.PAGE_CACHE = False
    for address in addresses(surface, records):
        head, get = client.head(address), client.get(address)
        assert (head.status_code, head["Content-Type"]) == (200, get["Content-Type"]), address
        assert head.content == b""


def test_drafts_have_no_page_and_are_not_counted(client, published_and_hidden):
    records, hidden = published_and_hidden
    for record in hidden.values():
        if record is hidden["source"]:
            continue
        for language in ("en", "fr"):
            assert client.get(record.url_in(language)).status_code == 404
        name = {"area": "areas", "organization": "organizations"}.get(
            record._meta.model_name, f"{record._meta.model_name}s"
        )
        assert client.get(f"/api/{name}/{record.uuid}/").status_code == 404
    home = client.get("/en/").text
    assert re.search(r'<span class="figure">2</span>\s*initiatives\b', home)
    assert re.search(r'<span class="figure">1</span>\s*co-operation area\b', home)
    assert "1 initiative ·" in client.get("/en/areas/").text  # the draft in it is not counted
    assert "2 initiatives" in client.get("/en/initiatives/").text
    # A filter naming a draft is not understood, and says so.
    response = client.get("/en/initiatives/", {"area": hidden["area"].slug_en})
    assert "Some values were not understood" in response.text


# -- Queries do not grow with the data ---------------------------------------------------------


#: No surface needs more queries than this, whatever the size of the data.
MAX_QUERIES = 12
#: ... but the Open data page, which once per data version and language reads a sample of every
#: download to give its size (one query per record type and relation: cooperation.views).
MAX_QUERIES_OPEN_DATA = 36


def test_no_surface_makes_more_queries_as_the_data_grows(client, django_assert_max_num_queries):
    """Every surface, counted with a little data, then with seven times as much (its record
    pages then show records with six times as many links)."""

    def queries(records) -> dict[str, int]:
        counts = {}
        for surface in SURFACES:
            for n, address in enumerate(addresses(surface, records)):
                limit = MAX_QUERIES_OPEN_DATA if surface == "page:open_data" else MAX_QUERIES
                with django_assert_max_num_queries(limit) as captured:
                    response = client.get(address)
                    assert response.status_code == 200, address
                    body(response)
                counts[f"{surface} ({('en', 'fr')[n]})"] = len(captured)
        return counts

    few = queries(populate(2))
    many = queries(populate(12))
    grew = {name: (few[name], count) for name, count in many.items() if count != few[name]}
    assert not grew, grew
