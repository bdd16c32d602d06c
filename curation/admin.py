"""The review queue: what waits for a publisher, each with what it changes and a decision."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cooperation.admin import preview_links
from cooperation.models import PublishingError

from . import review
from .models import Revision


class StateFilter(admin.SimpleListFilter):
    """Waiting for review unless asked otherwise: the queue is what needs doing."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [*Revision.State.choices, ("all", _("All"))]

    def choices(self, changelist):
        value = self.value() or Revision.State.PENDING
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or Revision.State.PENDING
        return queryset if value == "all" else queryset.filter(state=value)


class MineFilter(admin.SimpleListFilter):
    title = _("author")
    parameter_name = "author"

    def lookups(self, request, model_admin):
        return [("me", _("Mine"))]

    def queryset(self, request, queryset):
        return queryset.filter(author=request.user) if self.value() == "me" else queryset


class RecordTypeFilter(admin.SimpleListFilter):
    """The record types that go through review (not every content type in the database)."""

    title = _("record type")
    parameter_name = "type"

    def lookups(self, request, model_admin):
        from django.contrib.contenttypes.models import ContentType

        from cooperation.models import (
            Agreement,
            CooperationArea,
            Initiative,
            Organization,
            Recommendation,
            Source,
        )

        models = (Initiative, Agreement, Organization, CooperationArea, Recommendation, Source)
        types = ContentType.objects.get_for_models(*models)
        return [(str(types[m].pk), m._meta.verbose_name_plural.capitalize()) for m in models]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(content_type_id=value) if value and value.isdigit() else queryset


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ("record_link", "kind", "author", "submitted", "what", "state")
    list_filter = (StateFilter, MineFilter, "kind", RecordTypeFilter)
    list_select_related = ("author", "content_type")
    list_display_links = ("what",)
    ordering = ("submitted", "pk")

    def has_add_permission(self, request):
        return False  # work is submitted from the record's own page

    def has_delete_permission(self, request, obj=None):
        return False  # the queue is also the record of who decided what

    @admin.display(description=_("record"))
    def record_link(self, obj) -> str:
        record = obj.record
        if record is None:
            return "—"
        opts = record._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
        return format_html(
            '<a href="{}">{}</a> <span class="quiet">({})</span>', url, record, opts.verbose_name
        )

    @admin.display(description=_("what"))
    def what(self, obj) -> str:
        if obj.kind == Revision.Kind.PUBLICATION:
            return gettext("Publish the draft")
        return ", ".join(review.changed_labels(obj.content_type.model_class(), obj.changes))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("record")

    def changelist_view(self, request, extra_context=None):
        context = {"title": gettext("Review queue"), "subtitle": None, **(extra_context or {})}
        return super().changelist_view(request, context)

    def get_urls(self):
        return [
            path(
                "<int:revision_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="curation_revision_decide",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The review page: what the work changes (now → proposed, both languages), what
        would stop it, and the decision."""
        revision = self.get_object(request, object_id)
        if revision is None or not self.has_view_permission(request, revision):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        record = revision.record
        if record is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        opts = record._meta
        pending = revision.state == Revision.State.PENDING
        if revision.kind == Revision.Kind.CHANGE:
            changes = review.described(record, revision.changes)
            problems = review.problems_of(record, revision.changes) if pending else []
        else:
            changes = []
            problems = record.publication_problems() if pending else []
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Review: %(record)s") % {"record": record},
            "subtitle": None,
            "opts": self.opts,
            "revision": revision,
            "record": record,
            "record_opts": opts,
            "record_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk]
            ),
            "previews": preview_links(record) if getattr(record, "url_name", "") else "",
            "change_previews": preview_links(record, revision)
            if getattr(record, "url_name", "")
            and pending
            and revision.kind == Revision.Kind.CHANGE
            else "",
            "changes": changes,
            "problems": problems,
            "changed_since": pending
            and revision.based_on is not None
            and record.modified is not None
            and record.modified > revision.based_on,
            "pending": pending,
            "may_decide": pending and review.may_publish(request.user, record),
            "may_withdraw": pending and revision.author_id == request.user.pk,
        }
        return TemplateResponse(request, "admin/curation/review.html", context)

    def decide_view(self, request, revision_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        revision = Revision.objects.filter(pk=revision_id).first()
        if revision is None or revision.state != Revision.State.PENDING or revision.record is None:
            self.message_user(
                request, gettext("This piece of work is no longer waiting."), messages.WARNING
            )
            return HttpResponseRedirect(reverse("admin:curation_revision_changelist"))
        here = reverse("admin:curation_revision_change", args=[revision.pk])
        record = revision.record
        comment = request.POST.get("comment", "").strip()[:5000]
        if "_withdraw" in request.POST:
            if revision.author_id != request.user.pk:
                raise PermissionDenied
            review.withdraw(revision, request.user)
            self.message_user(request, gettext("Withdrawn."), messages.SUCCESS)
            return HttpResponseRedirect(here)
        if not review.may_publish(request.user, record):
            raise PermissionDenied
        if "_send_back" in request.POST:
            if not comment:
                self.message_user(
                    request,
                    gettext("Say what needs doing: a comment is required to send work back."),
                    messages.ERROR,
                )
                return HttpResponseRedirect(here)
            review.send_back(revision, request.user, comment)
            self.message_user(
                request,
                gettext("Sent back to %(who)s.") % {"who": revision.author.get_username()},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:curation_revision_changelist"))
        if "_publish" in request.POST:
            try:
                review.publish(revision, request.user)
            except PublishingError as error:
                self.message_user(
                    request,
                    gettext("Nothing was published: %(reasons)s")
                    % {"reasons": " ".join(error.messages)},
                    messages.ERROR,
                )
                return HttpResponseRedirect(here)
            self.message_user(
                request,
                gettext("“%(record)s” is published.") % {"record": record},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:curation_revision_changelist"))
        return HttpResponseRedirect(here)
