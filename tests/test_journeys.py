"""Journeys a person makes, in Debian's Chromium: a visitor across both languages, and two
curators taking an initiative from an English draft to publication and back."""

import csv
import io
import re
from pathlib import Path

import pytest

from cooperation.models import CooperationArea, Initiative

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_visitor_reads_in_both_languages_and_searches_with_filters(
    live_server, browser_page, shipped_content
):
    page = browser_page
    page.goto(f"{live_server.url}/en/")
    assert page.locator("h1").is_visible()

    # Home → an area → an initiative.
    area = CooperationArea.objects.published().filter(initiatives__isnull=False).first()
    page.get_by_role("link", name=area.name_en, exact=True).first.click()
    page.wait_for_url(f"**{area.url_in('en')}")
    initiative = area.initiatives.published().order_by("-start_date").first()
    page.get_by_role("link", name=initiative.title_en, exact=True).first.click()
    page.wait_for_url(f"**{initiative.url_in('en')}")
    assert page.locator("h1").inner_text() == initiative.title_en

    # Toggle to French: the same initiative.
    page.get_by_role("link", name="Français").click()
    page.wait_for_url(f"**{initiative.url_in('fr')}")
    assert page.locator("h1").inner_text() == initiative.title_fr

    # Search with two filters, in French.
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Initiatives"
    ).click()
    page.get_by_label("Rechercher dans les initiatives").fill("coopération")
    page.get_by_label("Pays d'un participant").select_option("KR")
    page.get_by_role("button", name="Appliquer").click()
    page.wait_for_url(re.compile(r".*country=KR.*"))
    # The status options now count what the query and the country leave: take the first.
    page.get_by_label("État").select_option(index=1)
    page.get_by_role("button", name="Appliquer").click()
    page.wait_for_url(re.compile(r".*status=.+"))
    status = page.get_by_label("État").input_value()
    french_count = page.locator(".result-count").inner_text()

    # Toggle back: the query and both filters are kept, and so is the result count.
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r".*/en/initiatives/\?.*"))
    assert page.get_by_label("Search the initiatives").input_value() == "coopération"
    assert page.get_by_label("Country of a participant").input_value() == "KR"
    assert page.get_by_label("Status").input_value() == status
    number = re.search(r"\d+", french_count).group()
    assert re.search(r"\d+", page.locator(".result-count").inner_text()).group() == number

    assert int(number) > 0, french_count
    # Download the results: the same rows, English and French columns.
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^CSV")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text("utf-8-sig"))))
    assert len(rows) == int(number)
    assert {"title_en", "title_fr", "participants_en", "sources_fr"} <= rows[0].keys()
    assert all(r["participants_en"] for r in rows)  # each has a Korean participant


def sign_in(page, url, username, password):
    page.goto(f"{url}/admin/login/?next=/admin/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"{url}/admin/")


def sign_out(page):
    page.locator("#logout-form button").click()
    page.wait_for_url(re.compile(r".*/admin/logout/"))


def run_action(page, url, initiative, action):
    page.goto(f"{url}/admin/cooperation/initiative/")
    page.locator(f"input.action-select[value='{initiative.pk}']").check()
    page.locator("select[name=action]").select_option(action)
    page.locator("button[name=index]").click()
    page.wait_for_load_state()


def save(page, url):
    """Save the change form and land on the list, or fail with the form's errors."""
    page.locator("input[name=_save]").click()
    page.wait_for_load_state()
    errors = page.locator(".errornote, .errors").all_inner_texts()
    assert not errors, errors
    page.wait_for_url(f"{url}/admin/cooperation/initiative/")


def public_status(client, initiative, language) -> int:
    return client.get(initiative.url_in(language)).status_code


def test_curators_take_an_initiative_from_draft_to_publication_and_back(
    live_server, browser_page, editor, publisher, client, shipped_content
):
    page, url = browser_page, live_server.url

    # An Editor writes an initiative in English only; publishing is not theirs to do.
    sign_in(page, url, "editor", "pw-editor-1")
    page.goto(f"{url}/admin/cooperation/initiative/add/")
    page.locator("#id_title_en").fill("Quantum sensing pilot")
    # The address (slug) fills itself from the title, as the admin's script does.
    page.locator("#id_summary_en").fill("A pilot on quantum sensors for AI hardware.")
    page.locator("#id_kind").select_option("research_collaboration")
    save(page, url)
    initiative = Initiative.objects.get(title_en="Quantum sensing pilot")
    assert initiative.slug_en == "quantum-sensing-pilot"
    assert initiative.status == "draft"
    actions = page.locator("select[name=action] option").all_inner_texts()
    assert not any("Publish" in a for a in actions)  # an Editor cannot publish
    sign_out(page)

    # A Publisher tries to publish it: refused, saying what French is missing.
    sign_in(page, url, "publisher", "pw-publisher-1")
    run_action(page, url, initiative, "publish_selected")
    error = page.locator(".messagelist .error").first.inner_text()
    assert "French" in error and "title" in error
    initiative.refresh_from_db()
    assert initiative.status == "draft"

    # The Publisher adds the French text and a source, then publishes.
    page.goto(f"{url}/admin/cooperation/initiative/{initiative.pk}/change/")
    page.locator("#id_title_fr").fill("Projet pilote de capteurs quantiques")
    page.locator("#id_summary_fr").fill("Un projet pilote de capteurs quantiques pour l’IA.")
    inline = "cooperation-citation-content_type-object_id"
    page.locator(f"#{inline}-group .add-row a").click()
    page.locator(f"#{inline}-0 .select2-selection").click()
    page.locator(".select2-search__field").fill("Dialogue")
    page.get_by_role("option", name=re.compile(r"Track 1\.5 Dialogue on AI — published$")).click()
    page.locator(f"#id_{inline}-0-location_en").fill("Paragraph 4")
    page.locator(f"#id_{inline}-0-location_fr").fill("Paragraphe 4")
    page.locator(f"#id_{inline}-0-supports_en").fill("The pilot and its aim.")
    page.locator(f"#id_{inline}-0-supports_fr").fill("Le projet pilote et son but.")
    save(page, url)
    run_action(page, url, initiative, "publish_selected")
    assert page.locator(".messagelist .success").count() == 1
    initiative.refresh_from_db()
    assert initiative.status == "published"

    # It is on both sites, and found by search.
    for language, title in (("en", "Quantum sensing pilot"), ("fr", "Projet pilote")):
        page.goto(f"{url}{initiative.url_in(language)}")
        assert title in page.locator("h1").inner_text()
    page.goto(f"{url}/fr/initiatives/?q=capteurs+quantiques")
    assert page.get_by_role("link", name=re.compile("capteurs quantiques")).count() == 1

    # Unpublished: gone from every public page, list, search and the sitemap.
    run_action(page, url, initiative, "unpublish_selected")
    assert page.locator(".messagelist .success").count() == 1
    for language in ("en", "fr"):
        assert public_status(client, initiative, language) == 404
    search = client.get("/fr/initiatives/?q=capteurs+quantiques").text
    assert "Projet pilote" not in re.sub(r"</?mark>", "", search)
    assert "Aucune initiative ne correspond" in search
    assert "Quantum sensing" not in client.get("/en/initiatives/").text
    assert "quantum-sensing-pilot" not in client.get("/sitemap.xml").text
