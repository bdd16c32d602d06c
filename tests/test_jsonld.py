"""Record pages describe their record in schema.org JSON-LD (cooperation/jsonld.py): in a data
block no text can break out of, with schema.org's own types and properties, saying nothing
the page does not show in the same language, no date more precise than stored, and at no cost
in queries."""

import datetime
import html
import json
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cooperation import jsonld
from cooperation.models import (
    Agreement,
    CooperationArea,
    Initiative,
    InitiativeParticipant,
    Organization,
    Recommendation,
    format_partial_date,
)
from tests.factories import (
    cite,
    make_agreement,
    make_initiative,
    make_organization,
    make_source,
    populate,
)

pytestmark = pytest.mark.django_db

MODELS = (Agreement, CooperationArea, Initiative, Organization, Recommendation)
LANGUAGES = ("en", "fr")

# -- schema.org, as far as these pages use it ------------------------------------------------
# Written from the schema.org definitions (no network in tests): each type's properties used
# here, with those it inherits (Thing > CreativeWork > Legislation, WebPage > ItemPage;
# Thing > Organization > its subtypes and Project; Thing > Event; Thing > Intangible >
# DefinedTerm, Audience, StructuredValue > ContactPoint > PostalAddress; Thing > Place).

THING = {"name", "alternateName", "description", "url", "sameAs", "mainEntityOfPage"}
CREATIVE_WORK = THING | {
    "about",
    "audience",
    "citation",
    "contributor",
    "dateModified",
    "datePublished",
    "funder",
    "inLanguage",
    "isBasedOn",
    "keywords",
    "locationCreated",
    "mainEntity",
    "publisher",
}
ORGANIZATION = THING | {
    "address",
    "funder",
    "keywords",
    "location",
    "member",
    "parentOrganization",
    "subOrganization",
}
SCHEMA = {
    "CreativeWork": CREATIVE_WORK,
    "ItemPage": CREATIVE_WORK,
    "Legislation": CREATIVE_WORK
    | {
        "legislationChanges",
        "legislationDate",
        "legislationLegalForce",
        "legislationPassedBy",
        "legislationResponsible",
        "legislationType",
    },
    "DefinedTermSet": CREATIVE_WORK | {"hasDefinedTerm"},
    "Organization": ORGANIZATION,
    "GovernmentOrganization": ORGANIZATION,
    "Corporation": ORGANIZATION,
    "CollegeOrUniversity": ORGANIZATION,
    "ResearchOrganization": ORGANIZATION,
    "Project": ORGANIZATION,
    "Event": THING
    | {"about", "attendee", "endDate", "funder", "keywords", "location", "organizer", "startDate"},
    "DefinedTerm": THING | {"inDefinedTermSet", "termCode"},
    "Place": THING | {"address"},
    "PostalAddress": THING | {"addressCountry"},
    "Audience": THING | {"audienceType"},
}
#: The values of LegalForceStatus.
LEGAL_FORCE = {
    "https://schema.org/InForce",
    "https://schema.org/NotInForce",
    "https://schema.org/PartiallyInForce",
}

#: Values that are addresses, codes or dates, not text a visitor reads.
ADDRESS_KEYS = {"@id", "url", "sameAs"}
CODE_KEYS = {"@context", "@type", "@language", "inLanguage", "addressCountry"}
DATE_KEYS = {"legislationDate", "startDate", "endDate", "dateModified", "datePublished"}
ENUMERATION_KEYS = {"legislationLegalForce"}
ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")

ORGANIZATION_TYPES = {
    "government": "GovernmentOrganization",
    "agency": "GovernmentOrganization",
    "company": "Corporation",
    "university": "CollegeOrUniversity",
    "research_institute": "ResearchOrganization",
    "foundation": "Organization",
    "consortium": "Organization",
    "multilateral": "Organization",
}


def expected_type(record) -> str:
    if isinstance(record, Organization):
        return ORGANIZATION_TYPES[record.kind]
    if isinstance(record, Initiative):
        return "Event" if record.kind in ("event", "dialogue") else "Project"
    return {Agreement: "Legislation", CooperationArea: "DefinedTerm"}.get(
        type(record), "CreativeWork"
    )


