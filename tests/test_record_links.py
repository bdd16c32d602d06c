"""Links between records: typed, dated, cited, shown from both ends (pages, API, dumps, data
dictionary, JSON-LD), and never leading to anything unpublished."""

import csv
import html
import io
import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from cooperation.caching import data_version
from cooperation.models import (
    AgreementKind,
    AgreementLink,
    AgreementLinkKind,
    OrganizationLink,
    OrganizationLinkKind,
    OrganizationName,
    Pillar,
)
from tests.factories import make_agreement, make_initiative, make_organization, make_source

pytestmark = pytest.mark.django_db

WHERE = {"location_en": "Opening paragraph", "location_fr": "Paragraphe d'ouverture"}


def agreement_link(subject, kind, target, source=None, **fields):
    return AgreementLink.objects.create(
        subject=subject,
        kind=kind,
        object=target,
        source=source or make_source(),
        **WHERE,
        **fields,
    )


@pytest.fixture
def plan_and_partnership():
    partnership = make_agreement(title_en="The Partnership", title_fr="Le Partenariat")
    plan = make_agreement(
        kind=AgreementKind.ACTION_PLAN, title_en="The Action Plan", title_fr="Le Plan d'action"
    )
    source = make_source(title_en="The Backgrounder", title_fr="Le document d'information")
    link = agreement_link(
        plan, AgreementLinkKind.IMPLEMENTS, partnership, source, date="2024-07-01"
    )
    link.date_precision = "month"
    link.save()
    return plan, partnership, link


@pytest.mark.parametrize(
    ("language", "forward", "backward", "month"),
    [
        ("en", "Implements", "Implemented by", "July 2024"),
        ("fr", "Met en œuvre", "Mis en œuvre par", "juillet 2024"),
    ],
)
def test_a_link_reads_from_both_ends_with_its_date_and_source(
    client, plan_and_partnership, language, forward, backward, month
):
    plan, partnership, _link = plan_and_partnership
    plan_page = html.unescape(client.get(plan.url_in(language)).text)
    partnership_page = html.unescape(client.get(partnership.url_in(language)).text)
    assert forward in plan_page and partnership.url_in(language) in plan_page
    assert backward in partnership_page and plan.url_in(language) in partnership_page
    for page in (plan_page, partnership_page):
        assert month in page
        assert ("The Backgrounder" if language == "en" else "Le document d'information") in page
        assert ("Opening paragraph" if language == "en" else "Paragraphe d'ouverture") in page


@pytest.mark.parametrize("draft", ["other end", "source"])
def test_a_link_to_anything_unpublished_is_not_shown(client, plan_and_partnership, draft):
    plan, partnership, link = plan_and_partnership
    if draft == "other end":
        partnership.unpublish()
    else:
        type(link.source).objects.filter(pk=link.source_id).update(status="draft")
    page = client.get(plan.url_in("en")).text
    assert "Implements" not in page
    assert "The Partnership" not in page
    records = client.get(reverse("data_dump", args=["agreements", "json"])).json()
    plan_record = next(r for r in records["results"] if r["uuid"] == str(plan.uuid))
    assert plan_record["links"] == []


def test_links_are_open_data_from_both_ends(client, plan_and_partnership):
    plan, partnership, link = plan_and_partnership
    records = {
        r["uuid"]: r
        for r in client.get(reverse("data_dump", args=["agreements", "json"])).json()["results"]
    }
    (forward,) = records[str(plan.uuid)]["links"]
    assert forward == {
        "relation": "implements",
        "uuid": str(partnership.uuid),
        "title_en": "The Partnership",
        "title_fr": "Le Partenariat",
        "date": "2024-07",
        "source_uuid": str(link.source.uuid),
        "location_en": "Opening paragraph",
        "location_fr": "Paragraphe d'ouverture",
    }
    (backward,) = records[str(partnership.uuid)]["links"]
    assert backward["relation"] == "implemented_by"
    assert backward["uuid"] == str(plan.uuid)

    response = client.get(reverse("data_dump", args=["agreements", "csv"]))
    rows = {
        row["uuid"]: row
        for row in csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig")))
    }
    assert rows[str(plan.uuid)]["links_en"] == "implements: The Partnership"
    assert rows[str(partnership.uuid)]["links_fr"] == "implemented_by: Le Plan d'action"

    api = client.get(f"/api/agreements/{plan.uuid}/").json()
    assert api["links"][0]["relation"] == "implements"


