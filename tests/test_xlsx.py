"""XLSX downloads: the search page's results and the full dumps as Excel workbooks, with the
CSV's rows and columns, typed values, the data dictionary on a second sheet, and no formulas."""

import csv
import datetime
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from cooperation import opendata, views
from cooperation.models import Initiative, InitiativeParticipant
from tests.factories import make_area, make_initiative, make_organization, make_source

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RESULTS = {"en": "/en/initiatives/results", "fr": "/fr/initiatives/resultats"}
FORMULAS = ['=HYPERLINK("http://evil.example","Click")', "+1+1", "-2+3", "@SUM(1,2)"]


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def workbook(response):
    return openpyxl.load_workbook(io.BytesIO(content(response)))


def sheet_rows(sheet) -> list[dict]:
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content(response).decode("utf-8")[1:])))


def as_csv_text(value) -> str:
    """What the CSV writes for a value of the workbook."""
    return "" if value is None else str(value)


@pytest.fixture
def records():
    area = make_area(name_en="Energy", name_fr="Énergie")
    organization = make_organization(name_en="KEPCO", name_fr="KEPCO (fr)", country="KR")
    source = make_source(title_en="Joint statement", title_fr="Déclaration commune")
    made = []
    for n in range(6):
        initiative = make_initiative(
            title_en=f"Hydrogen project {n:02}",
            title_fr=f"Projet hydrogène {n:02}",
            kind="programme" if n % 2 else "investment",
            start_date=datetime.date(2019 + n, 7, 9),
            start_date_precision=("year", "month", "day")[n % 3],
            start_date_inferred=n == 1,
            funding_amount=Decimal("4000000.50") if n % 2 else None,
            funding_currency="CAD" if n % 2 else "",
            source=source,
        )
        initiative.areas.add(area)
        InitiativeParticipant.objects.create(
            initiative=initiative, organization=organization, role="lead"
        )
        made.append(initiative)
    draft_area = make_area(published=False, name_en="Zanzibar area", name_fr="Domaine Zanzibar")
    made[0].areas.add(draft_area)
    make_initiative(published=False, title_en="Hydrogen draft", title_fr="Brouillon hydrogène")
    return made


@pytest.mark.usefixtures("records")
@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("params", [{"q": "hydrogen"}, {"kind": "programme", "sort": "title"}])
def test_the_workbook_holds_the_csvs_rows_and_values(client, language, params):
    xlsx = client.get(f"{RESULTS[language]}.xlsx", params)
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"] == XLSX
    date = datetime.date.today().isoformat()
    expected_name = {"en": "initiatives", "fr": "initiatives"}[language]
    assert xlsx["Content-Disposition"] == f'attachment; filename="{expected_name}-{date}.xlsx"'
    expected = csv_rows(client.get(f"{RESULTS[language]}.csv", params))
    assert expected

    book = workbook(xlsx)
    sheet = book.worksheets[0]
    assert sheet.title == "Initiatives"
    assert [cell.value for cell in sheet[1]] == opendata.INITIATIVES.csv_header()
    assert sheet.freeze_panes == "A2"
    rows = sheet_rows(sheet)
    assert len(rows) == len(expected)
    for row, csv_row in zip(rows, expected, strict=True):
        for key, text in csv_row.items():
            value = row[key]
            if key == "funding_amount" and text:
                assert isinstance(value, int | float) and Decimal(str(value)) == Decimal(text)
            else:
                assert as_csv_text(value) == text, key


