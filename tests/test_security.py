"""Production hardening: deploy checks, security headers, sign-in lockout, inert staff text,
the health check and structured logs."""

import json
import logging
import os
import subprocess
import sys
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from portal.settings import BASE_DIR
from tests.factories import cite, make_initiative

pytestmark = pytest.mark.django_db


def test_the_deploy_check_reports_nothing_without_debug():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SECRET_KEY="x7#kq!2v" * 8,
        DJANGO_ALLOWED_HOSTS="portal.example.ca",
        DATABASE_URL="postgres://portal@db.example.ca:5432/portal",  # never connected to
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# -- Headers ---------------------------------------------------------------------------------


def assert_security_headers(response):
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "path",
    [
        "/en/",
        "/fr/",
        "/en/initiatives/?q=energy",
        "/fr/initiatives/",
        "/en/no-such-page/",
        "/sitemap.xml",
        "/robots.txt",
        "/healthz",
        "/admin/login/",
    ],
)
def test_every_response_carries_the_security_headers(client, path):
    assert_security_headers(client.get(path))


def test_admin_pages_carry_the_security_headers(admin_client):
    initiative = make_initiative()
    for path in ("/admin/", f"/admin/cooperation/initiative/{initiative.pk}/change/"):
        response = admin_client.get(path)
        assert response.status_code == 200
        assert_security_headers(response)


def test_hsts_is_sent_over_https_only(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    assert "Strict-Transport-Security" not in client.get("/en/").headers
    hsts = client.get("/en/", secure=True).headers["Strict-Transport-Security"]
    assert hsts.startswith("max-age=31536000")
    assert "includeSubDomains" in hsts


# -- Sign-in lockout --------------------------------------------------------------------------


def sign_in(client, username, password, address="192.0.2.10", language="en"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE=language,
    )


def test_five_failures_lock_out_the_username_from_that_address(client, editor):
    for _ in range(4):
        assert sign_in(client, "editor", "wrong").status_code == 200  # the form again
    locked = sign_in(client, "editor", "wrong")
    assert locked.status_code == 429
    assert "Sign-in locked" in locked.text
    assert "15 minutes" in locked.text
    # Even the right password is refused during the cool-off.
    assert sign_in(client, "editor", "pw-editor-1").status_code == 429
    # The same person from another address, and another account, are not locked.
    assert sign_in(client, "editor", "pw-editor-1", address="198.51.100.7").status_code == 302


def test_the_lockout_message_is_in_the_users_language(client, editor):
    for _ in range(5):
        response = sign_in(client, "editor", "wrong", language="fr")
    assert response.status_code == 429
    assert "Connexion bloquée" in response.text
    assert "15 minutes" in response.text


def test_the_lockout_ends_after_the_cool_off(client, editor):
    for _ in range(5):
        sign_in(client, "editor", "wrong")
    assert sign_in(client, "editor", "pw-editor-1").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(minutes=16))
    assert sign_in(client, "editor", "pw-editor-1").status_code == 302


# -- Staff text is inert on public pages -----------------------------------------------------

PAYLOADS = [
    "<script>alert('xss-1')</script>",
    '"><img src=x onerror=alert("xss-2")>',
    "<svg onload=alert('xss-3')>",
    "javascript:alert('xss-4')",
    "</title><script>alert('xss-5')</script>",
    "{{ 7|add:7 }}{% now 'Y' %}",
]


def _text_fields(model):
    from django.db import models

    for field in model._meta.concrete_fields:
        if (
            isinstance(field, models.CharField | models.TextField)
            and field.editable
            and not field.choices
            and not field.name.startswith(("slug", "search_"))
            and field.name not in ("country", "language")
        ):
            yield field


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_every_text_field_are_shown_as_text(client, payload):
    from django.db.models import URLField

    from cooperation.models import (
        Agreement,
        CooperationArea,
        Initiative,
        InitiativeParticipant,
        Organization,
        Recommendation,
        Source,
    )
    from tests.factories import (
        make_agreement,
        make_area,
        make_organization,
        make_recommendation,
        make_source,
    )

    source = make_source()
    records = {
        Source: source,
        CooperationArea: make_area(source=source),
        Organization: make_organization(source=source),
        Agreement: make_agreement(source=source),
        Initiative: make_initiative(source=source),
        Recommendation: make_recommendation(source=source),
    }
    for model, record in records.items():
        for field in _text_fields(model):
            # An address holds the payload alone, so a javascript: link would show as one.
            value = payload if isinstance(field, URLField) else f"{field.name} {payload}"
            setattr(record, field.attname, value)
        record.save()
    assert records[Organization].website == payload
    initiative = records[Initiative]
    initiative.areas.add(records[CooperationArea])
    InitiativeParticipant.objects.create(initiative=initiative, organization=records[Organization])
    cite(initiative, source, supports_en=payload, supports_fr=payload, location_en=payload)
    pages = ["/en/", "/fr/", "/en/initiatives/?q=title", "/en/sources/", "/fr/sources/"]
    pages += [r.url_in(code) for r in records.values() for code in ("en", "fr")]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        text = response.text
        for marker in ("<script>alert", "<img src=x", "<svg onload", 'href="javascript:'):
            assert marker not in text, (page, marker)
        if payload.startswith("{{"):  # template syntax in data is never evaluated
            assert "{{ 7|add:7 }}" in text, page


# -- Health check and logs -------------------------------------------------------------------


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "local"}
    assert "no-store" in response.headers["Cache-Control"]


def test_healthz_fails_when_the_database_does_not(client):
    with mock.patch("portal.views.connection.cursor", side_effect=RuntimeError("db down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_errors_are_logged_as_json_lines():
    from portal.logging import JsonFormatter

    logger = logging.getLogger("django.request")
    try:
        raise ValueError("boom")
    except ValueError:
        record = logger.makeRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s",
            ("/en/",),
            sys.exc_info(),
            extra={"status_code": 500},
        )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "django.request"
    assert entry["message"] == "Internal Server Error: /en/"
    assert entry["status_code"] == 500
    assert "ValueError: boom" in entry["exception"]
