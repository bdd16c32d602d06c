"""Every record's change history: who, when, what changed in both languages, and a way back
that keeps the publishing rule; an edit made over someone else's is refused, not lost."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from modeltranslation.translator import translator

from cooperation.models import Initiative, Organization
from curation.history import TRACKED, Reason, revert
from tests.factories import cite, make_initiative, make_organization, make_source

pytestmark = pytest.mark.django_db


def admin_url(record, view: str, *args) -> str:
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[record.pk, *args])


class FormValues(HTMLParser):
    """What a browser would send back from the admin's change form, unchanged."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._textarea = self._select = None
        self._option = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if a.get("type") in ("checkbox", "radio") else ""
            self.data.setdefault(name, []).append(a.get("value") or default)
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.setdefault(self._select, []).append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data


def form_of(client: Client, record) -> dict[str, list[str]]:
    parser = FormValues()
    response = client.get(admin_url(record, "change"))
    assert response.status_code == 200
    parser.feed(response.content.decode())
    data = parser.data
    data.pop("csrfmiddlewaretoken", None)
    data.pop("action", None)
    return data


def save(client: Client, record, data, **changes):
    sent = {**data, **{name: [value] for name, value in changes.items()}}
    return client.post(admin_url(record, "change"), sent)


@pytest.mark.parametrize(
    "model", translator.get_registered_models(abstract=False), ids=lambda m: m.__name__
)
def test_every_translated_model_is_tracked_and_its_history_holds_both_languages(model):
    assert model in TRACKED
    history_fields = {f.name for f in model.history.model._meta.fields}
    translated = translator.get_options_for_model(model).all_fields
    for name in translated:
        for code in ("en", "fr"):
            assert f"{name}_{code}" in history_fields, (model, name, code)


def test_the_history_page_shows_who_what_and_old_and_new_values_in_both_languages(
    publisher, client
):
    initiative = make_initiative(summary_en="Old English summary", summary_fr="Ancien résumé")
    client.force_login(publisher)
    data = form_of(client, initiative)
    response = save(
        client, initiative, data, summary_en="New English summary", summary_fr="Nouveau résumé"
    )
    assert response.status_code == 302, re.findall(
        r"errorlist[^>]*>(.*?)</ul>", response.content.decode(), re.S
    )
    page = client.get(admin_url(initiative, "history")).content.decode()
    for text in ("Old English summary", "New English summary", "Ancien résumé", "Nouveau résumé"):
        assert text in page
    assert "By publisher" in page
    assert "summary [en]" in page.lower() or "summary [English]".lower() in page.lower()


