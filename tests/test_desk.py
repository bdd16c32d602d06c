"""The curator's desk on the admin home: the work waiting, each count a link to its list."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_initiative

pytestmark = pytest.mark.django_db


def desk_links(client: Client, language="en") -> dict[str, str]:
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    desk = page.split('id="curator-desk"', 1)[1].split("</table>", 1)[0]
    return dict(re.findall(r'<a href="([^"]+)">(\d+)</a>', desk)), page


def test_the_desk_counts_my_drafts_and_links_to_exactly_them(editor, publisher, client):
    mine = make_initiative(published=False)
    make_initiative(published=False)  # someone else's (no history by the editor)
    client.force_login(editor)
    mine.history.update(history_user=editor)
    links, _page = desk_links(client)
    url = next(u for u in links if "changed_by=me" in u and "initiative" in u)
    assert links[url] == "1"
    listed = client.get(url.replace("&amp;", "&")).content.decode()
    assert mine.title_en in listed
    assert listed.count('class="field-listed_label"') == 1


def test_the_desk_counts_drafts_missing_a_language_and_published_never_checked(publisher, client):
    make_initiative(published=False, summary_fr="")
    make_initiative(checked=None)
    client.force_login(publisher)
    links, _page = desk_links(client)
    missing = next(u for u in links if "translation=missing_any" in u and "initiative" in u)
    unchecked = next(u for u in links if "checked=never" in u and "initiative" in u)
    assert links[missing] == "1" and links[unchecked] == "1"
    for url in (missing, unchecked):
        assert client.get(url.replace("&amp;", "&")).status_code == 200


def test_the_desk_lists_what_others_changed_recently_in_the_readers_language(
    editor, publisher, client
):
    initiative = make_initiative()
    initiative.history.update(history_user=editor)
    client.force_login(publisher)
    _links, page = desk_links(client, "fr")
    assert "Modifié par d’autres" in page
    assert initiative.title_fr in page or initiative.title_en in page
    client.force_login(editor)
    _links, page = desk_links(client)
    recent = page.split("Changed by others", 1)[1].split("</div>", 1)[0]
    assert initiative.title_en not in recent  # one's own changes are not "by others"
