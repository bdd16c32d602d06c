"""Searching initiatives: both languages, accents, ranking, syntax, filters, facets, bad input."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cooperation.filters import InitiativeFilterSet
from cooperation.models import Initiative, InitiativeParticipant, Organization
from tests.factories import make_agreement, make_area, make_initiative, make_organization

pytestmark = pytest.mark.django_db


def titles(client, query: str, language: str = "en") -> list[str]:
    path = "/en/initiatives/" if language == "en" else "/fr/initiatives/"
    response = client.get(path, {"q": query} if isinstance(query, str) else query)
    assert response.status_code == 200
    found = re.findall(r'<h2 class="result-title"><a href="[^"]+">(.*?)</a></h2>', response.text)
    return [html.unescape(re.sub(r"</?mark>", "", title)) for title in found]


def search(query: str, language: str = "en") -> list[str]:
    with translation.override(language):
        results = Initiative.objects.published().search(query, language).order_by("-rank", "pk")
        return [initiative.title_en for initiative in results]


# -- What matches ------------------------------------------------------------------------


def test_words_in_either_language_find_a_record_on_either_page(client):
    make_initiative(
        title_en="Energy for AI data centres",
        title_fr="L’énergie des centres de données",
        summary_en="LNG exports.",
        summary_fr="Exportations de GNL.",
    )
    make_initiative(title_en="Unrelated", title_fr="Sans rapport")
    assert titles(client, "énergie", "en") == ["Energy for AI data centres"]
    assert titles(client, "LNG", "fr") == ["L’énergie des centres de données"]


@pytest.mark.parametrize("query", ["energie", "ÉNERGIE", "Énergie", "eNeRgIe"])
def test_accents_and_case_do_not_matter(client, query):
    make_initiative(title_en="Power", title_fr="L’énergie au service de l’IA")
    assert titles(client, query, "fr") == ["L’énergie au service de l’IA"]


def test_a_search_with_an_accent_finds_text_without_one(client):
    make_initiative(title_en="Cafe culture", title_fr="Culture du cafe")
    assert titles(client, "café") == ["Cafe culture"]


def test_names_of_participants_and_areas_are_searched(client):
    initiative = make_initiative(title_en="A plant in Windsor")
    InitiativeParticipant.objects.create(
        initiative=initiative, organization=make_organization(name_en="CS Wind"), role="lead"
    )
    initiative.areas.add(make_area(name_en="Clean technology", name_fr="Technologies propres"))
    assert titles(client, "CS Wind") == ["A plant in Windsor"]
    assert titles(client, "technologies propres") == ["A plant in Windsor"]


def test_the_index_follows_a_renamed_organization(client):
    initiative = make_initiative(title_en="A joint lab")
    organization = make_organization(name_en="Old name")
    InitiativeParticipant.objects.create(initiative=initiative, organization=organization)
    organization.name_en = "Brandnew Holdings"
    organization.save()
    assert titles(client, "brandnew") == ["A joint lab"]
    assert titles(client, "old name") == []


def test_the_index_follows_an_edited_title(client):
    initiative = make_initiative(title_en="Before")
    initiative.title_en = "Quantumsensing after"
    initiative.save()
    assert titles(client, "quantumsensing") == ["Quantumsensing after"]


def test_the_index_forgets_areas_cleared_or_deleted_and_organizations_unpublished_in_bulk():
    """The database keeps the index, whatever path the change takes."""
    initiative = make_initiative(title_en="A joint lab")
    area = make_area(name_en="Quasarology", name_fr="Quasarologie")
    initiative.areas.add(area)
    organization = make_organization(name_en="Zyxtronics")
    InitiativeParticipant.objects.create(initiative=initiative, organization=organization)
    assert search("quasarology") == search("zyxtronics") == ["A joint lab"]

    area.initiatives.clear()  # from the area's side
    assert search("quasarology") == []
    initiative.areas.add(area)
    assert search("quasarologie", "fr") == ["A joint lab"]
    area.delete()
    assert search("quasarology") == []

    Organization.objects.filter(pk=organization.pk).update(status="draft")  # no signal
    assert search("zyxtronics") == []
    Organization.objects.filter(pk=organization.pk).update(status="published")
    assert search("zyxtronics") == ["A joint lab"]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cooperation_organization SET name_en = 'Qwertronics' WHERE id = %s",
            [organization.pk],
        )
    assert search("qwertronics") == ["A joint lab"] and search("zyxtronics") == []


# -- Ranking -----------------------------------------------------------------------------


def test_title_ranks_above_summary_above_description_above_names(client):
    make_initiative(
        title_en="Plain four",
        description_en="About semiconductors.",
        description_fr="Sur les puces.",
    )
    make_initiative(title_en="Plain two", summary_en="Semiconductors and more.")
    named = make_initiative(title_en="Plain five")
    InitiativeParticipant.objects.create(
        initiative=named, organization=make_organization(name_en="Semiconductors Inc")
    )
    make_initiative(title_en="Semiconductors first")
    assert titles(client, "semiconductors") == [
        "Semiconductors first",
        "Plain two",
        "Plain four",
        "Plain five",
    ]


def test_the_pages_language_ranks_first(client):
    make_initiative(title_en="Quantum sensing", title_fr="Capteurs")
    make_initiative(title_en="Sensors", title_fr="Quantum au Québec")
    assert titles(client, "quantum", "en") == ["Quantum sensing", "Sensors"]
    assert titles(client, "quantum", "fr") == ["Quantum au Québec", "Capteurs"]


# -- Syntax: phrases, exclusion, or; stemming; typos ------------------------------------------


def test_quoted_phrases_exclusion_and_or(client):
    make_initiative(title_en="Critical minerals supply", title_fr="Minéraux critiques")
    make_initiative(title_en="Minerals that are critical", title_fr="Minéraux")
    make_initiative(title_en="Wind towers", title_fr="Tours")
    assert titles(client, '"critical minerals"') == ["Critical minerals supply"]
    assert sorted(titles(client, "minerals -supply")) == ["Minerals that are critical"]
    assert sorted(titles(client, "towers or supply")) == [
        "Critical minerals supply",
        "Wind towers",
    ]


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("chips", "A chip for AI"),
        ("normes", "Une norme commune"),
        ("investing", "Investments"),
        ("investments", "An investment round"),
        ("énergies", "L’énergie au Québec"),
        ("ENERGIES", "Énergie propre"),
    ],
)
def test_stemming_in_english_and_french(client, query, title):
    make_initiative(title_en=title, title_fr=title)
    make_initiative(title_en="Other", title_fr="Autre")
    assert titles(client, query) == [title]


def test_a_typo_still_finds_the_record(client):
    make_initiative(title_en="Tenstorrent Series D", title_fr="Série D de Tenstorrent")
    make_initiative(title_en="Wind towers", title_fr="Tours d’éoliennes")
    response = client.get("/en/initiatives/", {"q": "Tenstorent"})
    assert "close matches" in response.text
    assert titles(client, "Tenstorent") == ["Tenstorrent Series D"]


@pytest.mark.parametrize(
    ("stored", "query"),
    [
        ("Nguyễn Văn An", "nguyen"),
        ("Nguyen Van An", "Nguyễn"),
        ("Ștefan Popescu", "stefan"),
        ("Erdős Pál", "erdos"),
        ("Œuvre commune", "oeuvre"),
        ("Coopération", "COOPERATION"),
    ],
)
def test_accents_of_every_latin_script_match_their_plain_forms(stored, query):
    """contrib's unaccent strips them in the stored vectors and in queries alike."""
    make_initiative(title_en="Plain", title_fr=stored)
    make_initiative(title_en="Unrelated", title_fr="Autre")
    assert [i.title_fr for i in Initiative.objects.published().search(query, "fr")] == [stored]


