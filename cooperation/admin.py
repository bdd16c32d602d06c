"""The staff back office.

English and French fields sit side by side (one row per field); list pages show status,
translation completeness and the number of citations; publishing happens through the publish
and unpublish actions, which only Publishers have and which obey the publishing rule record by
record.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.db.models.lookups import Contains
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import smart_split
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationGenericTabularInline,
    TranslationStackedInline,
    TranslationTabularInline,
)

from curation import review
from curation.history import Reason
from curation.models import Revision

from .models import (
    LANGUAGE_CODES,
    Agreement,
    AgreementLink,
    AgreementParty,
    Citation,
    CooperationArea,
    Initiative,
    InitiativeParticipant,
    Organization,
    OrganizationLink,
    OrganizationName,
    Pillar,
    PublishingError,
    Recommendation,
    Source,
    Status,
    missing_any,
    missing_in,
)
from .preview import url_for as preview_url_for
from .search import PortalUnaccent, SearchableText


def pair(name: str) -> tuple[str, ...]:
    """A translated field's English and French inputs, on one row."""
    return tuple(f"{name}_{code}" for code in LANGUAGE_CODES)


class CitationFormSet(BaseGenericInlineFormSet):
    """A published record's citations, as submitted, must keep it publishable: at least one,
    each with its texts in both languages, each of a published source."""

    def clean(self) -> None:
        super().clean()
        if self.instance.pk is None or not self.instance.is_published:
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE", False)
        ]
        if not kept:
            raise ValidationError(
                gettext("A published record must cite at least one source; unpublish it first.")
            )
        problems = self.instance.citation_problems(form.instance for form in kept)
        if problems:
            raise ValidationError(
                [gettext("This record is published, so its citations must stay complete.")]
                + problems
            )


class CitationInline(TranslationGenericTabularInline):
    model = Citation
    formset = CitationFormSet
    extra = 0
    fields = ("source", *pair("location"), *pair("supports"), "position")
    autocomplete_fields = ("source",)
    verbose_name = _("citation")
    verbose_name_plural = _("citations (sources this record rests on)")


class TranslationStatusFilter(admin.SimpleListFilter):
    title = _("translation")
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        return [
            ("complete", _("Complete in both languages")),
            ("missing_en", _("Missing English")),
            ("missing_fr", _("Missing French")),
            ("missing_any", _("Missing a language")),
        ]

    def queryset(self, request, queryset):
        """In SQL, so the list stays fast at any size: the same rule as the model's
        `missing_translations()` (a required text empty, or an optional one filled in the
        other language only; a text of spaces counts as empty)."""
        if self.value() is None:
            return queryset
        model = queryset.model
        missing = {code: missing_in(model, code) for code in LANGUAGE_CODES}
        if self.value() == "complete":
            # "Not among those missing a language": the short list is read from its partial
            # index (initiatives), instead of testing every text of every row.
            gaps = model._default_manager.filter(missing_any(model)).values("pk")
            return queryset.exclude(pk__in=gaps)
        if self.value() == "missing_any":
            return queryset.filter(missing_any(model))
        code = {"missing_en": "en", "missing_fr": "fr"}.get(self.value())
        return queryset.filter(missing[code]) if code else queryset


def changed_by(model, user) -> Exists:
    """Records `user` has saved at least once (their history says so)."""
    return Exists(model.history.filter(id=OuterRef("pk"), history_user=user))


