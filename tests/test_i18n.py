"""Translations: the catalogue is complete, compiled and current; URLs are translated."""

from io import StringIO
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

PO_FILE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_the_french_catalogue_has_no_empty_or_fuzzy_entry():
    catalogue = polib.pofile(str(PO_FILE))
    assert len(catalogue) > 100
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []


def test_every_french_string_comes_out_translated():
    """A stale or missing .mo fails here: every catalogue entry must be served as written."""
    catalogue = polib.pofile(str(PO_FILE))
    stale = []
    with translation.override("fr"):
        for entry in catalogue.translated_entries():
            if entry.msgid_plural and entry.msgctxt:
                served = translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
                expected = entry.msgstr_plural[0]
            elif entry.msgid_plural:
                served = translation.ngettext(entry.msgid, entry.msgid_plural, 1)
                expected = entry.msgstr_plural[0]
            elif entry.msgctxt:
                served = translation.pgettext(entry.msgctxt, entry.msgid)
                expected = entry.msgstr
            else:
                served = translation.gettext(entry.msgid)
                expected = entry.msgstr
            if served != expected:
                stale.append(entry.msgid)
    assert stale == []


def test_a_french_string_smoke_test():
    with translation.override("fr"):
        assert translation.gettext("Agreements") == "Ententes"
        assert translation.gettext("Co-operation areas") == "Domaines de coopération"


def test_public_paths_are_translated():
    with translation.override("en"):
        assert reverse("cooperation:agreement_list") == "/en/agreements/"
        assert reverse("cooperation:area_list") == "/en/areas/"
    with translation.override("fr"):
        assert reverse("cooperation:agreement_list") == "/fr/ententes/"
        assert reverse("cooperation:area_list") == "/fr/domaines/"
        assert reverse("cooperation:organization_list") == "/fr/organisations/"
        assert reverse("cooperation:recommendation_list") == "/fr/recommandations/"


@pytest.mark.django_db(databases="__all__")  # makemigrations checks every database's history
def test_migrations_are_in_step_with_the_models():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)


def test_record_type_names_are_translated():
    """Model names must not be shadowed by a plural catalogue entry with the same msgid."""
    from cooperation.models import RECORD_MODELS

    with translation.override("fr"):
        names = {str(model._meta.verbose_name) for model in RECORD_MODELS}
        plurals = {str(model._meta.verbose_name_plural) for model in RECORD_MODELS}
    assert names == {
        "domaine de coopération",
        "initiative",
        "entente",
        "organisation",
        "recommandation",
        "source",
    }
    assert "ententes" in plurals and "organisations" in plurals
