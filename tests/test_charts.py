"""Charts drawn on the server (cooperation/charts.py): the figures are right for known data,
drafts never count, every chart is an accessible SVG with its data table and a CSV download
that matches the table, in both languages, with a constant number of queries; in a browser,
axe finds nothing and nothing scrolls sideways at 320 px."""

import csv
import datetime
import io
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from cooperation import charts
from cooperation.models import AgreementParty, InitiativeParticipant, Organization
from tests.factories import make_agreement, make_area, make_initiative, make_organization

pytestmark = pytest.mark.django_db


# -- The geometry, from plain data ---------------------------------------------------------


def test_ticks_are_round_and_cover_the_maximum():
    assert charts.ticks(0) == [0, 1]
    assert charts.ticks(4) == [0, 1, 2, 3, 4]
    assert charts.ticks(10) == [0, 2, 4, 6, 8, 10]
    assert charts.ticks(23) == [0, 5, 10, 15, 20, 25]
    assert charts.ticks(1234)[-1] >= 1234


def test_stacked_bars_are_proportional_and_stay_inside_the_view_box():
    rows = [
        {"label": "Long area name " * 4, "values": {"a": 3, "b": 1}},
        {"label": "Other", "values": {"b": 2}},
    ]
    chart = charts.stacked_bars(rows, [("a", "A"), ("b", "B")])
    first, second = chart["rows"]
    assert [s["value"] for s in first["segments"]] == [3, 1]
    assert first["total"] == 4 and second["total"] == 2
    unit = (chart["ticks"][-1]["x"] - chart["left"]) / 4
    assert first["segments"][0]["width"] == pytest.approx(3 * unit - 1.5, abs=0.2)
    assert first["segments"][1]["x"] == pytest.approx(chart["left"] + 3 * unit, abs=0.2)
    assert first["label_text"].endswith("…")  # shortened to fit the width
    for row in chart["rows"]:
        assert charts.text_width(row["label_text"], charts.LABEL_SIZE) <= charts.WIDTH
        for segment in row["segments"]:
            assert segment["x"] + segment["width"] <= charts.WIDTH
    assert chart["height"] > chart["axis_y"] > second["bar_y"]


def test_a_timeline_places_dates_in_proportion_and_keeps_their_precision():
    start, end = datetime.date(2014, 1, 1), datetime.date(2024, 1, 1)
    items = [
        {
            "label": "Day",
            "status": "signed",
            "date": datetime.date(2019, 1, 1),
            "precision": "day",
        },
        {
            "label": "Year",
            "status": "in_force",
            "date": datetime.date(2014, 1, 1),
            "precision": "year",
        },
    ]
    chart = charts.timeline(items, start, end)
    year, day = chart["rows"]  # oldest first
    middle = chart["left"] + (chart["right"] - chart["left"]) * (
        (datetime.date(2019, 1, 1) - start).days / (end - start).days
    )
    assert day["signed"]["x"] == pytest.approx(middle, abs=0.1)
    assert day["signed"]["exact"] and not year["signed"]["exact"]
    assert year["signed"]["from"] == chart["left"]  # the whole of 2014, not its first day
    assert year["signed"]["x"] > year["signed"]["from"]
    assert [t["label"] for t in chart["ticks"] if t["label"]][0] == "2014"


# -- The figures, from the database ----------------------------------------------------------


@pytest.fixture
def known_data():
    """Two areas, five published initiatives (of known statuses and years), drafts besides."""
    ai, energy = make_area(name_en="AI governance"), make_area(name_en="Energy")
    draft_area = make_area(published=False, name_en="Zanzibar area")
    specs = [
        ("active", datetime.date(2020, 5, 1), [ai]),
        ("active", datetime.date(2022, 1, 1), [ai, energy]),
        ("completed", datetime.date(2020, 7, 9), [energy]),
        ("planned", None, [ai]),
        ("not_stated", None, [energy]),
    ]
    initiatives = []
    for status, start, areas in specs:
        initiative = make_initiative(initiative_status=status, start_date=start)
        initiative.areas.set(areas)
        initiatives.append(initiative)
    draft = make_initiative(
        published=False, initiative_status="active", start_date=datetime.date(2021, 1, 1)
    )
    draft.areas.set([ai, draft_area])
    return {"ai": ai, "energy": energy, "initiatives": initiatives, "draft": draft}


def table(html: str, chart_id: str) -> list[list[str]]:
    """The rows (header row included) of a chart's data table, as text."""
    section = re.search(
        rf'<section class="chart" aria-labelledby="{chart_id}-heading">(.*?)</section>', html, re.S
    ).group(1)
    body = re.search(r"<table>(.*?)</table>", section, re.S).group(1)
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


