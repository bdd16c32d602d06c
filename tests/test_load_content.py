"""The shipped content: complete, faithful to the seeds, idempotent, respectful of staff edits."""

import datetime
import re
import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from cooperation.management.commands.load_content import CONTENT_DIR, stable_id
from cooperation.models import (
    Agreement,
    CooperationArea,
    Initiative,
    Organization,
    Recommendation,
    Source,
    Status,
)

pytestmark = pytest.mark.django_db

RECORDS = [CooperationArea, Organization, Agreement, Initiative, Recommendation]
MINIMUMS = {
    CooperationArea: 10,
    Organization: 35,
    Agreement: 8,
    Initiative: 20,
    Recommendation: 10,
    Source: 5,
}


def seeds_dir() -> Path:
    """../shared/seeds beside this checkout, or beside the checkout it was cloned from (a CI
    run works in a fresh clone elsewhere)."""
    import subprocess

    beside = Path(settings.BASE_DIR).parent / "shared" / "seeds"
    if beside.exists():
        return beside
    origin = subprocess.run(
        ["git", "config", "--get", "remote.origin.url"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if origin and Path(origin).is_dir():
        return Path(origin).resolve().parent / "shared" / "seeds"
    return beside


SEEDS_DIR = seeds_dir()


def load(directory=CONTENT_DIR) -> str:
    out = StringIO()
    call_command("load_content", directory=str(directory), stdout=out)
    return out.getvalue()


def get(model, key):
    return model.objects.get(uuid=stable_id(model, key))


@pytest.mark.usefixtures("shipped_content")
@pytest.mark.parametrize("model", [*RECORDS, Source], ids=lambda m: m.__name__)
def test_everything_ships_published_complete_and_sourced(model):
    records = list(model.objects.all())
    assert len(records) >= MINIMUMS[model]
    for record in records:
        assert record.status == Status.PUBLISHED, record
        assert record.publication_problems() == [], record
        if model is not Source:
            assert record.citations.exists(), record


@pytest.mark.usefixtures("shipped_content")
def test_a_second_run_changes_nothing():
    before = {
        model: sorted(model.objects.values_list("pk", "modified", "content_hash"))
        for model in [*RECORDS, Source]
    }
    citations_before = sorted(
        (c.pk, c.location_en) for m in RECORDS for r in m.objects.all() for c in r.citations.all()
    )
    output = load()
    assert "0 created, 0 updated" in output.splitlines()[-1]
    for model, rows in before.items():
        assert sorted(model.objects.values_list("pk", "modified", "content_hash")) == rows
    citations_after = sorted(
        (c.pk, c.location_en) for m in RECORDS for r in m.objects.all() for c in r.citations.all()
    )
    assert citations_after == citations_before


@pytest.mark.usefixtures("shipped_content")
def test_staff_edits_are_never_overwritten_and_file_changes_are_applied(tmp_path):
    edited = get(Organization, "kogas")
    edited.summary_en = "Edited by a curator."
    edited.save()

    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    organizations = yaml.safe_load((content / "organizations.yaml").read_text(encoding="utf-8"))
    for entry in organizations:
        if entry["key"] in ("kogas", "naver"):
            entry["summary"] = {
                "en": "Changed in the data file.",
                "fr": "Modifié dans le fichier.",
            }
    (content / "organizations.yaml").write_text(yaml.safe_dump(organizations, allow_unicode=True))

    output = load(content)
    assert "kept staff edits" in output
    assert get(Organization, "kogas").summary_en == "Edited by a curator."
    assert get(Organization, "naver").summary_en == "Changed in the data file."
    assert get(Organization, "naver").status == Status.PUBLISHED


@pytest.mark.usefixtures("shipped_content")
def test_a_record_unpublished_by_staff_stays_unpublished():
    record = get(Initiative, "kadif")
    record.unpublish()
    load()
    assert get(Initiative, "kadif").status == Status.DRAFT


@pytest.mark.usefixtures("shipped_content")
def test_stable_ids_do_not_depend_on_the_database():
    assert str(get(Organization, "apf-canada").uuid) == str(stable_id(Organization, "apf-canada"))


def test_bad_content_is_refused_and_nothing_is_half_loaded(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    initiatives = yaml.safe_load((content / "initiatives.yaml").read_text(encoding="utf-8"))
    initiatives[-1]["summary"] = {"en": "English only"}
    (content / "initiatives.yaml").write_text(yaml.safe_dump(initiatives, allow_unicode=True))
    from django.core.management.base import CommandError

    # The same refusal whatever language is active, worded in that language.
    for language, reason in (("en", "Missing in French"), ("fr", "À compléter en français")):
        with translation.override(language), pytest.raises(CommandError, match=reason):
            load(content)
        assert not Source.objects.exists()


# -- Faithfulness: spot checks against the seed documents ------------------------------------


@pytest.mark.usefixtures("shipped_content")
def test_the_track_1_5_dialogue():
    dialogue = get(Initiative, "track-1-5-dialogue-ai")
    assert dialogue.start_date == datetime.date(2025, 7, 9)
    assert dialogue.start_date_precision == "day"
    assert "Seoul" in dialogue.location_en and "Séoul" in dialogue.location_fr
    assert "type 1.5" in dialogue.title_fr
    hosts = set(dialogue.participations.values_list("organization__short_name_en", flat=True))
    assert {"APF Canada", "STEPI"} <= hosts


@pytest.mark.usefixtures("shipped_content")
def test_figures_carry_over_with_their_currency():
    series_d = get(Initiative, "tenstorrent-series-d")
    assert (series_d.funding_amount, series_d.funding_currency) == (Decimal("693000000"), "USD")
    # C$40 billion is the LNG Canada project's total value, not funding of the initiative: it is
    # stated in the text, and the funding field stays empty.
    lng = get(Initiative, "lng-canada-kogas")
    assert (lng.funding_amount, lng.funding_currency) == (None, "")
    assert "C$40 billion" in lng.summary_en and "40 milliards" in lng.summary_fr
    kadif = get(Initiative, "kadif")
    assert (kadif.funding_amount, kadif.funding_currency) == (Decimal("30000000"), "USD")


@pytest.mark.usefixtures("shipped_content")
def test_dates_keep_the_precision_the_sources_give():
    fta = get(Agreement, "canada-korea-fta")
    assert (fta.date_signed, fta.date_signed_precision) == (datetime.date(2014, 1, 1), "year")
    sti = get(Agreement, "sti-cooperation-agreement")
    assert (sti.date_signed, sti.date_signed_precision) == (datetime.date(2016, 12, 1), "month")
    mou = get(Agreement, "critical-minerals-energy-mou")
    assert (mou.date_signed, mou.date_signed_precision) == (datetime.date(2023, 5, 1), "month")
    assert fta.date_in_force is None  # the texts do not give it


@pytest.mark.usefixtures("shipped_content")
def test_the_inferred_jcm_year_is_flagged_in_its_note():
    jcm = get(Initiative, "jcm-2-banff")
    assert (jcm.start_date.month, jcm.start_date.day) == (6, 18)
    assert "Banff" in jcm.location_en
    assert re.search(r"infer", jcm.note_en, re.I)
    assert re.search(r"dédui|infér", jcm.note_fr, re.I)


@pytest.mark.usefixtures("shipped_content")
def test_official_french_names_and_acronyms():
    apf = get(Organization, "apf-canada")
    assert apf.name_fr == "Fondation Asie Pacifique du Canada"
    assert (apf.short_name_en, apf.short_name_fr) == ("APF Canada", "FAP Canada")
    ised = get(Organization, "ised")
    assert (ised.short_name_en, ised.short_name_fr) == ("ISED", "ISDE")
    nrc = get(Organization, "nrc")
    assert (nrc.short_name_en, nrc.short_name_fr) == ("NRC", "CNRC")
    csp = get(Agreement, "comprehensive-strategic-partnership")
    assert "Partenariat stratégique global" in csp.title_fr
    assert get(Organization, "msit").name_ko == "과학기술정보통신부"
    assert get(Organization, "kogas").country == "KR"
    assert get(Organization, "g7").country == ""


@pytest.mark.usefixtures("shipped_content")
def test_every_seed_document_is_a_source_and_is_cited():
    references = set(Source.objects.exclude(reference="").values_list("reference", flat=True))
    # The others are primary sources read at their public address.
    assert not Source.objects.filter(reference="", url="").exists()
    expected = {p.name for p in SEEDS_DIR.glob("*.txt")} or {
        "000_141ac72bb1b9aa10.txt",
        "001_6474d6860c2d8ed7.txt",
        "002_f26a4aa6c6667374.txt",
        "003_5f2590308b3643ba.txt",
        "004_555a2e1822a4286e.txt",
    }
    assert references == expected
    for source in Source.objects.all():
        assert source.cited_by.exists(), source


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


# Official names the prose must be free to repeat, beyond the records' own names and titles.
OFFICIAL_NAMES = [
    "Korea-Canada Joint Committee Meeting on Science, Technology, and Innovation",
    "Korea-Canada Agreement on Science, Technology, and Innovation Cooperation",
    "National Research Council of Science and Technology (NST)",
    "Korea's Science and Technology Policy Institute (STEPI)",
    "Association of Southeast Asian Nations (ASEAN)",
    "AI for Development (AI4D) initiative",
    "2025 G7 Leaders' Statement on AI for Prosperity",
    "National AI Computing Center, the AI Framework Act",
    "Building a Sustainable Tomorrow: Connect, Innovate, Prosper",
    "premier dialogue de type 1.5 sur l'intelligence artificielle",
    "Ambassade du Canada en Corée du Sud",
]


def _without_names(words: list[str], names: list[tuple[str, ...]]) -> list[str]:
    """Replace every occurrence of a name by a marker, so no run spans a name."""
    out, i = [], 0
    while i < len(words):
        for name in names:
            if tuple(words[i : i + len(name)]) == name:
                out.append("§")
                i += len(name)
                break
        else:
            out.append(words[i])
            i += 1
    return out


def test_no_sentence_is_copied_from_the_seeds():
    """Own words: no run of 10 words from a seed appears in our prose (official names aside)."""
    if not SEEDS_DIR.exists():
        pytest.skip(f"the seed documents are not beside this checkout ({SEEDS_DIR})")
    entries = [
        entry
        for path in sorted(CONTENT_DIR.glob("*.yaml"))
        if path.name != "links.yaml"  # locators only: no prose to copy
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))
    ]
    names = {
        tuple(_words(str(text)))
        for entry in entries
        for field_name in ("name", "title", "short_title")
        for text in (entry.get(field_name) or {}).values()
    } | {tuple(_words(name)) for name in OFFICIAL_NAMES}
    names = sorted((n for n in names if len(n) >= 3), key=len, reverse=True)
    size = 10
    seed_runs = set()
    for path in SEEDS_DIR.glob("*.txt"):
        words = _without_names(_words(path.read_text(encoding="utf-8")), names)
        seed_runs.update(tuple(words[i : i + size]) for i in range(len(words) - size + 1))
    copied = []
    for entry in entries:
        texts = [
            str(text)
            for field_name, value in entry.items()
            if isinstance(value, dict) and field_name not in ("name", "title", "short_title")
            for text in value.values()
        ] + [
            str(text)
            for citation in entry.get("sources", [])
            for text in citation["supports"].values()
        ]
        for text in texts:
            words = _without_names(_words(text), names)
            copied.extend(
                f"{entry['key']}: {' '.join(words[i : i + size])}"
                for i in range(len(words) - size + 1)
                if tuple(words[i : i + size]) in seed_runs
            )
    assert copied == []
