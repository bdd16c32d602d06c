"""The end of every public page: "Suggest a correction" on record pages, "Did you find what
you were looking for?", and the date modified. Nothing here depends on the visitor, so the
pages that carry it stay cacheable."""

from django import template
from django.urls import reverse

from .. import guards
from ..forms import PageFeedbackForm
from ..records import RECORD_TYPES

register = template.Library()

_TYPE_OF_MODEL = {label.split(".")[1].lower(): segment for segment, label in RECORD_TYPES.items()}


def correction_url(record) -> str:
    """The "Suggest a correction" address of a record, or "" for anything else."""
    segment = _TYPE_OF_MODEL.get(getattr(getattr(record, "_meta", None), "model_name", ""))
    if not segment or not getattr(record, "is_published", False):
        return ""
    return reverse("feedback:correction", kwargs={"record_type": segment, "uuid": record.uuid})


@register.inclusion_tag("feedback/page_end.html", takes_context=True)
def page_end(context):
    request = context["request"]
    record = context.get("object")
    return {
        "record": record if correction_url(record) else None,
        "correction_url": correction_url(record),
        "thanks": request.GET.get("thanks", ""),
        "page": request.path,
        "issued": guards.issue_timestamp(PageFeedbackForm.stamp_for(request.path)),
        "honeypot": guards.HONEYPOT_FIELD,
        "timestamp": guards.TIMESTAMP_FIELD,
    }