def test_close_matches_continue_on_the_next_page(client):
    for n in range(25):
        make_initiative(title_en=f"Tenstorrent chiplet {n:02}", title_fr=f"Tenstorrent {n:02}")
    first = client.get("/en/initiatives/", {"q": "Tenstorent"})
    second = client.get("/en/initiatives/", {"q": "Tenstorent", "page": 2})
    assert second.status_code == 200
    assert "close matches" in second.text
    on_first = set(re.findall(r"Tenstorrent chiplet \d\d", first.text))
    on_second = set(re.findall(r"Tenstorrent chiplet \d\d", second.text))
    assert len(on_first) == 20 and len(on_second) == 5 and not on_first & on_second
    assert client.get("/en/initiatives/", {"q": "Tenstorent", "page": 3}).status_code == 404


def test_the_stored_vector_is_used_not_computed_per_query():
    make_initiative(title_en="Hydrogen")
    with CaptureQueriesContext(connection) as queries:
        list(Initiative.objects.published().search("hydrogen", "en"))
    sql = queries[-1]["sql"]
    assert '"search_vector_en" @@' in sql and "to_tsvector" not in sql
    vectors = Initiative.objects.values_list("search_vector_en", flat=True)
    assert all(vectors)


def test_matching_words_are_highlighted_safely(client):
    make_initiative(title_en="Energy <b>bold</b>", summary_en="Cheaper energy for <i>AI</i>.")
    response = client.get("/en/initiatives/", {"q": "energy"})
    assert "<mark>Energy</mark> &lt;b&gt;bold&lt;/b&gt;" in response.text
    assert "Cheaper <mark>energy</mark> for &lt;i&gt;AI&lt;/i&gt;." in response.text