# -- Reading a page as a browser does ---------------------------------------------------------


class Scripts(HTMLParser):
    """The page's script elements, read with the HTML tokenizer's own rule for where one ends."""

    def __init__(self):
        super().__init__()
        self.scripts: list[tuple[dict, str]] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._open = dict(attrs)
            self.scripts.append((self._open, ""))

    def handle_data(self, data):
        if self._open is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._open = None


def scripts(page: str) -> list[tuple[dict, str]]:
    parser = Scripts()
    parser.feed(page)
    parser.close()
    return parser.scripts


def json_ld(page: str) -> dict:
    blocks = [text for attrs, text in scripts(page) if attrs.get("type") == "application/ld+json"]
    assert len(blocks) == 1, f"{len(blocks)} JSON-LD blocks"
    return json.loads(blocks[0])


def visible_text(page: str) -> str:
    """The text of the page's body, unescaped, whitespace collapsed (no JSON-LD, no markup)."""
    body = page[page.index("<body") : page.index("</body>")]
    body = re.sub(r"<script\b.*?</script>", " ", body, flags=re.DOTALL)
    return _words(html.unescape(re.sub(r"<[^>]+>", " ", body)))


def _words(text: str) -> str:
    return " ".join(text.split())


def values(node, key=None):
    """Every (property, value) pair under `node`, a language-tagged value as its text."""
    if isinstance(node, dict):
        if "@value" in node:
            yield key, node["@value"]
            return
        for name, value in node.items():
            yield from values(value, name)
    elif isinstance(node, list):
        for item in node:
            yield from values(item, key)
    else:
        yield key, node


def nodes(node):
    """Every node (a dict with a @type) under `node`."""
    if isinstance(node, dict):
        if "@type" in node:
            yield node
        for value in node.values():
            yield from nodes(value)
    elif isinstance(node, list):
        for item in node:
            yield from nodes(item)


def record_pages(language: str):
    for model in MODELS:
        for record in model.objects.published().order_by("pk"):
            yield record, record.url_in(language)


# -- Every record page, both languages, the shipped content ----------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_every_record_page_describes_its_record(client, shipped_content, model, language):
    records = list(model.objects.published().order_by("pk"))
    assert records
    for record in records:
        address = record.url_in(language)
        page = client.get(address).text
        data = json_ld(page)
        about = data["mainEntityOfPage"]
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == expected_type(record), address
        assert data["url"] == about["@id"] == about["url"] == f"http://testserver{address}"
        assert data["@id"] == f"{data['url']}#record"
        assert data["name"] == str(record)
        assert data["description"] == record.summary
        assert re.search(rf'<html lang="{about["inLanguage"]}">', page)
        assert about["inLanguage"] == language
        other = "fr" if language == "en" else "en"
        assert f"http://testserver{record.url_in(other)}" in data["sameAs"]
        modified = timezone.localtime(record.modified).date().isoformat()
        assert about["dateModified"] == modified
        assert f'<time datetime="{modified}">' in page  # the page's "Date modified"
        cited = {c.source.title for c in record.citations.all() if c.source.is_published}
        assert {source["name"] for source in about["citation"]} == cited


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_value_is_shown_on_the_page_in_its_language(client, shipped_content, language):
    checked = 0
    for _record, address in record_pages(language):
        page = client.get(address).text
        shown = visible_text(page)
        for key, value in values(json_ld(page)):
            assert isinstance(value, str), (address, key, value)
            if key in ADDRESS_KEYS:
                assert value.startswith(("http://", "https://")), (address, key, value)
            elif key in DATE_KEYS:
                assert ISO_DATE.fullmatch(value), (address, key, value)
            elif key in ENUMERATION_KEYS:
                assert value in LEGAL_FORCE, (address, key, value)
            elif key not in CODE_KEYS:
                assert _words(value) in shown, (address, key, value)
                checked += 1
    assert checked > 500  # names, summaries, kinds, places, publishers, areas, participants