def download(client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_initiatives_per_area_by_status(client, known_data):
    rows = table(client.get("/en/areas/").text, "chart-areas")
    assert rows[0] == [
        "Co-operation area",
        "Planned",
        "Active",
        "Completed",
        "Status not stated",
        "Total",
    ]
    assert rows[1:] == [
        ["AI governance", "1", "2", "0", "0", "3"],  # the draft initiative is not counted
        ["Energy", "0", "1", "1", "1", "3"],
    ]
    assert download(client, "/en/areas/chart.csv") == rows
    assert "Zanzibar" not in client.get("/en/areas/chart.csv").content.decode()


def test_initiatives_by_start_year_count_only_published_dated_ones(client, known_data):
    text = client.get("/en/initiatives/").text
    rows = table(text, "chart-years")
    assert rows[1:] == [
        ["2020", "0", "1", "1", "0", "2"],
        ["2021", "0", "0", "0", "0", "0"],  # the draft of 2021 does not count; the year shows
        ["2022", "0", "1", "0", "0", "1"],
    ]
    assert "2 published initiatives have no start date and are not on the chart." in text
    csv_rows = download(client, "/en/initiatives/by-start-year.csv")
    assert csv_rows[:-1] == rows
    assert csv_rows[-1] == ["No start date", "1", "0", "0", "1", "2"]


def test_agreements_on_a_time_axis_and_the_undated_apart(client):
    make_agreement(
        title_en="Old one", date_signed=datetime.date(2014, 1, 1), date_signed_precision="year"
    )
    make_agreement(
        title_en="In force one",
        agreement_status="in_force",
        date_signed=datetime.date(2020, 3, 4),
        date_in_force=datetime.date(2021, 6, 1),
    )
    make_agreement(title_en="Undated one")
    make_agreement(published=False, title_en="Zanzibar", date_signed=datetime.date(2018, 1, 1))
    text = client.get("/en/agreements/").text
    chart = re.search(r'<section class="chart".*?</section>', text, re.S).group(0)
    assert "Zanzibar" not in text
    # A circle for the signed one, a diamond for the one in force, a date in force marked.
    assert chart.count('class="chart-mark chart-mark-signed"') == 2  # one in the legend
    assert chart.count('class="chart-mark chart-mark-in-force"') == 2
    assert chart.count('class="chart-in-force"') == 2
    assert 'class="chart-period"' in chart  # 2014 is known only to the year
    rows = table(text, "chart-agreements")
    assert rows[1:] == [
        ["Old one", "2014", "Signed or adopted", ""],
        ["In force one", "4 March 2020", "In force", "1 June 2021"],
        ["Undated one", "Date not stated", "Signed or adopted", ""],
    ]
    assert "no date of signature" in chart and "Undated one</a>" in chart
    assert download(client, "/en/agreements/timeline.csv") == rows


def test_an_organizations_partners_and_their_roles(client):
    mine = make_organization(name_en="Mine")
    big = make_organization(name_en="Big partner")
    small = make_organization(name_en="Small partner", short_name_en="SP", short_name_fr="PP")
    hidden = make_organization(published=False, name_en="Zanzibar partner")
    first, second = make_initiative(), make_initiative()
    draft_initiative = make_initiative(published=False)
    for initiative in (first, second, draft_initiative):
        InitiativeParticipant.objects.create(initiative=initiative, organization=mine, role="lead")
        InitiativeParticipant.objects.create(
            initiative=initiative, organization=big, role="funder"
        )
    InitiativeParticipant.objects.create(initiative=first, organization=big, role="partner")
    InitiativeParticipant.objects.create(initiative=first, organization=small, role="host")
    InitiativeParticipant.objects.create(initiative=first, organization=hidden, role="partner")
    agreement = make_agreement()
    for organization in (mine, big, hidden):
        AgreementParty.objects.create(agreement=agreement, organization=organization)
    text = client.get(mine.url_in("en")).text
    assert "Zanzibar" not in text
    rows = table(text, "chart-partners")
    assert rows == [
        ["Organization", "Shared initiatives", "Shared agreements", "Their roles"],
        ["Big partner", "2", "1", "Party, Partner, Funder"],
        ["Small partner", "1", "0", "Host"],
    ]
    assert "SP — Host" in text  # the bar's label: the short name and the roles
    assert download(client, mine.url_in("en") + "partners.csv") == rows
    # An organization with no partner has no chart.
    alone = make_organization()
    assert 'id="chart-partners-heading"' not in client.get(alone.url_in("en")).text


# -- Accessible, bilingual, constant queries --------------------------------------------------


@pytest.fixture
def some_of_everything(known_data):
    organization = make_organization()
    for initiative in known_data["initiatives"][:2]:
        InitiativeParticipant.objects.create(initiative=initiative, organization=organization)
        InitiativeParticipant.objects.create(
            initiative=initiative, organization=make_organization()
        )
    make_agreement(date_signed=datetime.date(2016, 12, 1), date_signed_precision="month")
    return {"organization": organization}


def chart_pages(language: str, organization) -> dict[str, str]:
    with translation.override(language):
        return {
            "chart-areas": reverse("cooperation:area_list"),
            "chart-years": reverse("cooperation:initiative_list"),
            "chart-agreements": reverse("cooperation:agreement_list"),
            "chart-partners": organization.url_in(language),
        }


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_chart_is_an_accessible_svg_with_its_table_and_download(
    client, some_of_everything, language
):
    for chart_id, url in chart_pages(language, some_of_everything["organization"]).items():
        text = client.get(url).text
        section = re.search(
            rf'<section class="chart" aria-labelledby="{chart_id}-heading">(.*?)</section>',
            text,
            re.S,
        ).group(1)
        heading = re.search(rf'<h2 id="{chart_id}-heading">([^<]+)</h2>', section).group(1)
        svg = re.search(r"<svg class=\"chart-svg\"[^>]*>", section).group(0)
        assert 'role="img"' in svg
        assert f'aria-labelledby="{chart_id}-svg-title {chart_id}-svg-desc"' in svg
        assert f'<title id="{chart_id}-svg-title">{heading}</title>' in section
        assert re.search(rf'<desc id="{chart_id}-svg-desc">[^<]{{40,}}</desc>', section)
        assert re.search(r"<figcaption>[^<]{40,}</figcaption>", section)
        assert "<caption" in section and 'scope="col"' in section and 'scope="row"' in section
        assert "style=" not in section and "<script" not in section
        # Coordinates are never written with a decimal comma, in French either.
        assert not re.search(r'(?:x|y|width|height)="\d+,\d', section)
        csv_url = unescape(
            re.search(r'<a href="([^"]+)" download type="text/csv">', section).group(1)
        )
        assert download(client, csv_url)[0] == table(text, chart_id)[0]


def test_charts_speak_french(client, some_of_everything):
    text = client.get("/fr/domaines/").text
    assert "Initiatives par domaine de coopération" in text
    assert table(text, "chart-areas")[0][:3] == ["Domaine de coopération", "Prévue", "En cours"]
    assert download(client, "/fr/domaines/graphique.csv")[0][0] == "Domaine de coopération"
    years = client.get("/fr/initiatives/").text
    assert "2\xa0initiatives publiées n'ont pas de date de début" in unescape(years) or (
        "2 initiatives publiées n'ont pas de date de début" in unescape(years)
    )
    assert client.get("/fr/ententes/chronologie.csv").status_code == 200
    assert client.get("/fr/initiatives/par-annee-de-debut.csv").status_code == 200
    organization = some_of_everything["organization"]
    assert client.get(organization.url_in("fr") + "partenaires.csv").status_code == 200


def test_chart_pages_make_as_many_queries_whatever_the_data(client, django_assert_max_num_queries):
    def counts(organization) -> dict[str, int]:
        from django.core.cache import cache

        result = {}
        for url in chart_pages("en", organization).values():
            for address in (url, _csv_of(url, organization)):
                cache.clear()
                with django_assert_max_num_queries(12) as captured:
                    assert client.get(address).status_code == 200
                result[address.replace(organization.slug_en, "<slug>")] = len(captured)
        return result

    def grow(n: int):
        organization = (
            Organization.objects.published().order_by("pk").first() or make_organization()
        )
        area = make_area()
        for i in range(n):
            initiative = make_initiative(start_date=datetime.date(2015 + i % 10, 1, 1))
            initiative.areas.add(area)
            InitiativeParticipant.objects.create(initiative=initiative, organization=organization)
            InitiativeParticipant.objects.create(
                initiative=initiative, organization=make_organization()
            )
            make_agreement(date_signed=datetime.date(2015 + i % 10, 6, 1))
        return organization

    few = counts(grow(2))
    many = counts(grow(12))
    assert few == many


def _csv_of(url: str, organization) -> str:
    return {
        reverse("cooperation:area_list"): reverse("cooperation:area_chart_csv"),
        reverse("cooperation:initiative_list"): reverse("cooperation:initiative_year_chart_csv"),
        reverse("cooperation:agreement_list"): reverse("cooperation:agreement_chart_csv"),
    }.get(url) or reverse(
        "cooperation:organization_partners_csv", kwargs={"slug": organization.slug_en}
    )


def test_a_draft_organization_has_no_partner_download(client):
    draft = make_organization(published=False)
    assert client.get(f"/en/organizations/{draft.slug_en}/partners.csv").status_code == 404


# -- In a browser ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_chart_pages_pass_axe_and_fit_a_phone(
    live_server, browser_page, shipped_content, language
):
    from axe_playwright_python.sync_playwright import Axe

    from tests.test_accessibility import WCAG_21_AA

    partnered = (
        Organization.objects.published()
        .filter(initiative_participations__isnull=False)
        .order_by("pk")
        .first()
    )
    page, axe = browser_page, Axe()
    failures, too_wide = {}, []
    for chart_id, path in chart_pages(language, partnered).items():
        for width in (1366, 320):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{live_server.url}{path}")
            assert page.locator(f"#{chart_id}-svg-title").count() == 1, path
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                too_wide.append(f"{path} is {scroll} px wide at {width} px")
            # The SVG is drawn, and no wider than the page.
            box = page.locator(
                f"section[aria-labelledby='{chart_id}-heading'] svg.chart-svg"
            ).bounding_box()
            assert box["width"] > 100 and box["x"] + box["width"] <= width, path
        results = axe.run(page, options=WCAG_21_AA)
        if results.violations_count:
            failures[path] = results.generate_report()
    assert not failures, "\n\n".join(f"{p}\n{r}" for p, r in failures.items())
    assert not too_wide, too_wide