# -- Filters and facets ------------------------------------------------------------------


@pytest.fixture
def catalogue():
    energy = make_area(name_en="Energy", slug_en="energy", slug_fr="energie")
    hardware = make_area(name_en="Hardware", slug_en="hardware", slug_fr="materiel")
    kogas = make_organization(name_en="KOGAS", slug_en="kogas", slug_fr="kogas-fr", country="KR")
    nrc = make_organization(name_en="NRC", slug_en="nrc", slug_fr="cnrc", country="CA")
    agreement = make_agreement(slug_en="csp", slug_fr="psg")
    records = {
        "lng": make_initiative(
            title_en="LNG",
            title_fr="LNG",
            kind="infrastructure",
            initiative_status="active",
            start_date=datetime.date(2025, 7, 1),
            agreement=agreement,
        ),
        "chip": make_initiative(
            title_en="Chip",
            title_fr="Chip",
            kind="investment",
            initiative_status="completed",
            start_date=datetime.date(2023, 1, 1),
        ),
        "lab": make_initiative(
            title_en="Lab",
            title_fr="Lab",
            kind="research_collaboration",
            initiative_status="planned",
        ),
    }
    records["lng"].areas.add(energy)
    records["chip"].areas.add(hardware, energy)
    for initiative, organization, role in (
        (records["lng"], kogas, "partner"),
        (records["lng"], kogas, "investor"),
        (records["chip"], nrc, "lead"),
        (records["lab"], nrc, "partner"),
    ):
        InitiativeParticipant.objects.create(
            initiative=initiative, organization=organization, role=role
        )
    return records


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"area": "energy"}, {"LNG", "Chip"}),
        ({"area": "hardware"}, {"Chip"}),
        ({"organization": "kogas"}, {"LNG"}),
        ({"organization": "nrc"}, {"Chip", "Lab"}),
        ({"country": "KR"}, {"LNG"}),
        ({"country": "CA"}, {"Chip", "Lab"}),
        ({"kind": "investment"}, {"Chip"}),
        ({"status": "planned"}, {"Lab"}),
        ({"year_from": "2024"}, {"LNG"}),
        ({"year_to": "2024"}, {"Chip"}),
        ({"year_from": "2023", "year_to": "2025"}, {"LNG", "Chip"}),
        ({"agreement": "csp"}, {"LNG"}),
        ({"area": "energy", "country": "CA"}, {"Chip"}),
        ({}, {"LNG", "Chip", "Lab"}),
    ],
)
def test_every_filter(client, params, expected):
    assert set(titles(client, params)) == expected


@pytest.mark.usefixtures("catalogue")
def test_filters_use_the_pages_language_for_slugs(client):
    assert set(titles(client, {"area": "energie"}, "fr")) == {"LNG", "Chip"}
    assert set(titles(client, {"organization": "cnrc"}, "fr")) == {"Chip", "Lab"}


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    "base",
    [{}, {"country": "CA"}, {"q": "lng or chip or lab"}, {"area": "energy", "kind": "investment"}],
)
def test_facet_counts_equal_the_results_of_applying_them(client, base):
    with translation.override("en"):
        filterset = InitiativeFilterSet(
            QueryDict(mutable=True) | base, queryset=Initiative.objects.published()
        )
        counts = filterset.facet_counts()
    assert len(titles(client, base)) == counts.pop("total")[""]
    checked = 0
    for facet, options in counts.items():
        for value, count in options.items():
            params = dict(base)
            if facet == "year":
                params.update(year_from=value, year_to=value)
            else:
                params[facet] = value
            assert len(titles(client, params)) == count, (facet, value)
            checked += 1
    assert checked >= 5


@pytest.mark.usefixtures("catalogue")
def test_facet_counts_are_shown_next_to_options(client):
    text = client.get("/en/initiatives/").text
    assert '<option value="infrastructure">Infrastructure (1)</option>' in text
    assert '<option value="energy">Energy (2)</option>' in text
    assert '<option value="KR">South Korea (1)</option>' in text


