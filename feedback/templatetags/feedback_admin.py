"""The back office's desk: what visitors have sent that a curator should look at."""

import datetime

from django import template
from django.utils import timezone

from ..admin import week_of
from ..models import CorrectionSuggestion, PageFeedback

register = template.Library()

#: How many of the newest suggestions the desk lists.
DESK_SUGGESTIONS = 5


@register.inclusion_tag("admin/feedback/desk.html", takes_context=True)
def feedback_desk(context):
    user = context["request"].user
    desk = {"suggestions": None, "week": None}
    if user.has_perm("feedback.view_correctionsuggestion"):
        waiting = CorrectionSuggestion.objects.waiting().select_related("content_type")
        desk["suggestions"] = list(waiting[:DESK_SUGGESTIONS])
        desk["waiting"] = waiting.count()
    if user.has_perm("feedback.view_pagefeedback"):
        monday, next_monday = week_of(timezone.localdate())
        start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time()))
        week = PageFeedback.objects.between(start, start + datetime.timedelta(days=7))
        pages = list(week.per_page()[:5])
        desk["week"] = {
            "monday": monday,
            "label": monday.strftime("%G-W%V"),
            "answers": week.count(),
            "no": week.filter(answer="no").count(),
            "pages": pages,
        }
    return desk