def test_the_data_dictionary_explains_links_and_every_relation_code(client):
    dictionary = client.get(reverse("data_dictionary")).json()
    text = json.dumps(dictionary)
    for code in ("implements", "implemented_by", "renewed_by", "part_of", "includes"):
        assert f'"{code}"' in text
    columns = dictionary["datasets"]["agreements"]["columns"]
    links = next(entry for entry in columns if entry["key"] == "links")
    assert [item["key"] for item in links["items"]][:2] == ["relation", "uuid"]
    schema = client.get("/api/openapi.json").json()
    assert "source_uuid" in json.dumps(schema["components"]["schemas"])


def test_an_organization_shows_its_parent_body_and_former_names(client):
    ministry = make_organization(
        name_en="Ministry of Science and ICT", name_fr="Ministère des Sciences et des TIC"
    )
    council = make_organization(name_en="Research Council", name_fr="Conseil de recherche")
    source = make_source(language="ko")
    OrganizationLink.objects.create(
        subject=council, kind=OrganizationLinkKind.UNDER, object=ministry, source=source, **WHERE
    )
    OrganizationName.objects.create(
        organization=ministry,
        name_en="Ministry of Science, ICT and Future Planning",
        name_fr="Ministère de la Science, des TIC et de la Planification future",
        short_name_en="MSIP",
        short_name_fr="MSIP",
        name_ko="미래창조과학부",
        used_until="2017-07-01",
        used_until_precision="month",
        source=source,
        **WHERE,
    )
    council_page = client.get(council.url_in("en")).text
    assert "Under the authority of" in council_page and ministry.url_in("en") in council_page
    ministry_page = html.unescape(client.get(ministry.url_in("fr")).text)
    assert "A sous son autorité" in ministry_page and council.url_in("fr") in ministry_page
    assert "Anciens noms" in ministry_page
    assert "Ministère de la Science, des TIC et de la Planification future (MSIP)" in ministry_page
    assert '<span lang="ko">미래창조과학부</span>' in ministry_page
    assert "jusqu'en juillet 2017" in ministry_page

    records = {
        r["uuid"]: r
        for r in client.get(reverse("data_dump", args=["organizations", "json"])).json()["results"]
    }
    (former,) = records[str(ministry.uuid)]["former_names"]
    assert former["used_until"] == "2017-07" and former["used_from"] == ""
    assert records[str(ministry.uuid)]["links"][0]["relation"] == "has_under_it"
    assert records[str(council.uuid)]["links"][0]["relation"] == "under"
    response = client.get(reverse("data_dump", args=["organizations", "csv"]))
    rows = {
        row["uuid"]: row
        for row in csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig")))
    }
    assert (
        rows[str(ministry.uuid)]["former_names_en"]
        == "Ministry of Science, ICT and Future Planning"
    )
    assert rows[str(council.uuid)]["links_fr"] == "under: Ministry of Science and ICT".replace(
        "Ministry of Science and ICT", "Ministère des Sciences et des TIC"
    )

    data = json_ld(client.get(council.url_in("en")).text)
    assert data["parentOrganization"][0]["name"] == "Ministry of Science and ICT"
    data = json_ld(client.get(ministry.url_in("en")).text)
    assert data["subOrganization"][0]["name"] == "Research Council"
    assert "Ministry of Science, ICT and Future Planning" in data["alternateName"]


def json_ld(page: str) -> dict:
    start = page.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    return json.loads(page[start : page.index("</script>", start)])


def test_a_former_name_whose_source_is_unpublished_is_not_shown(client):
    organization = make_organization()
    source = make_source(published=False)
    OrganizationName.objects.create(
        organization=organization, name_en="Old", name_fr="Ancien", source=source, **WHERE
    )
    assert "Former names" not in client.get(organization.url_in("en")).text