@pytest.mark.parametrize("language", LANGUAGES)
def test_types_and_properties_are_schema_orgs(client, shipped_content, language):
    used = set()
    for _record, address in record_pages(language):
        for node in nodes(json_ld(client.get(address).text)):
            allowed = SCHEMA.get(node["@type"])
            assert allowed is not None, (address, node["@type"])
            unknown = {key for key in node if not key.startswith("@")} - allowed
            assert not unknown, (address, node["@type"], unknown)
            used.add(node["@type"])
    assert {"Legislation", "Event", "Project", "DefinedTerm", "CreativeWork"} <= used


# -- Dates, roles, addresses ------------------------------------------------------------------


def test_dates_are_no_more_precise_than_stored(client, shipped_content):
    def data(model, slug):
        record = model.objects.get(slug_en=slug)
        return record, json_ld(client.get(record.url_in("en")).text)

    _fta, fta = data(Agreement, "canada-korea-free-trade-agreement")
    assert fta["legislationDate"] == "2014"
    _sti, sti = data(
        Agreement, "korea-canada-agreement-on-science-technology-and-innovation-cooperation"
    )
    assert sti["legislationDate"] == "2016-12"
    _track, track = data(Initiative, "track-1-5-dialogue-on-artificial-intelligence")
    assert track["startDate"] == "2025-07-09"
    # Shown as "18 June 2019 (partly inferred, see the note)": a bare date would drop that.
    banff, jcm = data(Initiative, "second-korea-canada-joint-committee-meeting-banff")
    assert banff.start_date_inferred and "startDate" not in jcm

    for language in LANGUAGES:
        for record in Agreement.objects.published():
            page = client.get(record.url_in(language)).text
            stated = json_ld(page).get("legislationDate")
            expected = jsonld.partial_date(record.date_signed, record.date_signed_precision)
            if record.date_signed_inferred:  # shown with "(partly inferred...)": not stated
                expected = ""
            assert (stated or "") == expected
            if stated:
                assert (
                    len(stated) == {"year": 4, "month": 7, "day": 10}[record.date_signed_precision]
                )
                assert format_partial_date(record.date_signed, record.date_signed_precision) in (
                    visible_text(page)
                )


def test_an_event_is_organized_by_its_hosts_and_attended_by_the_others(client, shipped_content):
    banff = Initiative.objects.get(slug_en="second-korea-canada-joint-committee-meeting-banff")
    data = json_ld(client.get(banff.url_in("en")).text)
    names = {key: {o["name"] for o in data.get(key, [])} for key in ("organizer", "attendee")}
    roles = {}
    for participation in InitiativeParticipant.objects.filter(initiative=banff):
        roles.setdefault(participation.role, set()).add(str(participation.organization))
    assert names["organizer"] == roles["host"]
    assert names["attendee"] == roles["lead"] | roles["partner"]
    assert "eventStatus" not in data  # "completed" is none of schema.org's event statuses


def test_an_agreement_in_force_only_when_the_page_says_since_when(client):
    since = make_agreement(agreement_status="in_force", date_in_force=datetime.date(2015, 1, 1))
    standing = make_agreement(agreement_status="in_force")
    ended = make_agreement(agreement_status="ended")
    signed = make_agreement(agreement_status="signed")

    def force(record):
        return json_ld(client.get(record.url_in("en")).text).get("legislationLegalForce")

    assert force(since) == "https://schema.org/InForce"
    assert force(standing) is None
    assert force(ended) == "https://schema.org/NotInForce"
    assert force(signed) is None