class ChangedByMeFilter(admin.SimpleListFilter):
    """The signed-in curator's own records: those whose history holds a save of theirs."""

    title = _("changed by")
    parameter_name = "changed_by"

    def __init__(self, request, params, model, model_admin):
        self.user = request.user
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [("me", _("Me"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(changed_by(queryset.model, self.user))
        return queryset


class NeedsCheckFilter(admin.SimpleListFilter):
    """Records a curator has never read against their sources ("Last checked" empty)."""

    title = _("checked against its sources")
    parameter_name = "checked"

    def lookups(self, request, model_admin):
        return [("never", _("Never"))]

    def queryset(self, request, queryset):
        if self.value() == "never":
            return queryset.filter(checked__isnull=True)
        return queryset


#: The longest text a field takes (characters): a summary or description longer than this is
#: a mistaken paste, refused with a message on the field that keeps what was typed.
TEXT_LIMIT = 50_000

#: The fields an autocomplete searches: what a record is called.
NAME_FIELDS = {"name", "short", "title"}


def citation_count(model):
    """How many citations a record has, as a subquery: no join and no GROUP BY over the
    whole list."""
    from django.contrib.contenttypes.models import ContentType

    rows = (
        Citation.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk")
        )
        .order_by()
        .values("object_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


class ParticipantCountryFilter(admin.SimpleListFilter):
    """The countries of the organizations that take part in initiatives: only those in use
    (not the 250 of the list), and without the duplicate rows a join would give."""

    title = _("country of a participant")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        taking_part = InitiativeParticipant.objects.filter(organization=OuterRef("pk"))
        codes = (
            Organization.objects.filter(Exists(taking_part))
            .exclude(country="")
            .values_list("country", flat=True)
            .distinct()
        )
        from django_countries import countries

        return sorted(((code, countries.name(code)) for code in codes), key=lambda c: str(c[1]))

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        # The few organizations of that country first, then their initiatives by index.
        return queryset.filter(
            pk__in=InitiativeParticipant.objects.filter(
                organization__in=Organization.objects.filter(country=self.value())
            ).values("initiative")
        )


def preview_links(record, change=None) -> str:
    """ "Preview (English) · Aperçu (français)": the back office's links to a record's preview,
    each in its own language (with `change`, a Revision, that change applied)."""
    opts = record._meta
    name = f"admin:{opts.app_label}_{opts.model_name}_preview"
    query = f"?change={change.pk}" if change is not None else ""
    links = [
        (reverse(name, args=[record.pk, code]) + query, code, label)
        for code, label in (("en", "Preview (English)"), ("fr", "Aperçu (français)"))
    ]
    return format_html_join(
        " · ", '<a href="{}" hreflang="{}" target="_blank" rel="noopener">{}</a>', links
    )


class KeysFirstPaginator(Paginator):
    """A list page in two steps: the page's keys (from the order's index, skipping the rows
    before it without computing their columns), then those rows in full. PostgreSQL computes
    every column of the rows an OFFSET skips, so page 500 of a plain LIMIT/OFFSET evaluates
    the citation count of 25,000 records it does not show."""

    def page(self, number):
        page = super().page(number)
        if isinstance(page.object_list, QuerySet):
            keys = list(page.object_list.values_list("pk", flat=True))
            rows = self.object_list.order_by().in_bulk(keys)
            page.object_list = [rows[key] for key in keys if key in rows]
        return page


class RecordForm(forms.ModelForm):
    """Every record's form: it remembers which version the curator opened, and refuses to
    overwrite a version someone else saved since (the curator's typing is kept, and a second
    save, having seen the warning, goes through)."""

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and self.instance.modified:
            self.fields["loaded_version"].initial = self.instance.modified.isoformat()

    def clean(self):
        data = super().clean()
        if self.instance.pk is None:
            return data
        model = type(self.instance)
        saved = model.objects.filter(pk=self.instance.pk).values_list("modified", flat=True)
        saved = saved.first()
        opened = (self.data.get(self.add_prefix("loaded_version")) or "").strip()
        if saved is not None and opened and opened != saved.isoformat():
            last = self.instance.history.order_by("-history_date").first()
            who = (last.history_user.get_username() if last and last.history_user else "") or (
                gettext("someone else")
            )
            # The next save, made knowingly, is measured against the version just seen.
            self.data = self.data.copy()
            self.data[self.add_prefix("loaded_version")] = saved.isoformat()
            raise ValidationError(
                gettext(
                    "%(who)s saved this record since you opened it. Nothing was saved: what you "
                    "typed is kept below. Compare it with the record's history, then save again "
                    "to keep your version."
                )
                % {"who": who}
            )
        return data


def _translated_checked(model) -> tuple[str, ...]:
    return (model.label_field, *model.translated_required, *model.translated_optional)


class PublishableAdmin(TranslationAdmin):
    """What every record's admin shares: status, completeness, citations, publishing."""

    form = RecordForm
    list_filter = ("status", TranslationStatusFilter)
    list_per_page = 50
    paginator = KeysFirstPaginator
    readonly_fields = (
        "status",
        "publication_check",
        "public_pages",
        "uuid",
        "created",
        "modified",
    )
    actions = ("publish_selected", "unpublish_selected", "submit_selected")
    inlines = [CitationInline]
    view_on_site = False  # replaced by one link per language (public_pages)
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        # A validator, not maxlength: a browser would cut a long paste without a word.
        models.TextField: {"validators": [MaxLengthValidator(TEXT_LIMIT)]},
    }

    class Media:
        css = {"all": ("admin/cooperation/side_by_side.css",)}

    publication_fieldset = (
        _("Publication"),
        {
            "fields": (
                "status",
                "checked",
                "publication_check",
                "public_pages",
                "uuid",
                "created",
                "modified",
                "loaded_version",
            )
        },
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_count=citation_count(self.model))

    def get_list_filter(self, request):
        return (*super().get_list_filter(request), NeedsCheckFilter, ChangedByMeFilter)

    def get_list_display(self, request):
        """The record's name or title as `listed_label`: a draft begun in either language
        shows its name in whichever language it has."""
        label = self.model.label_field
        return tuple("listed_label" if name == label else name for name in self.list_display)

    def get_list_display_links(self, request, list_display):
        return (
            ("listed_label",)
            if "listed_label" in list_display
            else super().get_list_display_links(request, list_display)
        )

    @admin.display(description=_("name or title"))
    def listed_label(self, obj) -> str:
        return str(obj)  # the active language's, else the other's

    #: Related texts a record is also found by, as (link model, its field to the record, its
    #: field to the related record, that record's fields): an initiative by the names of its
    #: participants, say. Read with IN, so no duplicates and no DISTINCT.
    search_related: tuple = ()

    def get_search_results(self, request, queryset, search_term):
        """Every word in one of `search_fields` (or a related text), case and accents aside:
        `energie` finds « Énergie », `coree` finds « Corée »."""
        words = [word.strip("\"'") for word in smart_split(search_term)]
        # An autocomplete looks for a record by its name, not by words in its summary.
        by_name = request.path.endswith("/autocomplete/")
        fields = (
            [f for f in self.get_search_fields(request) if f.split("_")[0] in NAME_FIELDS]
            if by_name
            else self.get_search_fields(request)
        )
        # Initiatives keep these texts, and their published participants' names, in columns of
        # their own, trigram-indexed (migrations 0009 and 0018).
        stored = getattr(self.model, "admin_search_columns", {}).get("names" if by_name else "all")
        for word in [w for w in words if w]:
            needle = PortalUnaccent(Lower(Value(word)))
            matched = Q(pk__in=[])
            for text in [F(column) for column in stored or ()] or [SearchableText(*fields)]:
                matched |= Q(Contains(text, needle))
            for related, owner, link, names in () if by_name else self.search_related:
                matched |= self._found_through(related, owner, link, names, needle, bool(stored))
            queryset = queryset.filter(matched)
        return queryset, False

    @staticmethod
    def _found_through(related, owner, link, names, needle, stored: bool) -> Q:
        """Records linked (through `related`) to a record whose names hold `needle`. When the
        published names are in a stored column already, only the unpublished ones are looked
        up here, as a short list of keys: an OR with a subquery would keep the database from
        combining the trigram indexes, and it would read the whole table."""
        target = related._meta.get_field(link).related_model
        found = target.objects.filter(Contains(SearchableText(*names), needle))
        links = related.objects.filter(**{f"{link}__in": found})
        if not stored:
            return Q(pk__in=links.values(owner))
        drafts = links.exclude(**{f"{link}__status": Status.PUBLISHED})
        return Q(pk__in=list(drafts.values_list(owner, flat=True)))

    @admin.display(description=_("translations"))
    def translations(self, obj) -> str:
        missing = obj.missing_translations()
        return format_html_join(
            " ",
            '<span class="{}">{} {}</span>',
            (
                (
                    "translation-missing" if missing[code] else "translation-complete",
                    code.upper(),
                    "✗" if missing[code] else "✓",
                )
                for code in LANGUAGE_CODES
            ),
        )

    @admin.display(description=_("sources"), ordering="citation_count")
    def sources(self, obj) -> int:
        return obj.citation_count

    @admin.display(description=_("publication check"))
    def publication_check(self, obj) -> str:
        if obj is None or obj.pk is None:
            return gettext("Save the record first.")
        problems = obj.publication_problems()
        if not problems:
            return gettext("Ready to publish: complete in both languages, with its sources.")
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((p,) for p in problems))
        )

    @admin.display(description=_("public pages"))
    def public_pages(self, obj) -> str:
        previews = self._preview_links(obj)
        if obj is None or not obj.is_published:
            return format_html(
                "{}{}", gettext("Not published: the record has no public page yet."), previews
            )
        links = [
            (obj.url_in(code), code, label)
            for code, label in (
                ("en", "View on site (English)"),
                ("fr", "Voir sur le site (français)"),
            )
            if obj.url_in(code)
        ]
        public = format_html_join(
            " · ", '<a href="{}" hreflang="{}" target="_blank" rel="noopener">{}</a>', links
        )
        return format_html("{}{}", public, previews)

    def _preview_links(self, obj) -> str:
        """Links to the record's page as saved, in each language (cooperation/preview.py),
        and, when a change is waiting for review, with that change applied."""
        if obj is None or obj.pk is None or not getattr(obj, "url_name", ""):
            return ""
        saved = format_html(
            '<p class="preview-links">{} <span class="help">{}</span></p>',
            preview_links(obj),
            gettext("The preview shows the record as saved: save your changes first."),
        )
        waiting = review.pending_for(obj)
        if waiting is None or waiting.kind != Revision.Kind.CHANGE:
            return saved
        return format_html(
            '{}<p class="preview-links">{} {}</p>',
            saved,
            gettext("With the change waiting for review:"),
            preview_links(obj, waiting),
        )

    def preview_view(self, request, object_id, language):
        """To the record's preview page in `language`, at a newly signed address; with
        `?change=<id>`, showing that change waiting for review applied."""
        record = self.get_object(request, object_id)
        if record is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, record):
            raise PermissionDenied
        if language not in LANGUAGE_CODES or not getattr(record, "url_name", ""):
            raise Http404
        change = None
        if request.GET.get("change", "").isdigit():
            change = Revision.objects.of(record).filter(pk=request.GET["change"]).first()
        return HttpResponseRedirect(preview_url_for(record, language, change))

    # -- Review (curation/review.py) -------------------------------------------------------

    change_form_template = "admin/cooperation/record_change_form.html"

    def get_object(self, request, object_id, from_field=None):
        """On an editor's change page of a published record with a change waiting for
        review, the form starts from that change (what is saved now is added to it)."""
        record = super().get_object(request, object_id, from_field)
        waiting = getattr(request, "curation_waiting", None)
        if record is not None and waiting is not None and waiting.object_id == record.pk:
            review._set(record, waiting.changes.get("fields", {}))
        return record

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = super().get_object(request, object_id)
        waiting = review.pending_for(record) if record is not None else None
        editing_change = (
            record is not None
            and waiting is not None
            and waiting.kind == Revision.Kind.CHANGE
            and review.held_for_review(request.user, record)
        )
        if editing_change:
            request.curation_waiting = waiting
            if request.method == "GET":
                self.message_user(
                    request,
                    gettext(
                        "A change by %(who)s, of %(date)s, is waiting for a publisher: the "
                        "form shows it. What you save now is added to it; the published "
                        "version stays online until a publisher approves."
                    )
                    % {
                        "who": waiting.author.get_username(),
                        "date": formats.date_format(
                            timezone.localtime(waiting.submitted), "DATETIME_FORMAT"
                        ),
                    },
                    messages.INFO,
                )
        if record is not None and request.method == "GET":
            sent_back = (
                Revision.objects.of(record)
                .filter(state=Revision.State.SENT_BACK, author=request.user)
                .order_by("-decided")
                .first()
            )
            if sent_back is not None and waiting is None:
                self.message_user(
                    request,
                    gettext("Sent back by %(who)s: “%(comment)s”")
                    % {
                        "who": sent_back.reviewer.get_username(),
                        "comment": sent_back.comment or gettext("no comment"),
                    },
                    messages.WARNING,
                )
        context = {"waiting": waiting, **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        may_publish = self.has_publish_permission(request)
        waiting = context.get("waiting")
        context.update(
            {
                "may_publish": may_publish,
                "is_draft": obj is None or not obj.is_published,
                "held": obj is not None and review.held_for_review(request.user, obj),
                "review_url": (
                    reverse("admin:curation_revision_change", args=[waiting.pk])
                    if waiting is not None
                    else ""
                ),
            }
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change) -> None:
        if change and review.held_for_review(request.user, obj):
            request.curation_held = True  # save_related keeps the change for review
            return
        super().save_model(request, obj, form, change)

    def construct_change_message(self, request, form, formsets, add=False):
        if getattr(request, "curation_held", False):
            return gettext("Change kept for a publisher's review.")  # nothing was written
        return super().construct_change_message(request, form, formsets, add)

    def response_change(self, request, obj):
        here = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        if getattr(request, "curation_held", False):
            revision = getattr(request, "curation_revision", None)
            if revision is None:
                self.message_user(request, gettext("Nothing changed."), messages.INFO)
            else:
                self.message_user(
                    request,
                    gettext(
                        "Your change is waiting for a publisher's review; the published "
                        "version stays online until then."
                    ),
                    messages.SUCCESS,
                )
                problems = getattr(request, "curation_problems", [])
                if problems:
                    self.message_user(
                        request,
                        gettext("A publisher cannot approve it as it is: %(reasons)s")
                        % {"reasons": " ".join(problems)},
                        messages.WARNING,
                    )
            return HttpResponseRedirect(here)
        if "_publish" in request.POST or "_submit_review" in request.POST:
            self._publish_or_submit(request, obj)
            return HttpResponseRedirect(here)
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if "_publish" in request.POST or "_submit_review" in request.POST:
            self._publish_or_submit(request, obj)
            return HttpResponseRedirect(
                reverse(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk]
                )
            )
        return super().response_add(request, obj, post_url_continue)

    def _publish_or_submit(self, request, obj) -> None:
        """The change page's own buttons: Publish (a publisher's) or Submit for review."""
        if "_publish" in request.POST:
            if not self.has_publish_permission(request):
                raise PermissionDenied
            waiting = review.pending_for(obj)
            try:
                if waiting is not None and waiting.kind == Revision.Kind.PUBLICATION:
                    review.publish(waiting, request.user)
                else:
                    obj._change_reason = Reason.PUBLISHED
                    obj.publish()
            except PublishingError as error:
                self.message_user(
                    request,
                    gettext("“%(record)s” was saved but not published: %(reasons)s")
                    % {"record": obj, "reasons": " ".join(error.messages)},
                    messages.ERROR,
                )
            else:
                self.log_change(request, obj, gettext("Published."))
                self.message_user(
                    request,
                    gettext("“%(record)s” is published.") % {"record": obj},
                    messages.SUCCESS,
                )
            return
        if obj.is_published:
            return
        review.submit(obj, request.user)
        self.message_user(
            request,
            gettext("“%(record)s” was saved and submitted for a publisher's review.")
            % {"record": obj},
            messages.SUCCESS,
        )
        problems = obj.publication_problems()
        if problems:
            self.message_user(
                request,
                gettext("A publisher cannot publish it as it is: %(reasons)s")
                % {"reasons": " ".join(problems)},
                messages.WARNING,
            )

    @admin.action(description=_("Submit the selected drafts for review"), permissions=["change"])
    def submit_selected(self, request, queryset):
        submitted = 0
        for record in queryset.exclude(status=Status.PUBLISHED):
            review.submit(record, request.user)
            submitted += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d draft submitted for review.",
                "%(count)d drafts submitted for review.",
                submitted,
            )
            % {"count": submitted},
            messages.SUCCESS,
        )

    def save_related(self, request, form, formsets, change) -> None:
        """After the inlines are saved, inside the save's transaction: the whole record must
        still satisfy the publishing rule, or nothing of this save is kept. An editor's
        change to a published record is kept for review instead (nothing is written)."""
        if getattr(request, "curation_held", False):
            changes = review.capture(form, formsets)
            if not review.is_empty(changes):
                record = type(form.instance)._default_manager.get(pk=form.instance.pk)
                request.curation_problems = review.problems_of(record, changes)
                request.curation_revision = review.keep_change(record, changes, request.user)
            return
        super().save_related(request, form, formsets, change)
        record = form.instance
        if record.is_published:
            problems = record.publication_problems()
            if problems:
                raise PublishingError(problems)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except PublishingError as error:
            # The transaction is rolled back: the record is as it was before this save.
            self.message_user(
                request,
                gettext("Nothing was saved: the record is published and would break the rule. ")
                + " ".join(error.messages),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())

    # -- History ---------------------------------------------------------------------------

    def get_urls(self):
        opts = self.opts
        return [
            path(
                "<path:object_id>/preview/<str:language>/",
                self.admin_site.admin_view(self.preview_view),
                name=f"{opts.app_label}_{opts.model_name}_preview",
            ),
            path(
                "<path:object_id>/history/<int:history_id>/revert/",
                self.admin_site.admin_view(self.revert_view),
                name=f"{opts.app_label}_{opts.model_name}_revert",
            ),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        """Every version of the record and of what hangs from it: who, when, which fields,
        old → new in both languages, with a way back to each version."""
        from curation.history import timeline

        record = self.get_object(request, object_id)
        if record is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, record):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("History of “%(record)s”") % {"record": record},
            "subtitle": None,
            "opts": self.opts,
            "object": record,
            "entries": timeline(record),
            "can_revert": self.can_revert(request, record),
            "revert_url": f"admin:{self.opts.app_label}_{self.opts.model_name}_revert",
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/curation/history.html", context)

    def can_revert(self, request, record) -> bool:
        """Reverting a published record publishes what it restores: a Publisher's call."""
        if not self.has_change_permission(request, record):
            return False
        return not record.is_published or self.has_publish_permission(request)

    def revert_view(self, request, object_id, history_id):
        from curation.history import revert

        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        record = self.get_object(request, object_id)
        if record is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.can_revert(request, record):
            raise PermissionDenied
        version = get_object_or_404(record.history.all(), history_id=history_id)
        try:
            revert(record, version, request.user)
        except (PublishingError, ValidationError) as error:
            self.message_user(
                request,
                gettext("Nothing was reverted: %(reasons)s")
                % {"reasons": " ".join(error.messages)},
                messages.ERROR,
            )
        else:
            when = version.history_date
            self.message_user(
                request,
                gettext("“%(record)s” is back as it was on %(date)s.")
                % {
                    "record": record,
                    "date": formats.date_format(timezone.localtime(when), "DATETIME_FORMAT"),
                },
                messages.SUCCESS,
            )
        return HttpResponseRedirect(
            reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_history",
                args=[record.pk],
            )
        )

    def has_publish_permission(self, request) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")

    @admin.action(description=_("Publish the selected records"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        published = 0
        for record in queryset:
            if record.is_published:
                continue
            try:
                record._change_reason = Reason.PUBLISHED
                record.publish()
            except PublishingError as error:
                self.message_user(
                    request,
                    gettext("“%(record)s” was not published: %(reasons)s")
                    % {"record": record, "reasons": " ".join(error.messages)},
                    messages.ERROR,
                )
            else:
                published += 1
                self.log_change(request, record, gettext("Published."))
        if published:
            self.message_user(
                request,
                ngettext("%(count)d record published.", "%(count)d records published.", published)
                % {"count": published},
                messages.SUCCESS,
            )

    @admin.action(description=_("Unpublish the selected records"), permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        unpublished = 0
        for record in queryset.filter(status=Status.PUBLISHED):
            problems = record.unpublication_problems()
            if problems:
                self.message_user(
                    request,
                    gettext("“%(record)s” was not unpublished: %(reasons)s")
                    % {"record": record, "reasons": " ".join(problems)},
                    messages.ERROR,
                )
                continue
            record._change_reason = Reason.UNPUBLISHED
            record.unpublish()
            unpublished += 1
            self.log_change(request, record, gettext("Unpublished."))
        if unpublished:
            self.message_user(
                request,
                ngettext(
                    "%(count)d record unpublished.", "%(count)d records unpublished.", unpublished
                )
                % {"count": unpublished},
                messages.SUCCESS,
            )


@admin.register(Source)
class SourceAdmin(PublishableAdmin):
    list_display = ("title", "publisher", "kind", "language", "date", "status", "translations")
    list_filter = ("status", TranslationStatusFilter, "kind", "language")
    search_fields = ("title_en", "title_fr", "publisher_en", "publisher_fr", "reference")
    inlines = []
    fieldsets = (
        (None, {"fields": (pair("title"), pair("publisher"), pair("summary"), pair("note"))}),
        (
            _("Document"),
            {"fields": ("kind", "language", ("date", "date_precision"), "url", "reference")},
        ),
        PublishableAdmin.publication_fieldset,
    )

    def get_queryset(self, request):
        return super(PublishableAdmin, self).get_queryset(request)


@admin.register(CooperationArea)
class CooperationAreaAdmin(PublishableAdmin):
    list_display = ("name", "position", "status", "translations", "sources")
    search_fields = ("name_en", "name_fr", "summary_en", "summary_fr")
    prepopulated_fields = {"slug_en": ("name_en",), "slug_fr": ("name_fr",)}
    fieldsets = (
        (
            None,
            {
                "fields": (
                    pair("name"),
                    pair("slug"),
                    pair("summary"),
                    pair("description"),
                    pair("note"),
                    "position",
                )
            },
        ),
        PublishableAdmin.publication_fieldset,
    )


class AgreementLinkInline(TranslationTabularInline):
    model = AgreementLink
    fk_name = "subject"
    extra = 0
    fields = ("kind", "object", ("date", "date_precision"), "source", *pair("location"))
    autocomplete_fields = ("object", "source")
    verbose_name_plural = _("links to other agreements (supersedes, renews, amends...)")


class PillarInline(TranslationStackedInline):
    model = Pillar
    fk_name = "plan"
    extra = 0
    fields = ("number", pair("title"), "agreements", "initiatives", "source", pair("location"))
    autocomplete_fields = ("agreements", "initiatives", "source")
    verbose_name_plural = _("pillars (for an action plan)")


class OrganizationLinkInline(TranslationTabularInline):
    model = OrganizationLink
    fk_name = "subject"
    extra = 0
    fields = ("kind", "object", ("date", "date_precision"), "source", *pair("location"))
    autocomplete_fields = ("object", "source")
    verbose_name_plural = _("parent bodies (part of, under the authority of)")


class OrganizationNameInline(TranslationStackedInline):
    model = OrganizationName
    extra = 0
    fields = (
        pair("name"),
        pair("short_name"),
        "name_ko",
        ("used_from", "used_from_precision"),
        ("used_until", "used_until_precision"),
        "source",
        pair("location"),
    )
    autocomplete_fields = ("source",)


@admin.register(Organization)
class OrganizationAdmin(PublishableAdmin):
    list_display = ("name", "short_name", "kind", "country", "status", "translations", "sources")
    list_filter = ("status", TranslationStatusFilter, "kind", "country")
    search_fields = (
        "name_en",
        "name_fr",
        "short_name_en",
        "short_name_fr",
        "name_ko",
        "summary_en",
        "summary_fr",
    )
    prepopulated_fields = {"slug_en": ("name_en",), "slug_fr": ("name_fr",)}
    fieldsets = (
        (
            None,
            {
                "fields": (
                    pair("name"),
                    pair("short_name"),
                    "name_ko",
                    pair("slug"),
                    "kind",
                    "country",
                    "website",
                    pair("summary"),
                    pair("description"),
                    pair("note"),
                )
            },
        ),
        PublishableAdmin.publication_fieldset,
    )
    inlines = [OrganizationNameInline, OrganizationLinkInline, CitationInline]


class RoleFormSet(BaseInlineFormSet):
    """An organization once per role. Django's formset catches the same organization twice
    in the form; a row saved since the form was opened (by someone else) is not in the form,
    and the unique constraint names the parent record, which the inline's forms leave out,
    so Django's own check skips it and the duplicate would reach the database: checked here."""

    def clean(self) -> None:
        super().clean()
        if not self.instance.pk:
            return
        wanted: dict[tuple, forms.Form] = {}
        shown = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data"):
                continue
            if form.instance.pk:
                shown.add(form.instance.pk)
            if self.can_delete and self._should_delete_form(form):
                continue
            organization, role = (
                form.cleaned_data.get("organization"),
                form.cleaned_data.get("role"),
            )
            if organization is not None and role:
                wanted.setdefault((organization.pk, role), form)
        saved = self.model._default_manager.filter(**{self.fk.name: self.instance})
        for row in saved.exclude(pk__in=shown).select_related("organization"):
            form = wanted.get((row.organization_id, row.role))
            if form is not None:
                form.add_error(
                    "organization",
                    gettext(
                        "%(organization)s is already listed in this role (%(role)s), "
                        "saved since this page was opened: reload the page to see it."
                    )
                    % {"organization": row.organization, "role": row.get_role_display()},
                )


class AgreementPartyInline(admin.TabularInline):
    model = AgreementParty
    formset = RoleFormSet
    extra = 0
    autocomplete_fields = ("organization",)


class InitiativeParticipantInline(admin.TabularInline):
    model = InitiativeParticipant
    formset = RoleFormSet
    extra = 0
    autocomplete_fields = ("organization",)


@admin.register(Agreement)
class AgreementAdmin(PublishableAdmin):
    @admin.display(description=_("date signed"), ordering="date_signed")
    def signed(self, obj) -> str:
        return obj.date_signed_display  # no more precise than the sources

    list_display = (
        "title",
        "kind",
        "agreement_status",
        "signed",
        "status",
        "translations",
        "sources",
    )
    list_filter = ("status", TranslationStatusFilter, "kind", "agreement_status", "areas")
    search_fields = (
        "title_en",
        "title_fr",
        "short_title_en",
        "short_title_fr",
        "summary_en",
        "summary_fr",
    )
    prepopulated_fields = {"slug_en": ("title_en",), "slug_fr": ("title_fr",)}
    filter_horizontal = ("areas",)
    inlines = [AgreementPartyInline, AgreementLinkInline, PillarInline, CitationInline]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    pair("title"),
                    pair("short_title"),
                    pair("slug"),
                    "kind",
                    "binding",
                    "agreement_status",
                    pair("summary"),
                    pair("description"),
                    pair("note"),
                    "areas",
                )
            },
        ),
        (
            _("Dates and place"),
            {
                "fields": (
                    ("date_signed", "date_signed_precision", "date_signed_inferred"),
                    pair("place_signed"),
                    ("date_in_force", "date_in_force_precision"),
                )
            },
        ),
        PublishableAdmin.publication_fieldset,
    )


