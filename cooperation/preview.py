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
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from . import caching

SALT = "cooperation.preview"


class Invalid(Exception):
    """A token that was not made by this site, or names no record."""


class Expired(Exception):
    """A genuine token, past its time."""


def token_for(record, change=None) -> str:
    """A signed token naming `record`, and the change waiting for review (a `Revision`) the
    page should show applied, if any."""
    issued = int(timezone.now().timestamp())
    data = {"r": record._meta.label_lower, "pk": record.pk, "t": issued}
    if change is not None:
        data["c"] = change.pk
    return signing.dumps(data, salt=SALT)


def url_for(record, language: str, change=None) -> str:
    with translation.override(language):
        return reverse("cooperation:preview", kwargs={"token": token_for(record, change)})


def open_token(token: str) -> tuple:
    """The record a token names (any status), when the token was issued, and the id of the
    change it shows (or None); else Invalid or Expired."""
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
        change = int(data["c"]) if "c" in data else None
    except (LookupError, KeyError, TypeError, ValueError, OverflowError) as exc:
        raise Invalid from exc
    if record is None or not getattr(record, "url_name", ""):
        raise Invalid
    return record, issued, change


@dataclass
class Preview:
    """What the page needs to say it is a preview (the `preview` template variable)."""

    record: object
    token: str
    issued: datetime.datetime
    #: The id of the change waiting for review the link was made for, if any.
    change_id: int | None = None
    #: That change, if it is still waiting; then whether the page shows it applied, or why
    #: it could not be (render() fills these in).
    change: object = None
    applied: bool = False
    change_problems: list = field(default_factory=list)

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
        if self.change is not None:
            return self.change_problems
        return [] if self.record.is_published else self.record.publication_problems()

    @property
    def change_gone(self) -> bool:
        """The link was made for a change that is no longer waiting (published, sent back or
        withdrawn since): the page shows the record as saved now."""
        return self.change_id is not None and self.change is None

    @property
    def admin_url(self) -> str:
        opts = self.record._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[self.record.pk])


class _RollBack(Exception):
    pass


def render(request, view):
    """The preview page: `view` (a record's public page) drawn with the change waiting for
    review applied, when the link names one still waiting. The change is written through
    the same `apply()` a publisher's approval runs, inside a transaction that is then rolled
    back, so the page is exactly what approving would publish and nothing is kept; nothing
    drawn from that data goes into the cache. A change that cannot be applied (it would
    break the publishing rule, or clashes with the record as it is now) is not shown: the page
    is the record as saved, and the banner says why."""
    from curation import review
    from curation.models import Revision

    from .models import PublishingError

    preview = request.preview
    if preview.change_id is not None:
        preview.change = (
            Revision.objects.pending()
            .of(preview.record)
            .filter(pk=preview.change_id, kind=Revision.Kind.CHANGE)
            .select_related("author")
            .first()
        )
    if preview.change is None:
        return view(request, slug="")
    record = type(preview.record)._default_manager.get(pk=preview.record.pk)
    try:
        with transaction.atomic():
            review.apply(record, preview.change.changes)
            preview.applied = True
            with caching.uncached():
                response = view(request, slug="")
            raise _RollBack
    except _RollBack:
        return response
    except PublishingError as error:
        preview.applied = False
        preview.change_problems = list(error.messages)
        return view(request, slug="")


def context(request) -> dict:
    """Template context processor: `preview` on a preview page, nothing elsewhere."""
    preview = getattr(request, "preview", None)
    return {"preview": preview} if preview is not None else {}
