"""Moderating what visitors send: the queue of suggested corrections, and page feedback with
its weekly summary (on screen and as CSV).

A suggestion never changes a record. Accepting one opens the record's own change form, where
a curator makes the change under the publishing rule like any other edit.
"""

import csv
import datetime

from django.contrib import admin, messages
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .models import CorrectionSuggestion, PageFeedback, SuggestionState
from .records import current_value


def spreadsheet_safe(text: str) -> str:
    """A visitor's text as a CSV cell no spreadsheet runs as a formula (OWASP, CSV injection)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def record_change_url(suggestion) -> str:
    model = suggestion.content_type.model_class()
    try:
        return reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_change",
            args=[suggestion.object_id],
        )
    except NoReverseMatch:
        return ""


@admin.register(CorrectionSuggestion)
class CorrectionSuggestionAdmin(admin.ModelAdmin):
    list_display = ("created", "record_link", "record_type", "field_name", "language", "state")
    list_filter = ("state", ("content_type", admin.RelatedOnlyFieldListFilter), "language")
    search_fields = ("record_title", "suggestion", "source_url")
    date_hierarchy = "created"
    list_select_related = ("content_type",)
    list_per_page = 50
    actions = ["mark_rejected", "mark_spam"]
    fieldsets = (
        (None, {"fields": ("record_link", "field_name", "comparison", "source_link")}),
        (_("Sent by"), {"fields": ("name", "email", "language", "page", "created")}),
        (_("Moderation"), {"fields": ("state", "curator_note", "moderated", "moderated_by")}),
    )
    readonly_fields = (
        "record_link",
        "field_name",
        "comparison",
        "source_link",
        "name",
        "email",
        "language",
        "page",
        "created",
        "moderated",
        "moderated_by",
    )
    change_form_template = "admin/feedback/correctionsuggestion/change_form.html"

    def has_add_permission(self, request) -> bool:
        return False  # suggestions come from visitors only

    @admin.display(description=_("record"), ordering="record_title")
    def record_link(self, suggestion):
        url = record_change_url(suggestion)
        if not url:
            return suggestion.record_title
        return format_html('<a href="{}">{}</a>', url, suggestion.record_title)

    @admin.display(description=_("record type"), ordering="content_type")
    def record_type(self, suggestion):
        return suggestion.content_type.model_class()._meta.verbose_name

    @admin.display(description=_("field"), ordering="field")
    def field_name(self, suggestion):
        return suggestion.field_label

    @admin.display(description=_("source address"))
    def source_link(self, suggestion):
        return format_html(
            '<a href="{0}" rel="noopener noreferrer nofollow">{0}</a>', suggestion.source_url
        )

    @admin.display(description=_("current value and suggestion"))
    def comparison(self, suggestion):
        record = suggestion.record
        now = {
            code: current_value(record, suggestion.field, code) if record else ""
            for code in ("en", "fr")
        }
        empty = gettext("(empty)")
        return format_html(
            '<table class="suggestion-comparison"><thead><tr><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
            '<tbody><tr><td lang="en">{}</td><td lang="fr">{}</td><td lang="{}">{}</td>'
            '<td lang="{}">{}</td></tr></tbody></table>',
            gettext("Now, in English"),
            gettext("Now, in French"),
            gettext("What the visitor saw"),
            gettext("Suggested"),
            now["en"] or empty,
            now["fr"] or empty,
            suggestion.language,
            suggestion.value_seen or empty,
            suggestion.language,
            suggestion.suggestion,
        )

    def response_change(self, request, suggestion):
        if "_accept" in request.POST:
            suggestion.moderate(SuggestionState.ACCEPTED, request.user)
            url = record_change_url(suggestion)
            messages.info(
                request,
                gettext(
                    "Suggestion accepted. Make the change below, with a citation of its "
                    "source (%(source)s), then save. Suggested for “%(field)s”: %(text)s"
                )
                % {
                    "source": suggestion.source_url,
                    "field": suggestion.field_label,
                    "text": suggestion.suggestion,
                },
            )
            return HttpResponseRedirect(url or request.path)
        return super().response_change(request, suggestion)

    def save_model(self, request, suggestion, form, change):
        if change and "state" in form.changed_data:
            suggestion.moderated = timezone.now()
            suggestion.moderated_by = request.user
        super().save_model(request, suggestion, form, change)

    def _mark(self, request, queryset, state, message):
        count = queryset.update(state=state, moderated=timezone.now(), moderated_by=request.user)
        self.message_user(request, message(count), messages.SUCCESS)

    @admin.action(description=_("Reject the selected suggestions"), permissions=["change"])
    def mark_rejected(self, request, queryset):
        self._mark(
            request,
            queryset,
            SuggestionState.REJECTED,
            lambda n: ngettext("%d suggestion rejected.", "%d suggestions rejected.", n) % n,
        )

    @admin.action(description=_("Mark the selected suggestions as spam"), permissions=["change"])
    def mark_spam(self, request, queryset):
        self._mark(
            request,
            queryset,
            SuggestionState.SPAM,
            lambda n: (
                ngettext("%d suggestion marked as spam.", "%d suggestions marked as spam.", n) % n
            ),
        )


def week_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The Monday that starts `day`'s week, and the next Monday."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=7)


def parse_week(value: str | None) -> datetime.date:
    """A week given as an ISO week ("2026-W49") or any day of it ("2026-12-03"); this week
    for anything else."""
    today = timezone.localdate()
    if value and len(value) <= 20:
        for parse in (
            lambda v: datetime.datetime.strptime(f"{v}-1", "%G-W%V-%u").date(),
            datetime.date.fromisoformat,
        ):
            try:
                monday = week_of(parse(value.strip()))[0]
            except (ValueError, OverflowError):
                continue
            if datetime.date(2000, 1, 1) <= monday <= datetime.date(9998, 12, 31):
                return monday
    return week_of(today)[0]


@admin.register(PageFeedback)
class PageFeedbackAdmin(admin.ModelAdmin):
    list_display = ("created", "page", "language", "answer", "comment")
    list_filter = ("answer", "language")
    search_fields = ("page", "comment")
    date_hierarchy = "created"
    list_per_page = 100
    readonly_fields = ("page", "language", "answer", "comment", "created")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # what a visitor said stays as they said it (view or delete only)

    def get_urls(self):
        summary = self.admin_site.admin_view(self.summary_view)
        return [
            path("summary/", summary, name="feedback_pagefeedback_summary"),
            *super().get_urls(),
        ]

    def summary_view(self, request):
        """The week's page feedback: per page, answers and the share of "No"; the comments."""
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        monday = parse_week(request.GET.get("week"))
        start, end = (
            timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
            for day in week_of(monday)
        )
        week = PageFeedback.objects.between(start, end)
        pages = list(week.per_page())
        comments = list(week.with_comments().order_by("page", "-created"))
        label = monday.strftime("%G-W%V")
        if request.GET.get("format") == "csv":
            return self._summary_csv(label, pages, comments)
        previous_week = (monday - datetime.timedelta(days=7)).strftime("%G-W%V")
        next_week = (monday + datetime.timedelta(days=7)).strftime("%G-W%V")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Page feedback, week of %(day)s") % {"day": monday.isoformat()},
            "week": label,
            "monday": monday,
            "sunday": monday + datetime.timedelta(days=6),
            "previous_week": previous_week,
            "next_week": next_week
            if monday + datetime.timedelta(days=7) <= timezone.localdate()
            else "",
            "pages": pages,
            "comments": comments,
            "answers": sum(row["answers"] for row in pages),
            "no": sum(row["no"] for row in pages),
        }
        return TemplateResponse(request, "admin/feedback/pagefeedback/summary.html", context)

    @staticmethod
    def _summary_csv(label, pages, comments) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="page-feedback-{label}.csv"'
        response.write("\ufeff")  # so that Excel, in English or French, reads it as UTF-8
        writer = csv.writer(response)
        writer.writerow(
            ["week", "page", "language", "answers", "yes", "no", "share_no", "comments"]
        )
        by_page: dict[str, list[str]] = {}
        for feedback in comments:
            by_page.setdefault(feedback.page, []).append(feedback.comment)
        for row in pages:
            writer.writerow(
                [
                    label,
                    spreadsheet_safe(row["page"]),
                    row["language"],
                    row["answers"],
                    row["yes"],
                    row["no"],
                    f"{row['share_no']:.3f}",
                    "\n".join(spreadsheet_safe(c) for c in by_page.get(row["page"], [])),
                ]
            )
        return response