def test_sorting_by_title_follows_the_pages_language(client):
    make_initiative(title_en="Alpha", title_fr="Zèbre")
    make_initiative(title_en="Zulu", title_fr="Abeille")
    make_initiative(title_en="Energy", title_fr="Énergie")
    assert titles(client, {"sort": "title"}, "en") == ["Alpha", "Energy", "Zulu"]
    # Accented capitals sort with their letter, not after Z.
    assert titles(client, {"sort": "title"}, "fr") == ["Abeille", "Énergie", "Zèbre"]


def test_newest_first_is_the_default_without_a_query(client):
    make_initiative(title_en="Old", start_date=datetime.date(2014, 1, 1))
    make_initiative(title_en="New", start_date=datetime.date(2025, 1, 1))
    make_initiative(title_en="Undated")
    assert titles(client, {}) == ["New", "Old", "Undated"]


def test_parameters_survive_pagination_and_the_toggle(client):
    area = make_area(slug_en="energy", slug_fr="energie")
    for n in range(25):
        make_initiative(title_en=f"Energy project {n}", kind="programme").areas.add(area)
    response = client.get("/en/initiatives/", {"q": "energy", "kind": "programme", "page": 2})
    assert response.status_code == 200
    text = html.unescape(response.text)
    assert 'href="?q=energy&kind=programme&page=1" rel="prev"' in text
    assert '<a href="/fr/initiatives/?q=energy&kind=programme&page=2" lang="fr"' in text
    assert "Clear all" in text


def test_an_empty_result_gives_suggestions_in_the_visitors_language(client):
    response = client.get("/fr/initiatives/", {"q": "zzzqqq"})
    text = html.unescape(response.text)
    assert "Aucune initiative ne correspond" in text
    assert "Vérifiez l'orthographe" in text


# -- Bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"kind": "nonsense"},
        {"status": "<script>"},
        {"area": "nope"},
        {"country": "ZZ"},
        {"year_from": "abc"},
        {"year_from": "99999999999999999999"},
        {"year_to": "-5"},
        {"sort": "drop table"},
        {"organization": "x" * 3000},
        {"agreement": "%00"},
        {"q": "\x00hello"},
        {"q": "a" * 5000},
        {"q": '"unterminated'},
        {"q": "-"},
        {"q": "or or or"},
        {"q": "!!! &&& |||"},
        {"q": "'); DROP TABLE x; --"},
    ],
)
def test_bad_values_get_a_clear_message_not_a_500(client, query):
    response = client.get("/fr/initiatives/", query)
    assert response.status_code == 200
    assert "<script>" not in response.text
    if "q" not in query or "\x00" in query["q"]:
        assert "Certaines valeurs n" in html.unescape(response.text)


def test_a_very_long_query_is_capped_and_said_so(client):
    response = client.get("/en/initiatives/", {"q": "energy " * 800})
    assert response.status_code == 200
    assert "shortened to its first 200 characters" in response.text


def test_repeated_parameters_take_the_last_value(client):
    make_initiative(title_en="Chip", kind="investment")
    make_initiative(title_en="Dialogue", kind="dialogue")
    assert titles(client, QueryDict("kind=dialogue&kind=investment")) == ["Chip"]


@pytest.mark.parametrize("page", ["2", "abc", "-1", "0"])
def test_page_numbers_out_of_range_are_a_404(client, page):
    make_initiative()
    assert client.get("/en/initiatives/", {"page": page}).status_code == 404


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.dictionaries(
        st.sampled_from([*InitiativeFilterSet.Meta.fields, "by", "page"]),
        st.text(max_size=60),
        max_size=5,
    )
)
def test_no_generated_query_string_gives_a_server_error(client, params):
    params.pop("page", None)  # page numbers are covered above (404 past the end)
    response = client.get("/en/initiatives/", params, follow=True)  # empty fields: redirected
    assert response.status_code == 200
    assert len(response.redirect_chain) <= 1


# -- Speed -------------------------------------------------------------------------------


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/en/initiatives/", params).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "energy"},
        {"q": "energy", "kind": "programme", "area": "a0"},
        {"country": "KR", "year_from": "2020"},
        {"q": "nothingmatches"},
    ],
)
def test_the_number_of_queries_is_constant(client, params):
    def grow(n):
        area = make_area(slug_en=f"a{Initiative.objects.count()}")
        organization = make_organization(country="KR")
        for i in range(n):
            initiative = make_initiative(
                title_en=f"Energy {i}", kind="programme", start_date=datetime.date(2021, 1, 1)
            )
            initiative.areas.add(area)
            InitiativeParticipant.objects.create(initiative=initiative, organization=organization)

    grow(2)
    few = _queries(client, params)
    grow(30)
    many = _queries(client, params)
    assert few == many
    assert many <= 10