@admin.register(Initiative)
class InitiativeAdmin(PublishableAdmin):
    @admin.display(description=_("start date"), ordering="start_date")
    def start(self, obj) -> str:
        return obj.start_date_display  # no more precise than the sources

    list_display = (
        "title",
        "kind",
        "initiative_status",
        "start",
        "status",
        "translations",
        "sources",
    )
    list_filter = (
        "status",
        TranslationStatusFilter,
        "kind",
        "initiative_status",
        "areas",
        ParticipantCountryFilter,
    )
    search_fields = Initiative.admin_search_fields
    # Newest first, as the public list; read from its index (models.py), drafts included.
    ordering = (F("start_date").desc(nulls_last=True), "-pk")
    search_related = (
        (
            InitiativeParticipant,
            "initiative",
            "organization",
            ("name_en", "name_fr", "short_name_en", "short_name_fr"),
        ),
    )
    prepopulated_fields = {"slug_en": ("title_en",), "slug_fr": ("title_fr",)}
    filter_horizontal = ("areas",)
    autocomplete_fields = ("agreement",)
    inlines = [InitiativeParticipantInline, CitationInline]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    pair("title"),
                    pair("slug"),
                    "kind",
                    "initiative_status",
                    "agreement",
                    pair("summary"),
                    pair("description"),
                    pair("note"),
                    "areas",
                )
            },
        ),
        (
            _("Dates, place and funding"),
            {
                "fields": (
                    ("start_date", "start_date_precision", "start_date_inferred"),
                    ("end_date", "end_date_precision"),
                    pair("location"),
                    ("funding_qualifier", "funding_amount", "funding_currency"),
                )
            },
        ),
        PublishableAdmin.publication_fieldset,
    )


@admin.register(Recommendation)
class RecommendationAdmin(PublishableAdmin):
    list_display = ("title", "audience", "position", "status", "translations", "sources")
    list_filter = ("status", TranslationStatusFilter, "audience", "areas")
    search_fields = (
        "title_en",
        "title_fr",
        "summary_en",
        "summary_fr",
        "rationale_en",
        "rationale_fr",
    )
    prepopulated_fields = {"slug_en": ("title_en",), "slug_fr": ("title_fr",)}
    filter_horizontal = ("areas",)
    autocomplete_fields = ("initiatives",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    pair("title"),
                    pair("slug"),
                    "audience",
                    pair("summary"),
                    pair("rationale"),
                    pair("horizon"),
                    pair("note"),
                    "proposed_in",
                    "position",
                    "areas",
                    "initiatives",
                )
            },
        ),
        PublishableAdmin.publication_fieldset,
    )
