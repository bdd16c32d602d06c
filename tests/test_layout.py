"""No page scrolls sideways on a phone: every list page, standard page (About, Contact, ...) and
the 404 at 320 and 390 px, and every shipped record's page at 320 px, in English and French,
measured in Chromium (`scrollWidth`)."""

import pytest
from django.urls import reverse
from django.utils import translation

from cooperation.models import Agreement, CooperationArea, Initiative, Organization, Recommendation
from tests.factories import LIST_PAGES, STANDARD_PAGES

pytestmark = pytest.mark.django_db(transaction=True)


def too_wide(page, url: str, width: int) -> str:
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(url)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    return f"{url} is {scroll} px wide at {width} px" if scroll > width else ""


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_page_scrolls_sideways_on_a_phone(live_server, browser_page, shipped_content, language):
    with translation.override(language):
        lists = [reverse(f"cooperation:{name}") for name in LIST_PAGES + STANDARD_PAGES]
        lists.append(reverse("cooperation:initiative_list") + "?q=energy")
        lists.append(reverse("cooperation:search") + "?q=energy")
        lists.append(f"/{language}/no-such-page/")
    records = [
        record.url_in(language)
        for model in (CooperationArea, Initiative, Agreement, Organization, Recommendation)
        for record in model.objects.published()
    ]
    problems = [
        too_wide(browser_page, f"{live_server.url}{path}", width)
        for path in lists
        for width in (320, 390)
    ]
    problems += [too_wide(browser_page, f"{live_server.url}{path}", 320) for path in records]
    assert len(records) > 90
    assert not [p for p in problems if p], "\n".join(p for p in problems if p)