def test_web_addresses_of_sources_and_organizations_are_given_and_nothing_else(client):
    source = make_source(title_en="A cited report", url="https://example.org/report")
    unaddressed = make_source(title_en="A printed report")
    organization = make_organization(
        source=source, website="https://example.com/", country="KR", name_ko="네이버"
    )
    cite(organization, unaddressed)
    hostile = make_organization(website="javascript:alert(1)")
    data = json_ld(client.get(organization.url_in("en")).text)
    citations = {c["name"]: c for c in data["mainEntityOfPage"]["citation"]}
    assert citations["A cited report"]["url"] == "https://example.org/report"
    assert "url" not in citations["A printed report"]
    assert "https://example.com/" in data["sameAs"]
    assert data["address"] == {"@type": "PostalAddress", "addressCountry": "KR"}
    assert {"@value": "네이버", "@language": "ko"} in data["alternateName"]
    hostile_data = json_ld(client.get(hostile.url_in("en")).text)
    assert not any("javascript" in address for address in hostile_data["sameAs"])
    assert "address" not in hostile_data  # no country, no address


# -- No text can break out of the block ------------------------------------------------------

HOSTILE_TITLE = '</script><script>alert("x")</script><!--<script> & </SCRIPT >'


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_title_cannot_close_the_script_element(client, language):
    initiative = make_initiative(title_en=HOSTILE_TITLE, title_fr=f"FR {HOSTILE_TITLE}")
    organization = make_organization(name_en=HOSTILE_TITLE, name_fr=HOSTILE_TITLE)
    InitiativeParticipant.objects.create(
        initiative=initiative, organization=organization, role="host"
    )
    page = client.get(initiative.url_in(language)).text
    found = scripts(page)
    assert [attrs.get("type") for attrs, _text in found] == ["application/ld+json"]
    block = found[0][1]
    assert not set("<>&") & set(block)
    data = json.loads(block)
    assert data["name"] == str(initiative)
    assert data["organizer"][0]["name"] == HOSTILE_TITLE


# -- Queries ---------------------------------------------------------------------------------

RECORD_PAGES = ("area", "initiative", "agreement", "organization", "recommendation")


def test_the_json_ld_costs_no_query_and_queries_do_not_grow(client, settings, monkeypatch):
    """Each record page counted with one related record of each kind and with eight, and
    without its JSON-LD: the same number of queries every time."""
    settings.PAGE_CACHE = False

    def counts(records) -> dict[str, int]:
        from django.core.cache import cache

        cache.clear()  # every count from a cold cache (an organization's chart data is cached)
        found = {}
        for name in RECORD_PAGES:
            for language in LANGUAGES:
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(records[name].url_in(language))
                assert response.status_code == 200
                found[f"{name} ({language})"] = len(queries)
        return found

    few = counts(populate(1))
    records = populate(8)
    many = counts(records)
    assert json_ld(client.get(records["initiative"].url_in("en")).text)["attendee"]
    monkeypatch.setattr(jsonld, "record_data", lambda context: None)
    without = counts(records)
    assert "application/ld+json" not in client.get(records["initiative"].url_in("en")).text
    assert few == many == without


# -- In a real browser -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_data_block_breaks_no_content_security_policy(live_server, browser_page):
    initiative = make_initiative(title_en="Track 1.5 Dialogue on AI", kind="dialogue")
    page = browser_page
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(f"{live_server.url}{initiative.url_in('en')}")
    data = page.evaluate(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
    )
    assert data["@type"] == "Event" and data["name"] == "Track 1.5 Dialogue on AI"
    assert not [m for m in messages if "Content Security Policy" in m], messages
    # The policy is in force on this page: an inline script is refused, and said so.
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.ran = true'; document.head.append(s); }"
        )
    assert page.evaluate("window.ran") is None


def test_date_modified_is_the_portals_local_date_in_the_data_and_on_the_page(client, db):
    """Saved at 03:00 UTC on 1 January, a record was modified on 31 December in Toronto: the
    JSON-LD and the page's "Date modified" both say so, whatever the hour the test runs."""
    agreement = make_agreement()
    saved = datetime.datetime(2026, 1, 1, 3, 0, tzinfo=datetime.UTC)
    type(agreement).objects.filter(pk=agreement.pk).update(modified=saved)
    page = client.get(agreement.url_in("en")).text
    assert json_ld(page)["mainEntityOfPage"]["dateModified"] == "2025-12-31"
    assert '<time datetime="2025-12-31">' in page