def test_values_are_typed_dates_stay_iso_text(client, records):
    sheet = workbook(client.get("/en/initiatives/results.xlsx", {"sort": "title"})).worksheets[0]
    rows = {row["title_en"]: row for row in sheet_rows(sheet)}
    row = rows["Hydrogen project 01"]
    assert row["funding_amount"] == 4000000.5 and row["funding_currency"] == "CAD"
    assert (
        row["start_date_inferred"] is True
        and rows["Hydrogen project 00"]["start_date_inferred"] is False
    )
    assert (row["start_date"], row["start_date_precision"]) == ("2020-07", "month")
    assert rows["Hydrogen project 00"]["start_date"] == "2019"  # a year stays a year
    assert rows["Hydrogen project 02"]["start_date"] == "2021-07-09"
    assert rows["Hydrogen project 00"]["funding_amount"] is None
    assert isinstance(row["first_published"], str)  # ISO text, with its time zone
    # Booleans are Excel booleans (TRUE/FALSE), amounts numbers with two decimals.
    column = opendata.INITIATIVES.csv_header().index("funding_amount") + 1
    row_number = 1 + list(rows).index("Hydrogen project 01") + 1
    amount = sheet.cell(row=row_number, column=column)
    assert amount.value == 4000000.5 and amount.number_format == opendata.XLSX_DECIMAL_FORMAT
    xml = zipfile.ZipFile(io.BytesIO(content(client.get("/en/initiatives/results.xlsx"))))
    assert 't="b"' in xml.read("xl/worksheets/sheet1.xml").decode()


@pytest.mark.parametrize(
    ("language", "title", "meaning"),
    [
        ("en", "Data dictionary", "Title of the initiative."),
        ("fr", "Dictionnaire de données", "Titre de l'initiative."),
    ],
)
def test_the_second_sheet_says_what_each_column_means_in_the_visitors_language(
    client, records, language, title, meaning
):
    book = workbook(client.get(f"{RESULTS[language]}.xlsx"))
    dictionary = book.worksheets[1]
    assert dictionary.title == title
    rows = list(dictionary.iter_rows(values_only=True))
    described = {row[0]: row for row in rows[1:] if row and row[0]}
    assert described["title_en"][2] == described["title_fr"][2] == meaning
    columns = [c for row in rows[1:] if row[0] and row[2] for c in row[0].split(", ")]
    assert columns == opendata.INITIATIVES.csv_header()
    kinds = described["kind"][3]
    assert (
        "investment (Investment)" if language == "en" else "investment (Investissement)"
    ) in kinds
    licence = "Open Government Licence – Canada" if language == "en" else "Licence du gouvern"
    assert any(row[0] and str(row[0]).startswith(licence) for row in rows)


def test_text_that_looks_like_a_formula_stays_text(client):
    for n, text in enumerate(FORMULAS):
        make_initiative(
            title_en=text,
            title_fr=f"Formule {n}",
            summary_en=text,
            location_en=text,
            location_fr=text,
        )
    make_initiative(title_en="Control\x0bcharacters\x01 dropped", title_fr="Contrôle")
    for url in ("/en/initiatives/results.xlsx", "/data/initiatives.xlsx"):
        data = content(client.get(url))
        sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
        assert "<f>" not in sheet_xml, "no cell is a formula"
        sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
        header = [cell.value for cell in sheet[1]]
        titles = {}
        for row in sheet.iter_rows(min_row=2):
            cell = row[header.index("title_en")]
            titles[cell.value] = cell
        for text in FORMULAS:
            assert titles[text].data_type == "s"
            assert titles[text].quotePrefix, "kept text when the cell is edited"
        assert "Controlcharacters dropped" in titles


def test_unpublished_records_never_appear(client, records):
    for url in ("/en/initiatives/results.xlsx?q=hydrogen", "/data/initiatives.xlsx"):
        book = workbook(client.get(url))
        text = "\n".join(
            str(value)
            for row in book.worksheets[0].iter_rows(values_only=True)
            for value in row
            if value is not None
        )
        assert "draft" not in text.lower() and "brouillon" not in text.lower()
        assert "zanzibar" not in text.lower()
        hidden = Initiative.objects.exclude(status="published").get()
        assert str(hidden.uuid) not in text
        assert len(sheet_rows(book.worksheets[0])) == 6


