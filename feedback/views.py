"""The visitors' forms: page feedback (every page) and suggested corrections (record pages).

Every answer here is personal (a form, a token, a visitor's own text), so none is ever cached
(`never_cache`: `Cache-Control: private, no-store`, which the page cache also respects). A
refused form keeps what the visitor typed and says why, in the page's language.
"""

from django.core import signing
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import guards
from .forms import CorrectionForm, FeedbackCommentForm, PageFeedbackForm
from .models import Answer, CorrectionSuggestion, PageFeedback
from .privacy import mask_personal_information
from .records import current_value, published_record

_COMMENT_SALT = "feedback.comment"
#: How long the "tell us more" page of a "No" stays open.
COMMENT_MAX_AGE = 60 * 60


def _see_other(url: str) -> HttpResponseRedirect:
    """After a post, on to a page to GET (303 See Other)."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _thanks(page: str, kind: str) -> HttpResponseRedirect:
    """Back to the page, which then says thank you (the form's section, or the page's top)."""
    anchor = "#page-feedback" if kind == "feedback" else "#main"
    return _see_other(f"{page}?thanks={kind}{anchor}")


def _refusal_message(refusal: guards.Refused) -> str:
    if refusal.reason == guards.Refused.RATE_LIMITED:
        minutes = max(1, round(refusal.retry_after / 60))
        return ngettext(
            "Many forms have been sent from your address in a short time. Please try again in "
            "%(minutes)s minute; what you typed is kept below.",
            "Many forms have been sent from your address in a short time. Please try again in "
            "%(minutes)s minutes; what you typed is kept below.",
            minutes,
        ) % {"minutes": minutes}
    if refusal.reason == guards.Refused.EXPIRED:
        return _("This form was opened more than a day ago. Please check it and send it again.")
    if refusal.reason == guards.Refused.TOO_FAST:
        return _("That was quicker than we expected from a person. Please send it again.")
    return _("This form could not be checked. Please send it again.")


def _status(refusal: guards.Refused) -> int:
    return 429 if refusal.reason == guards.Refused.RATE_LIMITED else 400


def _refused(request, template: str, context: dict, refusal: guards.Refused):
    response = render(
        request,
        template,
        {**context, "refusal": _refusal_message(refusal)},
        status=_status(refusal),
    )
    if refusal.retry_after:
        response["Retry-After"] = str(refusal.retry_after)
    return response


@csrf_exempt  # the buttons sit on cached public pages; guards.same_origin protects this view
@never_cache
@require_POST
def page_feedback(request):
    """ "Did you find what you were looking for?": store the answer, then back to the page
    (Yes) or on to an optional comment (No)."""
    if not guards.same_origin(request):
        return render(request, "feedback/cross_site.html", status=403)
    form = PageFeedbackForm(request.POST)
    if not form.is_valid():
        return render(request, "feedback/page_feedback_invalid.html", status=400)
    page = form.cleaned_data["page"]
    if guards.honeypot_filled(request.POST):
        return _thanks(page, "feedback")
    try:
        guards.check_timestamp(form.stamp_name, request.POST.get(guards.TIMESTAMP_FIELD))
        guards.check_rate(request, "feedback")
    except guards.Refused as refusal:
        return _refused(request, "feedback/page_feedback_confirm.html", {"form": form}, refusal)
    answer = form.cleaned_data["answer"]
    feedback = PageFeedback.objects.create(
        page=page, language=form.cleaned_data["language"], answer=answer
    )
    if answer == Answer.NO:
        token = signing.dumps(feedback.pk, salt=_COMMENT_SALT)
        with translation.override(form.cleaned_data["language"]):  # the page's language
            return _see_other(reverse("feedback:comment", kwargs={"token": token}))
    return _thanks(page, "feedback")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def feedback_comment(request, token: str):
    """After a "No": what was the visitor looking for? Optional; one comment per answer."""
    try:
        pk = signing.loads(token, salt=_COMMENT_SALT, max_age=COMMENT_MAX_AGE)
        feedback = PageFeedback.objects.get(pk=pk, comment="")
    except (signing.BadSignature, PageFeedback.DoesNotExist) as exc:
        raise Http404(_("This link has expired, or the comment was already sent.")) from exc
    context = {"feedback": feedback, "form": FeedbackCommentForm()}
    if request.method != "POST":
        return render(request, "feedback/comment.html", context)
    form = context["form"] = FeedbackCommentForm(request.POST)
    if guards.honeypot_filled(request.POST):
        return _thanks(feedback.page, "feedback")
    if not form.is_valid():
        return render(request, "feedback/comment.html", context, status=400)
    try:
        guards.check_timestamp(form.stamp_name, request.POST.get(guards.TIMESTAMP_FIELD))
    except guards.Refused as refusal:
        return _refused(request, "feedback/comment.html", context, refusal)
    comment = mask_personal_information(form.cleaned_data["comment"].strip())
    if comment:
        # Only an answer that has no comment yet takes one (a replayed link changes nothing).
        PageFeedback.objects.filter(pk=feedback.pk, comment="").update(comment=comment)
    return _thanks(feedback.page, "feedback")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def suggest_correction(request, record_type: str, uuid):
    """ "Suggest a correction" for one published record: into the moderation queue, never
    onto the record."""
    record = published_record(record_type, uuid)
    if record is None:
        raise Http404(_("No published record has this address."))
    model = type(record)
    page = record.get_absolute_url()
    if request.method != "POST":
        initial = {"field": request.GET.get("field", "")}
        form = CorrectionForm(model=model, initial=initial)
        return render(request, "feedback/correction.html", {"record": record, "form": form})
    form = CorrectionForm(request.POST, model=model)
    context = {"record": record, "form": form}
    if guards.honeypot_filled(request.POST):
        return _thanks(page, "correction")
    if not form.is_valid():
        return render(request, "feedback/correction.html", context, status=400)
    try:
        guards.check_timestamp(form.stamp_name, request.POST.get(guards.TIMESTAMP_FIELD))
        guards.check_rate(request, "correction")
    except guards.Refused as refusal:
        return _refused(request, "feedback/correction.html", context, refusal)
    data = form.cleaned_data
    language = request.LANGUAGE_CODE[:2]
    CorrectionSuggestion.objects.create(
        record=record,
        record_title=str(record)[:300],
        page=page,
        language=language,
        field=data["field"],
        value_seen=current_value(record, data["field"], language),
        suggestion=mask_personal_information(data["suggestion"].strip()),
        source_url=data["source_url"],
        name=data["name"].strip(),
        email=data["email"],
    )
    return _thanks(page, "correction")
