"""WCAG 2.1 AA in a real browser: axe-core on every public page type in English and French,
and a keyboard-only walk through the search page."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import translation

from cooperation.models import Agreement, CooperationArea, Initiative, Organization, Recommendation
from tests.factories import LIST_PAGES, STANDARD_PAGES, make_initiative

pytestmark = pytest.mark.django_db(transaction=True)

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def public_pages(language: str) -> list[str]:
    """One page of every public type, with the shipped content."""
    with translation.override(language):
        lists = [reverse(f"cooperation:{name}") for name in LIST_PAGES + STANDARD_PAGES]
        initiatives = reverse("cooperation:initiative_list")
        lists += [
            f"{initiatives}?q=energy&sort=newest",
            reverse("cooperation:search") + "?q=hydrogen",  # the site-wide search, as cards
            f"{initiatives}?q=zzzznothing",  # the empty-result page
            f"{initiatives}?year_from=abc",  # the form message
            f"{initiatives}?page=2",
            reverse("cooperation:recommendation_list") + "?by=audience",
            reverse("cooperation:organization_list") + "?country=KR",
            f"/{language}/no-such-page/",  # the 404 page
        ]
    records = [
        model.objects.published().order_by("pk").first().url_in(language)
        for model in (CooperationArea, Initiative, Agreement, Organization, Recommendation)
    ]
    return lists + records


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_public_page_type_passes_axe(live_server, browser_page, shipped_content, language):
    page = browser_page
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    axe = Axe()
    failures = {}
    for path in public_pages(language):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("html").get_attribute("lang") == language
        results = axe.run(page, options=WCAG_21_AA)
        if results.violations_count:
            failures[path] = results.generate_report()
    assert not failures, "\n\n".join(f"{path}\n{report}" for path, report in failures.items())
    assert not blocked, blocked  # nothing the pages load is refused by their own policy


def focus_by_tab(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never received the focus from the keyboard")


def test_the_search_page_works_from_the_keyboard_alone(live_server, browser_page, shipped_content):
    page = browser_page
    page.goto(f"{live_server.url}/en/initiatives/")

    # The skip link comes first and moves to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"

    # The language toggle.
    page.goto(f"{live_server.url}/en/initiatives/")
    focus_by_tab(page, "a[hreflang='fr']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/fr/initiatives/")

    # The search form: type words, submit with Enter.
    focus_by_tab(page, "#id_q")
    page.keyboard.type("coopération")
    page.keyboard.press("Enter")
    page.wait_for_url("**/fr/initiatives/?q=*")

    # A filter: choose the first option from the keyboard, then apply.
    focus_by_tab(page, "#id_kind")
    page.keyboard.press("ArrowDown")
    chosen = page.evaluate("document.activeElement.value")
    assert chosen
    focus_by_tab(page, "fieldset.filters button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**kind={chosen}*")
    assert "q=coop" in page.url

    # Pagination (more initiatives than fit on one page).
    for n in range(5):
        make_initiative(title_en=f"Extra {n}", title_fr=f"Supplément {n}")
    page.goto(f"{live_server.url}/fr/initiatives/?sort=title")
    focus_by_tab(page, "a[rel=next]")
    page.keyboard.press("Enter")
    page.wait_for_url("**page=2*")
    assert "sort=title" in page.url
    focus_by_tab(page, "a[rel=prev]")