def test_history_messages_show_in_the_readers_language_not_the_writers(publisher, client):
    initiative = make_initiative()
    initiative.unpublish()
    client.force_login(publisher)
    response = client.post(
        reverse("admin:cooperation_initiative_changelist"),
        {"action": "publish_selected", "_selected_action": [initiative.pk]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.is_published
    assert initiative.history.first().history_change_reason == Reason.PUBLISHED
    french = client.get(admin_url(initiative, "history"), HTTP_ACCEPT_LANGUAGE="fr")
    assert "(publié)" in french.content.decode().lower()
    english = client.get(admin_url(initiative, "history"), HTTP_ACCEPT_LANGUAGE="en")
    assert "(published)" in english.content.decode().lower()


def test_citation_changes_are_part_of_the_records_history_and_revert_restores_them(
    publisher, client
):
    initiative = make_initiative(title_en="First title", title_fr="Premier titre")
    first = initiative.history.order_by("history_date").last()
    second_source = make_source(title_en="Another source", title_fr="Une autre source")
    cite(initiative, second_source)
    initiative.title_en, initiative.title_fr = "Second title", "Deuxième titre"
    initiative.save()
    assert initiative.citations.count() == 2

    client.force_login(publisher)
    page = client.get(admin_url(initiative, "history")).content.decode()
    assert "Another source" in page  # the added citation is in the timeline

    response = client.post(admin_url(initiative, "revert", first.history_id))
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert (initiative.title_en, initiative.title_fr) == ("First title", "Premier titre")
    assert initiative.citations.count() == 1
    assert initiative.is_published  # the status is kept
    assert initiative.history.first().history_change_reason == Reason.REVERTED


def test_a_revert_that_would_break_the_publishing_rule_changes_nothing(publisher, client):
    initiative = make_initiative(published=False, summary_fr="")
    cite(initiative, make_source())
    draft_version = initiative.history.order_by("history_date").last()
    initiative.summary_fr = "Un résumé complet"
    initiative.save()
    initiative.publish()
    client.force_login(publisher)
    response = client.post(admin_url(initiative, "revert", draft_version.history_id), follow=True)
    assert "Nothing was reverted" in response.content.decode()
    initiative.refresh_from_db()
    assert initiative.summary_fr == "Un résumé complet"
    assert initiative.is_published


def test_an_editor_cannot_revert_a_published_record(editor, client):
    initiative = make_initiative()
    version = initiative.history.order_by("history_date").last()
    client.force_login(editor)
    assert client.get(admin_url(initiative, "history")).status_code == 200
    assert client.post(admin_url(initiative, "revert", version.history_id)).status_code == 403
    assert client.get(admin_url(initiative, "revert", version.history_id)).status_code in (
        403,
        405,
    )


def test_revert_in_the_shell_keeps_the_rule_too():
    organization = make_organization(published=False, name_en="Old name", name_fr="")
    cite(organization, make_source())
    bare = organization.history.order_by("history_date").first()
    organization.name_fr = "Nom"
    organization.save()
    organization.publish()
    with pytest.raises(Exception):  # noqa: B017 - PublishingError or ValidationError
        revert(organization, bare, None)
    organization.refresh_from_db()
    assert organization.name_fr == "Nom"


def test_saving_over_someone_elses_save_warns_and_keeps_what_was_typed(
    publisher, django_user_model, staff_groups, client
):
    initiative = make_initiative(summary_en="As loaded")
    client.force_login(publisher)
    mine = form_of(client, initiative)

    other = Client()
    colleague = django_user_model.objects.create_user("colleague", password="pw", is_staff=True)
    colleague.groups.add(*publisher.groups.all())
    other.force_login(colleague)
    assert (
        save(other, initiative, form_of(other, initiative), summary_en="Theirs").status_code == 302
    )

    response = save(client, initiative, mine, summary_en="Mine, typed with care")
    assert response.status_code == 200
    text = response.content.decode()
    assert "colleague saved this record since you opened it" in text
    assert "Mine, typed with care" in text
    initiative.refresh_from_db()
    assert initiative.summary_en == "Theirs"

    # Having seen the warning, a second save (the form now carries the version it saw) wins.
    parser = FormValues()
    parser.feed(text)
    again = {k: v for k, v in parser.data.items() if k not in ("csrfmiddlewaretoken", "action")}
    assert save(client, initiative, again).status_code == 302
    initiative.refresh_from_db()
    assert initiative.summary_en == "Mine, typed with care"


def test_the_conflict_warning_is_in_the_curators_language(publisher, client):
    initiative = make_initiative()
    client.force_login(publisher)
    mine = form_of(client, initiative)
    Initiative.objects.get(pk=initiative.pk).save()  # someone, in the shell
    response = client.post(
        admin_url(initiative, "change"),
        {**mine, "summary_en": ["x"]},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "a enregistré cette fiche depuis que vous l’avez ouverte" in response.content.decode()


def test_organization_history_records_former_names(publisher, client):
    organization = make_organization()
    assert Organization.history.model  # tracked
    organization.former_names.model.history  # noqa: B018 - the child is tracked too


def test_a_long_text_shows_the_words_that_changed_and_no_untranslated_copy(publisher, client):
    words = "The dialogue met in Seoul with officials from both governments and many others"
    initiative = make_initiative(summary_en=words + " on 9 July.")
    client.force_login(publisher)
    data = form_of(client, initiative)
    assert save(client, initiative, data, summary_en=words + " on 10 July.").status_code == 302
    page = client.get(admin_url(initiative, "history"), HTTP_ACCEPT_LANGUAGE="en").text
    assert "<del>9</del>" in page and "<ins>10</ins>" in page
    # modeltranslation's untranslated column (a copy of summary_en) is not listed twice.
    assert re.search(r'<th scope="row">Summary</th>', page) is None
    assert re.search(r'<th scope="row">Summary \[en\]</th>', page)
    # A creation lists what it recorded behind a disclosure; a citation's own link to the
    # record whose history this is goes unsaid.
    assert "<details" in page and "fields recorded" in page
    assert "Object id" not in page and "Content type" not in page


def test_word_diff_keeps_context_and_cuts_long_unchanged_runs():
    from curation.history import _parts

    text = " ".join(f"w{n}" for n in range(60))
    before, after = _parts(text, text.replace("w30", "x30"))
    assert [part for changed, part in before if changed] == ["w30"]
    assert [part for changed, part in after if changed] == ["x30"]
    shown = "".join(part for _, part in after)
    assert shown.startswith("… w22 ") and shown.endswith(" w38 …")
    assert _parts("short", "other") == ([(True, "short")], [(True, "other")])