def test_an_action_plan_lists_its_pillars_and_what_falls_under_each(client):
    plan = make_agreement(kind=AgreementKind.ACTION_PLAN)
    under = make_agreement(title_en="Minerals MOU", title_fr="Protocole minéraux")
    hidden = make_agreement(published=False, title_en="A draft MOU", title_fr="Un brouillon")
    initiative = make_initiative(title_en="Battery project", title_fr="Projet de batteries")
    pillar = Pillar.objects.create(
        plan=plan,
        number=3,
        title_en="Economic prosperity",
        title_fr="Prospérité économique",
        source=make_source(),
        **WHERE,
    )
    pillar.agreements.set([under, hidden])
    pillar.initiatives.set([initiative])
    page = client.get(plan.url_in("fr")).text
    assert "Prospérité économique" in page and 'value="3"' in page
    assert "Protocole minéraux" in page and "Projet de batteries" in page
    assert "Un brouillon" not in page
    for record in (under, initiative):
        member_page = client.get(record.url_in("en")).text
        assert "Under an action plan" in member_page
        assert "Pillar 3: Economic prosperity" in member_page
        assert f"{plan.url_in('en')}#pillars-heading" in member_page


def test_only_an_action_plan_has_pillars():
    pillar = Pillar(
        plan=make_agreement(kind=AgreementKind.MOU),
        number=1,
        title_en="T",
        title_fr="T",
        source=make_source(),
        **WHERE,
    )
    with pytest.raises(ValidationError) as error:
        pillar.full_clean()
    assert "plan" in error.value.message_dict


def test_a_link_needs_its_locator_in_both_languages_and_says_so_in_french():
    link = AgreementLink(
        subject=make_agreement(),
        kind=AgreementLinkKind.RENEWS,
        object=make_agreement(),
        source=make_source(),
        location_en="Paragraph 11",
    )
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        link.full_clean()
    assert error.value.message_dict["location_fr"] == ["Indiquez où dans la source, en français."]


def test_a_record_cannot_be_linked_to_itself():
    agreement = make_agreement()
    link = AgreementLink(
        subject=agreement,
        kind=AgreementLinkKind.AMENDS,
        object=agreement,
        source=make_source(),
        **WHERE,
    )
    with pytest.raises(ValidationError):
        link.full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        link.save()  # and the database refuses it too


def test_a_former_name_cannot_end_before_it_began():
    former = OrganizationName(
        organization=make_organization(),
        name_en="Old",
        name_fr="Ancien",
        used_from="2017-01-01",
        used_until="2016-01-01",
        source=make_source(),
        **WHERE,
    )
    with pytest.raises(ValidationError) as error:
        former.full_clean()
    assert "used_until" in error.value.message_dict


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", 'Section 3, « <span lang="en">A HEDGE</span> », paragraphe 2'),
        ("en", "Section 3, « A HEDGE », paragraphe 2"),
    ],
)
def test_a_quoted_section_title_is_marked_in_the_sources_language(language, expected):
    template = Template("{% load portal %}{{ where|quoted_in:'en' }}")
    with translation.override(language):
        shown = template.render(Context({"where": "Section 3, « A HEDGE », paragraphe 2"}))
    assert shown == expected.replace("« ", "« ").replace(" »", " »")


def test_quoted_titles_are_escaped():
    template = Template("{% load portal %}{{ where|quoted_in:'en' }}")
    with translation.override("fr"):
        shown = template.render(Context({"where": "“<b>x</b>” & <i>"}))
    assert shown == '“<span lang="en">&lt;b&gt;x&lt;/b&gt;</span>” &amp; &lt;i&gt;'


# -- The loader -------------------------------------------------------------------------------


def write_links(tmp_path, text: str):
    from cooperation.management.commands.load_content import CONTENT_DIR

    for path in CONTENT_DIR.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "links.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def load(directory) -> str:
    out = StringIO()
    call_command("load_content", directory=str(directory), stdout=out)
    return out.getvalue()


LINK = """
agreements:
  - from: csp-action-plan
    kind: implements
    to: comprehensive-strategic-partnership
    date: "2024-07"
    source: gac-csp-action-plan
    where: {en: Opening paragraph, fr: Paragraphe d'ouverture}
"""


