"""The visitors' forms in a real browser (Debian's Chromium): page feedback and a suggested
correction, end to end, without JavaScript of ours; axe-clean in both languages, on a desktop
and on a phone, and the honeypot out of reach of the keyboard."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from cooperation.models import Agreement, Initiative
from feedback.models import CorrectionSuggestion, PageFeedback, SuggestionState
from tests.test_accessibility import WCAG_21_AA

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def quick_forms(settings):
    """A person in a test clicks faster than the 3-second floor (tests/test_feedback.py
    checks the floor itself)."""
    settings.FEEDBACK_MIN_SECONDS = 0


def axe_violations(page) -> str:
    results = Axe().run(page, options=WCAG_21_AA)
    return results.generate_report() if results.violations_count else ""


def no_sideways_scroll(page) -> None:
    for width in (320, 390):
        page.set_viewport_size({"width": width, "height": 800})
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{page.url} is {scroll} px wide at {width} px"
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_visitor_says_no_and_leaves_a_comment(
    live_server, browser_page, shipped_content, quick_forms, language
):
    page = browser_page
    record = Agreement.objects.published().order_by("pk").first()
    address = record.url_in(language)
    page.goto(f"{live_server.url}{address}")
    feedback = page.locator("#page-feedback")
    assert not axe_violations(page)
    no = {"en": "No", "fr": "Non"}[language]
    feedback.get_by_role("button", name=no, exact=True).click()

    page.wait_for_load_state()
    assert f"/{language}/" in page.url and page.locator("h1").count() == 1
    assert not axe_violations(page)
    no_sideways_scroll(page)
    page.locator("textarea[name=comment]").fill("I was looking for the date it came into force.")
    page.locator("form.visitor-form button[type=submit]").click()

    page.wait_for_load_state()
    assert page.url.endswith(f"{address}?thanks=feedback#page-feedback")
    thanks = {"en": "Thank you for your feedback", "fr": "Merci de votre rétroaction"}[language]
    assert page.locator("#page-feedback h2").inner_text() == thanks
    stored = PageFeedback.objects.get()
    assert (stored.page, stored.language, stored.answer) == (address, language, "no")
    assert stored.comment == "I was looking for the date it came into force."


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_visitor_suggests_a_correction(
    live_server, browser_page, shipped_content, quick_forms, language
):
    page = browser_page
    record = Initiative.objects.published().order_by("pk").first()
    page.goto(f"{live_server.url}{record.url_in(language)}")
    page.locator(".suggest-correction a").click()
    page.wait_for_load_state()
    assert not axe_violations(page)
    no_sideways_scroll(page)

    # Sent with errors (the browser's own checks set aside, to reach the server's).
    page.evaluate("document.querySelector('form.visitor-form').noValidate = true")
    page.locator("#id_suggestion").fill("It started in 2024.")
    page.locator("#id_source_url").fill("not an address")
    page.locator("form.visitor-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.title().startswith({"en": "Error:", "fr": "Erreur\u00a0:"}[language])
    assert page.locator("#id_suggestion").input_value() == "It started in 2024."
    assert page.locator("#id_source_url").get_attribute("aria-invalid") == "true"
    described = page.locator("#id_source_url").get_attribute("aria-describedby").split()
    assert page.locator(f"#{described[0]}").inner_text().strip()
    assert not axe_violations(page)
    no_sideways_scroll(page)

    page.locator("#id_field").select_option("dates")
    page.locator("#id_source_url").fill("https://www.canada.ca/en.html")
    page.locator("form.visitor-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"{record.url_in(language)}?thanks=correction#main")
    assert page.locator("p.thanks[role=status]").count() == 1
    suggestion = CorrectionSuggestion.objects.get()
    assert (suggestion.field, suggestion.state, suggestion.language) == (
        "dates",
        SuggestionState.NEW,
        language,
    )


def test_the_keyboard_never_reaches_the_honeypot(live_server, browser_page, shipped_content):
    page = browser_page
    page.goto(f"{live_server.url}/en/agreements/")
    names = []
    for _ in range(200):
        page.keyboard.press("Tab")
        names.append(page.evaluate("document.activeElement.name || ''"))
        if names[-1] == "answer" and names.count("answer") == 2:
            break
    assert names.count("answer") == 2  # Yes and No are reached
    assert "website" not in names
    box = page.locator("#page-feedback-website").bounding_box()
    assert box is None or box["x"] + box["width"] <= 0  # off screen