@pytest.mark.parametrize("name", list(opendata.DATASETS))
def test_every_dump_has_its_workbook(client, records, name):
    dataset = opendata.DATASETS[name]
    response = client.get(f"/data/{name}.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="{name}.xlsx"'
    rows = sheet_rows(workbook(response).worksheets[0])
    assert [row["uuid"] for row in rows] == [
        row["uuid"] for row in csv_rows(client.get(f"/data/{name}.csv"))
    ]
    assert len(rows) == dataset.published().count()
    etag = response["ETag"]
    assert client.get(f"/data/{name}.xlsx", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_large_downloads_are_streamed_from_a_temporary_file(client, records, monkeypatch):
    monkeypatch.setattr(views, "BUFFERED_ROWS", 2)
    for url in ("/fr/initiatives/resultats.xlsx", "/data/initiatives.xlsx"):
        response = client.get(url)
        assert response.streaming and response["Content-Type"] == XLSX
        body = content(response)
        assert int(response["Content-Length"]) == len(body)
        assert len(sheet_rows(openpyxl.load_workbook(io.BytesIO(body)).worksheets[0])) == 6


def test_bad_parameters_get_a_clear_400_and_unknown_formats_a_404(client):
    response = client.get("/fr/initiatives/resultats.xlsx", {"year_from": "abc"})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Certaines valeurs n’ont pas été comprises" in response.content.decode()
    assert client.get("/en/initiatives/results.xls").status_code == 404
    assert client.get("/data/initiatives.xls").status_code == 404


# -- The Open data page ------------------------------------------------------------------------


def sizes_shown(html: str) -> list[str]:
    return [s.replace("\xa0", " ") for s in re.findall(r'class="file-size">([^<]*)<', html)]


@pytest.mark.parametrize(
    ("path", "language", "unit", "about"),
    [("/en/open-data/", "en", "KB", "about"), ("/fr/donnees-ouvertes/", "fr", "Ko", "environ")],
)
def test_the_open_data_page_gives_each_downloads_format_and_size(
    client, records, path, language, unit, about, monkeypatch
):
    html = client.get(path).text
    shown = sizes_shown(html)
    assert len(shown) == len(opendata.DATASETS) * len(opendata.FORMATS)
    assert all(re.fullmatch(r"(CSV|JSON|XLSX), \d+(,\d)? (Ko|KB|octets|bytes)", s) for s in shown)
    assert 'href="/data/initiatives.xlsx"' in html and f" {unit}" in " ".join(shown)
    # The size given is the size of the file served (in the same language).
    dump = content(client.get("/data/initiatives.xlsx", HTTP_ACCEPT_LANGUAGE=language))
    kilobytes = round(len(dump) / 1000)
    assert shown[2] == f"XLSX, {kilobytes} {unit}"
    csv_size = len(content(client.get("/data/initiatives.csv")))
    assert shown[0] in (f"CSV, {round(csv_size / 1000)} {unit}", f"CSV, {csv_size} bytes")

    # A type with more records than are measured is given an approximate size.
    monkeypatch.setattr(views, "SIZE_SAMPLE", 2)
    make_initiative()  # a new data version: measured again
    shown = sizes_shown(client.get(path).text)
    assert shown[2].startswith(f"XLSX, {about} ")


def test_file_sizes_read_as_each_language_writes_them():
    from django.utils import translation

    from cooperation.templatetags.portal import file_size

    with translation.override("en"):
        assert [file_size(n) for n in (1, 902, 45_400, 4_230_000)] == [
            "1\xa0byte",
            "902\xa0bytes",
            "45\xa0KB",
            "4.2\xa0MB",
        ]
    with translation.override("fr"):
        assert [file_size(n) for n in (1, 902, 45_400, 4_230_000)] == [
            "1\xa0octet",
            "902\xa0octets",
            "45\xa0Ko",
            "4,2\xa0Mo",
        ]


def test_the_search_page_offers_the_workbook(client, records):
    html = client.get("/fr/initiatives/", {"q": "hydrogène", "page": "1"}).text
    assert 'href="/fr/initiatives/resultats.xlsx?q=hydrog%C3%A8ne"' in html
    assert "classeur Excel" in html
