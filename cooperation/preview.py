"""Previews: a record's public page as it will look once published, for curators only.

The back office's "Preview" link (cooperation/admin.py) leads to a signed address under the
public site (`/en/preview/<token>/`, `/fr/apercu/<token>/`): the token names the record and
when it was issued, signed with the site's secret key, so it cannot be made up or altered,
and it expires after `settings.PREVIEW_MAX_AGE` seconds. The language comes from the address,
so the page's language switch leads to the same preview in the other language. The page is
shown only to a signed-in member of staff who may see the record; it says it is a preview,
is never cached (by the portal or anyone on the way) and never indexed.
"""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone, translation

SALT = "cooperation.preview"


class Invalid(Exception):
    """A token that was not made by this site, or names no record."""


class Expired(Exception):
    """A genuine token, past its time."""


def token_for(record) -> str:
    issued = int(timezone.now().timestamp())
    return signing.dumps({"r": record._meta.label_lower, "pk": record.pk, "t": issued}, salt=SALT)


def url_for(record, language: str) -> str:
    with translation.override(language):
        return reverse("cooperation:preview", kwargs={"token": token_for(record)})


def open_token(token: str) -> tuple:
    """The record a token names (any status) and when the token was issued; else Invalid or
    Expired."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.PREVIEW_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise Expired from exc
    except signing.BadSignature as exc:
        raise Invalid from exc
    try:
        model = apps.get_model(data["r"])
        record = model._default_manager.filter(pk=data["pk"]).first()
        issued = datetime.datetime.fromtimestamp(data["t"], tz=datetime.UTC)
    except (LookupError, KeyError, TypeError, ValueError, OverflowError) as exc:
        raise Invalid from exc
    if record is None or not getattr(record, "url_name", ""):
        raise Invalid
    return record, issued


@dataclass
class Preview:
    """What the page needs to say it is a preview (the `preview` template variable)."""

    record: object
    token: str
    issued: datetime.datetime

    def url_in(self, language: str) -> str:
        with translation.override(language):
            return reverse("cooperation:preview", kwargs={"token": self.token})

    @property
    def expires(self) -> datetime.datetime:
        return timezone.localtime(
            self.issued + datetime.timedelta(seconds=settings.PREVIEW_MAX_AGE)
        )

    @property
    def problems(self) -> list[str]:
        """Why it cannot be published yet, if it cannot (in the reader's language)."""
        return [] if self.record.is_published else self.record.publication_problems()

    @property
    def admin_url(self) -> str:
        opts = self.record._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[self.record.pk])


def context(request) -> dict:
    """Template context processor: `preview` on a preview page, nothing elsewhere."""
    preview = getattr(request, "preview", None)
    return {"preview": preview} if preview is not None else {}
