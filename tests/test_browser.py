"""A visitor in a real browser (Debian's Chromium): read an initiative, switch to French."""

import pytest

from tests.factories import make_initiative

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_toggle_takes_an_initiative_from_english_to_french(live_server, browser_page):
    initiative = make_initiative(
        title_en="Track 1.5 Dialogue on AI",
        title_fr="Dialogue de type 1.5 sur l’IA",
        slug_en="track-1-5-dialogue-on-ai",
        slug_fr="dialogue-de-type-1-5-sur-l-ia",
    )
    page = browser_page
    page.goto(f"{live_server.url}{initiative.url_in('en')}")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Track 1.5 Dialogue on AI"

    toggle = page.get_by_role("link", name="Français")
    assert toggle.get_attribute("lang") == "fr"
    assert toggle.get_attribute("hreflang") == "fr"
    toggle.click()
    page.wait_for_url(f"{live_server.url}/fr/initiatives/dialogue-de-type-1-5-sur-l-ia/")

    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Dialogue de type 1.5 sur l’IA"
    assert page.get_by_role("link", name="English").get_attribute("hreflang") == "en"
    assert page.get_by_role("navigation", name="Menu principal").is_visible()


def test_the_skip_link_is_the_first_stop_for_the_keyboard(live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/fr/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Passer au contenu principal"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