def test_the_loader_loads_links_once_and_a_second_run_writes_nothing(tmp_path):
    folder = write_links(tmp_path, LINK)
    load(folder)
    link = AgreementLink.objects.get(
        kind="implements", subject__slug_en__startswith="comprehensive"
    )
    assert link.date_display == "July 2024"
    version = data_version()
    load(folder)
    assert data_version() == version
    assert AgreementLink.objects.count() >= 1


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (LINK.replace("csp-action-plan", "no-such-plan"), "no agreement with key 'no-such-plan'"),
        (LINK.replace("implements", "admires"), "admires"),
        (
            LINK.replace(
                "where: {en: Opening paragraph, fr: Paragraphe d'ouverture}", "where: {en: x}"
            ),
            "in French",
        ),
        ("pillar: []\n", "unknown sections"),
    ],
)
def test_the_loader_refuses_a_bad_link_with_the_reason(tmp_path, text, reason):
    folder = write_links(tmp_path, text)
    with pytest.raises(CommandError) as error:
        load(folder)
    assert reason in str(error.value)


# -- The shipped links ------------------------------------------------------------------------


def shipped(model, key):
    from cooperation.management.commands.load_content import stable_id

    return model.objects.get(uuid=stable_id(model, key))


@pytest.mark.usefixtures("shipped_content")
@pytest.mark.parametrize(
    ("language", "renews", "renewed_by", "inferred"),
    [
        ("en", "Renews", "Renewed by", "(partly inferred, see the note)"),
        ("fr", "Renouvelle", "Renouvelée par", "(en partie déduite, voir la remarque)"),
    ],
)
def test_the_renewal_of_the_nst_nrc_memorandum_links_both_ways(
    client, language, renews, renewed_by, inferred
):
    from cooperation.models import Agreement

    renewal, original = (
        shipped(Agreement, "nst-nrc-mou-renewal"),
        shipped(Agreement, "nst-nrc-mou"),
    )
    renewal_page = html.unescape(client.get(renewal.url_in(language)).text)
    assert renews in renewal_page and original.url_in(language) in renewal_page
    assert inferred in renewal_page  # the year 2019 is inferred, and every page says so
    original_page = html.unescape(client.get(original.url_in(language)).text)
    assert renewed_by in original_page and renewal.url_in(language) in original_page
    timeline = html.unescape(client.get(reverse_in("cooperation:agreement_list", language)).text)
    assert inferred in timeline


def reverse_in(name: str, language: str) -> str:
    with translation.override(language):
        return reverse(name)


@pytest.mark.usefixtures("shipped_content")
def test_the_ministry_of_science_and_ict_shows_its_former_name_and_the_council_under_it(client):
    from cooperation.models import Organization

    ministry, council = shipped(Organization, "msit"), shipped(Organization, "nst")
    page = html.unescape(client.get(ministry.url_in("en")).text)
    assert "Ministry of Science, ICT and Future Planning (MSIP)" in page
    assert '<span lang="ko">미래창조과학부</span>' in page
    assert "until July 2017" in page
    assert "Has under its authority" in page and council.url_in("en") in page
    council_page = html.unescape(client.get(council.url_in("fr")).text)
    assert "Relève de" in council_page and ministry.url_in("fr") in council_page
    assert "국가과학기술연구회" in council_page


@pytest.mark.usefixtures("shipped_content")
@pytest.mark.parametrize(
    ("key", "korean"),
    [
        ("korea-ai-ethics-association", "한국인공지능윤리협회"),
        ("bos-semiconductors", "보스반도체"),
        ("kia", "기아"),
        ("cs-wind", "씨에스윈드"),
        ("posco-future-materials", "포스코퓨처엠"),
        ("msit", "과학기술정보통신부"),
    ],
)
def test_korean_organizations_carry_their_korean_name_with_a_source(client, key, korean):
    from cooperation.models import Organization

    organization = shipped(Organization, key)
    assert organization.name_ko == korean
    assert any(
        korean in citation.supports_en or "Korean" in citation.supports_en
        for citation in organization.citations.all()
    )
    assert f'lang="ko">{korean}<' in client.get(organization.url_in("fr")).text
