"""The portal's records: areas, organizations, agreements, initiatives, recommendations, sources.

Every public record is `Publishable`: it has a stable UUID, a draft/published status and a
list of citations of `Source` documents. Translated text lives in `<field>_en` / `<field>_fr`
columns added by django-modeltranslation (see translation.py). The public side reads records
only through `Model.objects.published()`.
"""

import datetime
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.functions import RandomUUID
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import CharField, Count, F, OuterRef, Q, Subquery, TextField, Value
from django.db.models.functions import Coalesce, Greatest, Lower
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from .search import (
    CONFIGS,
    PortalUnaccent,
    clean_query,
    parse_websearch,
    websearch_text,
)

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def active_language() -> str:
    """The two-letter code of the language the current request or override is in."""
    return translation.get_language()[:2]


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class DatePrecision(models.TextChoices):
    YEAR = "year", _("Year")
    MONTH = "month", _("Month")
    DAY = "day", _("Day")


def format_partial_date(value: datetime.date | None, precision: str) -> str:
    """A date no more precise than its source gives it: 2014; December 2016; 9 July 2025."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(value.year)
    if precision == DatePrecision.MONTH:
        return date_format(value, "YEAR_MONTH_FORMAT")
    return date_format(value, "DATE_FORMAT")


def quoted(name: str) -> str:
    """A name in quotation marks, as the language writes them: “name”, « name »."""
    return gettext("“%(name)s”") % {"name": name}


def inferred_date(shown: str, inferred: bool) -> str:
    """A displayed date, marked when part of it is inferred rather than stated."""
    if shown and inferred:
        return gettext("%(date)s (partly inferred, see the note)") % {"date": shown}
    return shown


class PublishingError(ValidationError):
    """Raised when a record that does not satisfy the publishing rule is saved as published."""


class PublishableQuerySet(models.QuerySet):
    def published(self):
        """The only way the public side reads records."""
        return self.filter(status=Status.PUBLISHED)

    def drafts(self):
        return self.filter(status=Status.DRAFT)

    def search(self, query: str, language: str):
        """Records matching `query` in either language, annotated with `rank`: the same
        matching and ranking as the initiative search (cooperation/search.py), over vectors
        built as the query runs from the model's `search_texts` (these tables stay small;
        initiatives keep theirs stored and indexed)."""
        from django.contrib.postgres.search import SearchVector

        def vector(code: str):
            parts = [
                SearchVector(
                    f"{name}_{code}" if name in translated else name,
                    weight=weight,
                    config=CONFIGS[code],
                )
                for weight, names in self.model.search_texts.items()
                for name in names
            ]
            total = parts[0]
            for part in parts[1:]:
                total = total + part
            return total

        translated = _translated_fields(self.model)
        queryset = self.annotate(search_en=vector("en"), search_fr=vector("fr"))
        return full_text_match(queryset, "search_en", "search_fr", query, language)

    def similar(self, query: str):
        """Typo tolerance: records whose name or title holds a word close to `query`."""
        from django.contrib.postgres.search import TrigramWordSimilarity
        from django.db.models.functions import Concat

        text = clean_query(query)
        if not any(ch.isalnum() for ch in text):
            return self.none().annotate(rank=Value(0.0, output_field=models.FloatField()))
        words = PortalUnaccent(Lower(Value(text)))
        label = self.model.label_field
        titles = PortalUnaccent(
            Lower(
                Concat(
                    Coalesce(f"{label}_en", Value("")),
                    Value(" "),
                    Coalesce(f"{label}_fr", Value("")),
                    output_field=TextField(),
                )
            )
        )
        return (
            self.annotate(search_label=titles)
            .filter(search_label__trigram_word_similar=words)
            .annotate(rank=TrigramWordSimilarity(words, "search_label"))
        )

    def alphabetical(self, language: str):
        """In the alphabetical order of `language`'s names, case and accents aside
        (« Institut canadien » before « Institut Vecteur », « École » among the E's), whatever
        the database's collation."""
        return self.order_by(PortalUnaccent(Lower(f"{self.model.label_field}_{language}")), "pk")

    def with_published_citations(self):
        """Prefetch the citations a public page shows (of published sources only)."""
        return self.prefetch_related(
            models.Prefetch(
                "citations",
                queryset=Citation.objects.filter(source__status=Status.PUBLISHED).select_related(
                    "source"
                ),
            )
        )


def _count_through(through, owner: str, target: str) -> Coalesce:
    """Count published `target` records linked to each row through an M2M `through` table."""
    rows = (
        through.objects.filter(**{owner: OuterRef("pk"), f"{target}__status": Status.PUBLISHED})
        .order_by()
        .values(owner)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


def full_text_match(queryset, vector_en: str, vector_fr: str, query: str, language: str):
    """`queryset` filtered to rows whose tsvector `vector_en` or `vector_fr` (fields or
    annotations) match `query`, annotated with `rank`: every required word in one language or
    the other, an excluded word left out in both, the page's language counting double."""
    from django.contrib.postgres.search import SearchQuery, SearchRank

    text = clean_query(query)
    if not any(ch.isalnum() for ch in text):
        return queryset.annotate(rank=Value(0.0, output_field=models.FloatField()))
    vectors = {"en": vector_en, "fr": vector_fr}

    def websearch(terms: list[str], code: str, joiner: str = " ") -> SearchQuery:
        return SearchQuery(
            websearch_text(terms, joiner), config=CONFIGS[code], search_type="websearch"
        )

    condition = Q(pk__in=[])
    positives = []
    for required, excluded in parse_websearch(text):
        positives.extend(required)
        group = Q(**{vector_en: websearch(required, "en")}) | Q(
            **{vector_fr: websearch(required, "fr")}
        )
        if excluded:
            group &= ~Q(**{vector_en: websearch(excluded, "en", " or ")})
            group &= ~Q(**{vector_fr: websearch(excluded, "fr", " or ")})
        condition |= group
    other = "fr" if language == "en" else "en"
    weights = [0.1, 0.2, 0.4, 1.0]  # D (names), C (description), B (summary), A (title)
    rank = SearchRank(
        F(vectors[language]), websearch(positives, language, " or "), weights=weights
    ) * 2 + SearchRank(F(vectors[other]), websearch(positives, other, " or "), weights=weights)
    return queryset.filter(condition).annotate(rank=rank)


class CooperationAreaQuerySet(PublishableQuerySet):
    def with_counts(self):
        """Annotate each area with its published initiatives, agreements and recommendations."""
        return self.annotate(
            initiative_count=_count_through(
                Initiative.areas.through, "cooperationarea", "initiative"
            ),
            agreement_count=_count_through(
                Agreement.areas.through, "cooperationarea", "agreement"
            ),
            recommendation_count=_count_through(
                Recommendation.areas.through, "cooperationarea", "recommendation"
            ),
        )


class InitiativeQuerySet(PublishableQuerySet):
    def search(self, query: str, language: str):
        """Initiatives matching `query` in either language, annotated with `rank` (higher first).

        See cooperation/search.py for what matching means.
        """
        return full_text_match(self, "search_vector_en", "search_vector_fr", query, language)

    def similar(self, query: str):
        """Typo tolerance: initiatives whose title or names contain a word close to `query`
        (pg_trgm word similarity, accents and case aside), annotated with `rank`."""
        from django.contrib.postgres.search import TrigramWordSimilarity

        text = clean_query(query)
        if not any(ch.isalnum() for ch in text):
            return self.none().annotate(rank=Value(0.0, output_field=models.FloatField()))
        words = PortalUnaccent(Lower(Value(text)))
        return self.filter(
            Q(search_title__trigram_word_similar=words)
            | Q(search_related__trigram_word_similar=words)
        ).annotate(
            rank=Greatest(
                TrigramWordSimilarity(words, "search_title"),
                TrigramWordSimilarity(words, "search_related") * 0.5,
            )
        )


class Publishable(models.Model):
    """Base for every record the public sees.

    The publishing rule: a record may be published only when every required translated field
    (`translated_required`) is filled in English and French, every optional translated field
    filled in one language is filled in the other (`translated_optional`, so a French page never
    shows English), and (unless it is a Source) it cites at least one published source with the
    citation's own texts in both languages. The rule is checked in `save()`, so no path — admin,
    shell, loader — can store a published record that breaks it.
    """

    uuid = models.UUIDField(
        _("stable identifier"), default=uuid.uuid4, unique=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    first_published = models.DateTimeField(_("first published"), null=True, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    modified = models.DateTimeField(_("date modified"), auto_now=True)
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_("Shown to the public: what was inferred, and how, when a source is silent."),
    )
    checked = models.DateField(
        _("last checked against its sources"),
        null=True,
        blank=True,
        help_text=_(
            "The day a curator last read the record against every source it cites. Shown to "
            "the public."
        ),
    )
    # Shipped content bookkeeping (see the load_content command): the hash of the data-file
    # entry last loaded, and the `modified` value it left. A record whose `modified` differs
    # has been edited by staff since and is never overwritten by the loader.
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    content_loaded_at = models.DateTimeField(null=True, editable=False)

    citations = GenericRelation("cooperation.Citation")

    objects = PublishableQuerySet.as_manager()

    translated_required: tuple[str, ...] = ("slug", "summary")
    translated_optional: tuple[str, ...] = ("description", "note")
    requires_citation = True
    #: The translated field that names the record (name or title).
    label_field = "name"

    class Meta:
        abstract = True

    def __str__(self) -> str:
        current = translation.get_language() or settings.LANGUAGE_CODE
        for code in [current[:2], *LANGUAGE_CODES]:
            value = getattr(self, f"{self.label_field}_{code}", None)
            if value:
                return value
        return gettext("(untitled)")

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    # -- Translation completeness -------------------------------------------------------------

    def _required_fields(self) -> tuple[str, ...]:
        return (self.label_field, *self.translated_required)

    def missing_translations(self) -> dict[str, list[str]]:
        """Field names left empty, per language, that the publishing rule needs."""
        missing: dict[str, list[str]] = {code: [] for code in LANGUAGE_CODES}
        for name in self._required_fields():
            for code in LANGUAGE_CODES:
                if not _filled(getattr(self, f"{name}_{code}")):
                    missing[code].append(name)
        for name in self.translated_optional:
            filled = {code: _filled(getattr(self, f"{name}_{code}")) for code in LANGUAGE_CODES}
            if any(filled.values()):
                for code, ok in filled.items():
                    if not ok:
                        missing[code].append(name)
        return missing

    def is_complete_in(self, language: str) -> bool:
        return not self.missing_translations()[language]

    # -- The publishing rule ------------------------------------------------------------------

    def publication_problems(self) -> list[str]:
        """What stops this record from being published, in the active language; [] if nothing."""
        problems = []
        for code, names in self.missing_translations().items():
            if names:
                problems.append(
                    gettext("Missing in %(language)s: %(fields)s.")
                    % {
                        "language": _language_name(code),
                        "fields": ", ".join(
                            str(self._meta.get_field(n).verbose_name) for n in names
                        ),
                    }
                )
        if self.requires_citation:
            problems.extend(self._citation_problems())
        return problems

    def _citation_problems(self) -> list[str]:
        if self.pk is None:
            return [gettext("Cites no source: add at least one citation.")]
        return self.citation_problems(self.citations.select_related("source"))

    @staticmethod
    def citation_problems(citations) -> list[str]:
        """What stops a record with these citations (saved or about to be) from being
        published; [] if nothing."""
        citations = list(citations)
        if not citations:
            return [gettext("Cites no source: add at least one citation.")]
        problems = []
        for citation in citations:
            for code in LANGUAGE_CODES:
                if not (
                    _filled(getattr(citation, f"location_{code}"))
                    and _filled(getattr(citation, f"supports_{code}"))
                ):
                    problems.append(
                        gettext(
                            "The citation of “%(source)s” lacks its %(language)s text "
                            "(where in the source, and what it supports)."
                        )
                        % {"source": citation.source, "language": _language_name(code)}
                    )
            if not citation.source.is_published:
                problems.append(
                    gettext("Cites a source that is not published: “%(source)s”.")
                    % {"source": citation.source}
                )
        return problems

    def clean(self) -> None:
        super().clean()
        if not any(_filled(getattr(self, f"{self.label_field}_{c}")) for c in LANGUAGE_CODES):
            raise ValidationError(
                {
                    f"{self.label_field}_{LANGUAGE_CODES[0]}": gettext(
                        "Give a %(field)s in at least one language."
                    )
                    % {"field": self._meta.get_field(self.label_field).verbose_name}
                }
            )
        self._clean_former_addresses()
        if self.is_published:
            problems = self.publication_problems()
            if problems:
                raise ValidationError(
                    [gettext("This record is published, so it must stay complete.")] + problems
                )

    def _clean_former_addresses(self) -> None:
        """A slug that was another record's address, and now redirects to it, is refused: the
        old links to that record would lead here instead. (A slug taken by a record's present
        address is refused by the per-language unique constraint.)"""
        if not hasattr(self, "slug_en"):
            return
        content_type = ContentType.objects.get_for_model(type(self))
        errors = {}
        for code in LANGUAGE_CODES:
            slug = getattr(self, f"slug_{code}", None)
            if not slug:
                continue
            former = (
                FormerSlug.objects.filter(content_type=content_type, language=code, slug=slug)
                .exclude(object_id=self.pk or 0)
                .first()
            )
            owner = former and type(self)._default_manager.filter(pk=former.object_id).first()
            if owner is not None:
                errors[f"slug_{code}"] = gettext(
                    "This is a former address of “%(record)s”: links to it lead to that "
                    "record. Choose another slug."
                ) % {"record": owner}
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        if self.is_published:
            problems = self.publication_problems()
            if problems:
                raise PublishingError(problems)
            if self.first_published is None:
                self.first_published = timezone.now()
        before = self._public_slugs_before()
        super().save(*args, **kwargs)
        for code, slug in before.items():
            if slug and slug != getattr(self, f"slug_{code}"):
                FormerSlug.keep(self, code, slug)

    def _public_slugs_before(self) -> dict[str, str]:
        """The slugs this record had in the database, if it has ever been public: once an
        address has been published it must keep working (FormerSlug)."""
        if self.pk is None or self.first_published is None or not hasattr(self, "slug_en"):
            return {}
        names = [f"slug_{code}" for code in LANGUAGE_CODES]
        row = type(self).objects.filter(pk=self.pk).values(*names).first() or {}
        return {name[-2:]: value for name, value in row.items()}

    def publish(self) -> None:
        """Publish, or raise PublishingError naming everything that is missing."""
        problems = self.publication_problems()
        if problems:
            raise PublishingError(problems)
        self.status = Status.PUBLISHED
        self.save()

    def unpublication_problems(self) -> list[str]:
        """What stops this record from being unpublished; [] if nothing."""
        return []

    def linked_problems(self, participations, agreement=None) -> list[str]:
        """A record whose public page would name a draft: each participant's organization,
        and the agreement it sits under, must be published (else the page says "None
        recorded" where the curator listed one)."""
        if self.pk is None:
            return []
        drafts = [
            str(p.organization)
            for p in participations.select_related("organization")
            if not p.organization.is_published
        ]
        problems = []
        if drafts:
            problems.append(
                gettext("Names organizations that are not published: %(names)s.")
                % {"names": ", ".join(quoted(name) for name in sorted(set(drafts)))}
            )
        if agreement is not None and not agreement.is_published:
            problems.append(
                gettext("Sits under an agreement that is not published: “%(agreement)s”.")
                % {"agreement": agreement}
            )
        return problems

    def unpublish(self) -> None:
        problems = self.unpublication_problems()
        if problems:
            raise PublishingError(problems)
        self.status = Status.DRAFT
        self.save()

    # -- Public addresses ---------------------------------------------------------------------

    url_name = ""

    def get_absolute_url(self) -> str:
        return self.url_in(translation.get_language() or settings.LANGUAGE_CODE)

    def url_in(self, language: str) -> str:
        """The public address of this record in `language` (per-language slug and path)."""
        slug = getattr(self, f"slug_{language[:2]}", None)
        with translation.override(language):
            if not slug:
                return ""
            return reverse(f"cooperation:{self.url_name}", kwargs={"slug": slug})


def _translated_fields(model) -> set[str]:
    from modeltranslation.translator import translator

    return set(translator.get_options_for_model(model).all_fields)


def _filled(value) -> bool:
    return bool(value and str(value).strip())


def _empty(name: str) -> Q:
    return Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__regex": r"^\s*$"})


def translation_gap(code: str, label: str, required, optional) -> Q:
    """Records lacking a text in language `code` that the publishing rule needs: the label or
    a required text empty, or an optional one filled in the other language only (a text of
    spaces counts as empty). The same rule as `missing_translations()`, in SQL."""
    other = next(c for c in LANGUAGE_CODES if c != code)
    condition = Q(pk__in=[])
    for name in (label, *required):
        condition |= _empty(f"{name}_{code}")
    for name in optional:
        condition |= _empty(f"{name}_{code}") & ~_empty(f"{name}_{other}")
    return condition


def untranslated(label: str, required, optional) -> Q:
    """Records missing a language: the condition of the admin's "missing a language" filter,
    and of the partial index that keeps it fast on initiatives."""
    condition = Q(pk__in=[])
    for code in LANGUAGE_CODES:
        condition |= translation_gap(code, label, required, optional)
    return condition


def missing_any(model) -> Q:
    """`model`'s records missing a language."""
    return untranslated(model.label_field, model.translated_required, model.translated_optional)


def missing_in(model, code: str) -> Q:
    """`model`'s records lacking a text in language `code` that the publishing rule needs."""
    return translation_gap(
        code, model.label_field, model.translated_required, model.translated_optional
    )


def _language_name(code: str) -> str:
    return {"en": gettext("English"), "fr": gettext("French")}[code]


def slug_constraints(model_name: str) -> list[models.UniqueConstraint]:
    """Slugs are unique per language (empty slugs are stored as NULL and do not collide)."""
    return [
        models.UniqueConstraint(fields=[f"slug_{code}"], name=f"{model_name}_unique_slug_{code}")
        for code in LANGUAGE_CODES
    ]


# ---------------------------------------------------------------------------------------------
# Sources and citations
# ---------------------------------------------------------------------------------------------


class SourceLanguage(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    KOREAN = "ko", _("Korean")


class SourceKind(models.TextChoices):
    """Who speaks in a source, so that a reader can weigh it."""

    GOVERNMENT = "government", _("Government")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute or think tank")
    PRESS = "press", _("News media")
    COMPANY = "company", _("Company or business association")
    REPUBLISHED = "republished", _("Republication (blog or aggregator)")


class Source(Publishable):
    """A document the records rest on."""

    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200)
    kind = models.CharField(
        _("kind of source"),
        max_length=20,
        choices=SourceKind.choices,
        blank=True,
        help_text=_("Who speaks in it: a government, a research institute, the press..."),
    )
    summary = models.TextField(_("summary"))
    language = models.CharField(
        _("language of the document"), max_length=2, choices=SourceLanguage.choices
    )
    date = models.DateField(_("date"), null=True, blank=True)
    date_precision = models.CharField(
        _("date precision"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    url = models.URLField(_("address (URL)"), max_length=500, blank=True)
    reference = models.CharField(
        _("reference"),
        max_length=200,
        blank=True,
        help_text=_("Where the portal's copy of the document is kept (file name or archive id)."),
    )

    translated_required = ("publisher", "summary")
    translated_optional = ("note",)
    requires_citation = False
    label_field = "title"
    search_texts = {"A": ("title",), "B": ("publisher", "summary")}

    class Meta:
        ordering = ["-date", "title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        permissions = [("publish_source", _("Can publish and unpublish sources"))]

    @property
    def date_display(self) -> str:
        return format_partial_date(self.date, self.date_precision)

    def url_in(self, language: str) -> str:
        with translation.override(language):
            return f"{reverse('cooperation:source_list')}#source-{self.pk}"

    def unpublication_problems(self) -> list[str]:
        citing = [
            model
            for model in (CooperationArea, Organization, Agreement, Initiative, Recommendation)
            if model.objects.published().filter(citations__source=self).exists()
        ]
        if Recommendation not in citing and self.recommendations_proposed.published().exists():
            citing.append(Recommendation)
        if not citing:
            return []
        return [
            gettext(
                "Published records still cite it (%(kinds)s); unpublish or re-source them first."
            )
            % {"kinds": ", ".join(str(m._meta.verbose_name_plural) for m in citing)}
        ]


class Citation(models.Model):
    """A record's reference to a source: where in the source, and what the source supports."""

    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="cited_by", verbose_name=_("source")
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    location = models.CharField(
        _("where in the source"), max_length=300, help_text=_("Section, page or paragraph.")
    )
    supports = models.TextField(_("what it supports"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.source} — {self.location}"


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------


class CooperationArea(Publishable):
    """A theme that groups agreements, initiatives and recommendations."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200)
    summary = models.TextField(_("summary"))
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = CooperationAreaQuerySet.as_manager()

    url_name = "area_detail"
    search_texts = {"A": ("name",), "B": ("summary",), "C": ("description",)}

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("co-operation area")
        verbose_name_plural = _("co-operation areas")
        permissions = [
            ("publish_cooperationarea", _("Can publish and unpublish co-operation areas"))
        ]
        constraints = slug_constraints("area")


class OrganizationKind(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    AGENCY = "agency", _("Agency")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    UNIVERSITY = "university", _("University")
    COMPANY = "company", _("Company")
    FOUNDATION = "foundation", _("Foundation or think tank")
    CONSORTIUM = "consortium", _("Industry consortium or innovation cluster")
    MULTILATERAL = "multilateral", _("Multilateral body")


class Organization(Publishable):
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(
        _("short name"), max_length=60, blank=True, help_text=_("Acronym or usual short form.")
    )
    name_ko = models.CharField(
        _("name in Korean"),
        max_length=200,
        blank=True,
        help_text=_("In Korean script; fill only where the official name is certain."),
    )
    slug = models.SlugField(_("slug"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    country = CountryField(_("country"), blank=True, help_text=_("Empty for multilateral bodies."))
    website = models.URLField(_("website"), max_length=300, blank=True)
    summary = models.TextField(_("summary"))
    description = models.TextField(_("description"), blank=True)

    translated_optional = ("short_name", "description", "note")
    url_name = "organization_detail"
    search_texts = {
        "A": ("name", "short_name", "name_ko"),
        "B": ("summary",),
        "C": ("description",),
    }

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        permissions = [("publish_organization", _("Can publish and unpublish organizations"))]
        constraints = slug_constraints("organization")

    def unpublication_problems(self) -> list[str]:
        """Published agreements and initiatives that name it would lose it without a word:
        say which, so they are changed first."""
        users = [
            *Agreement.objects.published().filter(participations__organization=self),
            *Initiative.objects.published()
            .filter(participations__organization=self)
            .defer(*SEARCH_COLUMNS),
        ]
        if not users:
            return []
        names = sorted({str(record) for record in users})
        shown = ", ".join(quoted(name) for name in names[:5])
        if len(names) > 5:
            shown += " " + gettext("and %(count)s more") % {"count": len(names) - 5}
        return [
            gettext(
                "Published records name it (%(records)s); remove it from them or unpublish "
                "them first."
            )
            % {"records": shown}
        ]

    def clean(self) -> None:
        """Refuse a second organization of the same name (case and accents aside) in the same
        country: namesakes in different countries stay possible, and are told apart by it."""
        super().clean()
        errors = {}
        for code in LANGUAGE_CODES:
            name = getattr(self, f"name_{code}", "") or ""
            if not name.strip():
                continue
            same = (
                Organization.objects.exclude(pk=self.pk)
                .filter(country=self.country)
                .annotate(folded=PortalUnaccent(Lower(f"name_{code}")))
                .filter(folded=PortalUnaccent(Lower(Value(name.strip()))))
                .first()
            )
            if same is not None:
                errors[f"name_{code}"] = gettext(
                    "“%(name)s” already exists in this country (%(uuid)s): edit that record "
                    "instead, or tell the two apart."
                ) % {"name": name.strip(), "uuid": same.uuid}
        if errors:
            raise ValidationError(errors)


class Role(models.TextChoices):
    PARTY = "party", _("Party")
    SIGNATORY = "signatory", _("Signatory")
    LEAD = "lead", _("Lead")
    PARTNER = "partner", _("Partner")
    FUNDER = "funder", _("Funder")
    INVESTOR = "investor", _("Investor")
    HOST = "host", _("Host")


class AgreementKind(models.TextChoices):
    TREATY = "treaty", _("Treaty")
    FREE_TRADE_AGREEMENT = "free_trade_agreement", _("Free trade agreement")
    PARTNERSHIP = "partnership", _("Partnership")
    ACTION_PLAN = "action_plan", _("Action plan")
    MOU = "mou", _("Memorandum of understanding")
    JOINT_STATEMENT = "joint_statement", _("Joint statement")
    RECURRING_COMMITTEE = "recurring_committee", _("Recurring committee")


class AgreementStatus(models.TextChoices):
    SIGNED = "signed", _("Signed or adopted")
    IN_FORCE = "in_force", _("In force")
    ENDED = "ended", _("Ended")


class Agreement(Publishable):
    """A signed or adopted instrument between the two countries or their institutions."""

    title = models.CharField(_("title"), max_length=300)
    short_title = models.CharField(_("short title"), max_length=60, blank=True)
    slug = models.SlugField(_("slug"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=AgreementKind.choices)
    binding = models.BooleanField(
        _("legally binding"), null=True, blank=True, help_text=_("Leave unknown if not stated.")
    )
    agreement_status = models.CharField(
        _("agreement status"),
        max_length=10,
        choices=AgreementStatus.choices,
        default=AgreementStatus.SIGNED,
    )
    date_signed = models.DateField(_("date signed"), null=True, blank=True)
    date_signed_precision = models.CharField(
        _("precision of the date signed"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    place_signed = models.CharField(_("place signed"), max_length=200, blank=True)
    date_signed_inferred = models.BooleanField(
        _("date signed partly inferred"),
        default=False,
        help_text=_(
            "Tick when part of the date signed is inferred rather than stated (the year, from "
            "context, say); the note says how. Every page then shows the date as inferred."
        ),
    )
    date_in_force = models.DateField(_("date in force"), null=True, blank=True)
    date_in_force_precision = models.CharField(
        _("precision of the date in force"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    summary = models.TextField(_("summary"))
    description = models.TextField(_("description"), blank=True)
    areas = models.ManyToManyField(
        CooperationArea,
        blank=True,
        related_name="agreements",
        verbose_name=_("co-operation areas"),
    )
    parties = models.ManyToManyField(
        Organization,
        through="AgreementParty",
        blank=True,
        related_name="agreements",
        verbose_name=_("parties"),
    )

    label_field = "title"
    translated_optional = ("short_title", "place_signed", "description", "note")
    url_name = "agreement_detail"
    search_texts = {
        "A": ("title", "short_title"),
        "B": ("summary",),
        "C": ("description", "place_signed"),
    }

    class Meta:
        ordering = [models.F("date_signed").desc(nulls_last=True), "title"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        permissions = [("publish_agreement", _("Can publish and unpublish agreements"))]
        constraints = slug_constraints("agreement")
        indexes = [
            models.Index(fields=["date_signed"]),
            # The feed's order (newest published first).
            models.Index(
                models.F("first_published").desc(),
                models.F("id").desc(),
                name="agreement_first_published",
                condition=Q(status="published"),
            ),
        ]

    def publication_problems(self) -> list[str]:
        return super().publication_problems() + self.linked_problems(self.participations.all())

    def unpublication_problems(self) -> list[str]:
        """Published initiatives under it would point at nothing: say which."""
        names = sorted(str(i) for i in self.initiatives.published().defer(*SEARCH_COLUMNS)[:6])
        if not names:
            return []
        shown = ", ".join(quoted(name) for name in names[:5])
        if len(names) > 5:
            shown += " " + gettext("and more")
        return [
            gettext(
                "Published initiatives sit under it (%(records)s); move or unpublish them first."
            )
            % {"records": shown}
        ]

    @property
    def date_signed_display(self) -> str:
        return inferred_date(
            format_partial_date(self.date_signed, self.date_signed_precision),
            self.date_signed_inferred,
        )

    @property
    def date_in_force_display(self) -> str:
        return format_partial_date(self.date_in_force, self.date_in_force_precision)


class AgreementParty(models.Model):
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("agreement"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="agreement_participations",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.PARTY)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("party to an agreement")
        verbose_name_plural = _("parties to agreements")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "organization", "role"], name="unique_agreement_party_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_role_display()})"


class InitiativeKind(models.TextChoices):
    DIALOGUE = "dialogue", _("Dialogue")
    RESEARCH_COLLABORATION = "research_collaboration", _("Research collaboration")
    INVESTMENT = "investment", _("Investment")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")
    PROGRAMME = "programme", _("Programme")
    COMPANY_PARTNERSHIP = "company_partnership", _("Company partnership")
    EVENT = "event", _("Event")


class InitiativeStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    NOT_STATED = "not_stated", _("Status not stated")


#: The kinds of initiative named by a masculine noun in French (« un dialogue », « un
#: programme »): their status reads « Dialogue terminé », not « Dialogue terminée ». The
#: statuses' own labels agree with « initiative », as the search filter shows them.
MASCULINE_KINDS = frozenset(
    {"dialogue", "investment", "programme", "company_partnership", "event"}
)
STATUS_OF_MASCULINE_KIND = {
    InitiativeStatus.PLANNED: pgettext_lazy("status of a masculine kind", "Planned"),
    InitiativeStatus.ACTIVE: pgettext_lazy("status of a masculine kind", "Active"),
    InitiativeStatus.COMPLETED: pgettext_lazy("status of a masculine kind", "Completed"),
    InitiativeStatus.NOT_STATED: pgettext_lazy("status of a masculine kind", "Status not stated"),
}


class FundingQualifier(models.TextChoices):
    """How the source gives an amount: exactly, or "nearly C$4 million", "over US$1 billion"."""

    EXACT = "", _("As stated")
    ABOUT = "about", _("About")
    NEARLY = "nearly", _("Nearly")
    OVER = "over", _("Over")
    UP_TO = "up_to", _("Up to")


#: How each qualifier reads before an amount, in the page's language.
QUALIFIER_WORDS = {
    FundingQualifier.ABOUT: pgettext_lazy("before an amount", "about %(amount)s"),
    FundingQualifier.NEARLY: pgettext_lazy("before an amount", "nearly %(amount)s"),
    FundingQualifier.OVER: pgettext_lazy("before an amount", "over %(amount)s"),
    FundingQualifier.UP_TO: pgettext_lazy("before an amount", "up to %(amount)s"),
}


class Currency(models.TextChoices):
    CAD = "CAD", _("Canadian dollars")
    USD = "USD", _("US dollars")
    KRW = "KRW", _("Korean won")


#: The initiative columns only search reads (never shown, so list pages defer them).
SEARCH_COLUMNS = (
    "search_title",
    "search_related",
    "search_admin",
    "search_vector_en",
    "search_vector_fr",
)


#: An initiative's optional translated texts (a module constant: an index in `Initiative.Meta`
#: is built from them too), and what the back office searches in.
INITIATIVE_OPTIONAL = ("location", "description", "note")
INITIATIVE_SEARCHED = (
    "title_en",
    "title_fr",
    "summary_en",
    "summary_fr",
    "description_en",
    "description_fr",
)


class Initiative(Publishable):
    """Something the two countries, or their institutions and companies, do together."""

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=InitiativeKind.choices)
    initiative_status = models.CharField(
        _("initiative status"),
        max_length=10,
        choices=InitiativeStatus.choices,
        default=InitiativeStatus.NOT_STATED,
        help_text=_("Leave “Status not stated” unless a source says where it stands."),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    start_date_inferred = models.BooleanField(
        _("start date partly inferred"),
        default=False,
        help_text=_(
            "Tick when the sources do not give the whole date (a year worked out from "
            "context, say); the note says how. Every page then shows the date as inferred."
        ),
    )
    start_date_precision = models.CharField(
        _("precision of the start date"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_date_precision = models.CharField(
        _("precision of the end date"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    funding_amount = models.DecimalField(
        _("funding amount"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    funding_currency = models.CharField(
        _("funding currency"), max_length=3, choices=Currency.choices, blank=True
    )
    funding_qualifier = models.CharField(
        _("funding qualifier"),
        max_length=10,
        choices=FundingQualifier.choices,
        blank=True,
        default=FundingQualifier.EXACT,
        help_text=_("As the source words it: “nearly C$4 million” is 4,000,000 with “Nearly”."),
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="initiatives",
        verbose_name=_("under agreement"),
    )
    summary = models.TextField(_("summary"))
    description = models.TextField(_("description"), blank=True)
    areas = models.ManyToManyField(
        CooperationArea,
        blank=True,
        related_name="initiatives",
        verbose_name=_("co-operation areas"),
    )
    participants = models.ManyToManyField(
        Organization,
        through="InitiativeParticipant",
        blank=True,
        related_name="initiatives",
        verbose_name=_("participants"),
    )
    # The search index, kept by the database's own triggers on every write (migration 0009,
    # cooperation/search.py): whatever Django writes here is replaced.
    search_title = models.TextField(default="", editable=False)
    # The six texts above in lower case without accents, one after another: what the
    # admin's search looks in (migration 0018).
    search_admin = models.TextField(default="", editable=False)
    search_related = models.TextField(default="", editable=False)
    search_vector_en = SearchVectorField(null=True, editable=False)
    search_vector_fr = SearchVectorField(null=True, editable=False)

    objects = InitiativeQuerySet.as_manager()

    label_field = "title"
    translated_optional = INITIATIVE_OPTIONAL
    #: What the admin's search looks in (cooperation/admin.py), and the columns the database
    #: keeps of those texts and of the titles (its autocomplete), trigram-indexed.
    admin_search_fields = INITIATIVE_SEARCHED
    admin_search_columns = {"all": ("search_admin", "search_related"), "names": ("search_title",)}
    url_name = "initiative_detail"

    class Meta:
        ordering = [models.F("start_date").desc(nulls_last=True), "title"]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        permissions = [("publish_initiative", _("Can publish and unpublish initiatives"))]
        constraints = slug_constraints("initiative") + [
            models.CheckConstraint(
                condition=Q(funding_amount__isnull=True) | ~Q(funding_currency=""),
                name="initiative_funding_has_currency",
                violation_error_message=_("Give the currency of the funding amount."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="initiative_ends_after_start",
                violation_error_message=_("The end date cannot come before the start date."),
            ),
        ]
        indexes = [
            models.Index(fields=["start_date"]),
            # The back office at any size (cooperation/admin.py): the list's order, drafts
            # included (initiative_newest below holds published ones only); its search, case
            # and accents aside, in every searched text (the titles' own index, for its
            # autocomplete, is initiative_search_title_trgm); its "missing a language" filter;
            # the desk's count of published records never checked against their sources.
            models.Index(
                models.F("start_date").desc(nulls_last=True),
                models.F("id").desc(),
                name="initiative_admin_order",
            ),
            GinIndex(
                fields=["search_admin"],
                opclasses=["gin_trgm_ops"],
                name="initiative_search_admin_trgm",
            ),
            models.Index(
                fields=["id"],
                condition=untranslated(
                    "title", Publishable.translated_required, INITIATIVE_OPTIONAL
                ),
                name="initiative_untranslated",
            ),
            models.Index(
                fields=["status"],
                condition=Q(checked__isnull=True),
                name="initiative_unchecked",
            ),
            # The newest-first order of the search page and lists.
            models.Index(
                models.F("start_date").desc(nulls_last=True),
                models.F("id").desc(),
                name="initiative_newest",
                condition=Q(status="published"),
            ),
            # Full-text search (the vectors) and typo tolerance (trigrams).
            GinIndex(fields=["search_vector_en"], name="initiative_search_en_gin"),
            GinIndex(fields=["search_vector_fr"], name="initiative_search_fr_gin"),
            GinIndex(
                fields=["search_title"],
                opclasses=["gin_trgm_ops"],
                name="initiative_search_title_trgm",
            ),
            GinIndex(
                fields=["search_related"],
                opclasses=["gin_trgm_ops"],
                name="initiative_search_related_trgm",
            ),
            # Filters and facet counts on kind and status read this index alone.
            models.Index(
                fields=["kind", "initiative_status"],
                include=["id", "start_date", "agreement"],
                name="initiative_facets",
                condition=Q(status="published"),
            ),
            # The feed's order (newest published first).
            models.Index(
                models.F("first_published").desc(),
                models.F("id").desc(),
                name="initiative_first_published",
                condition=Q(status="published"),
            ),
        ]

    def publication_problems(self) -> list[str]:
        agreement = self.agreement if self.agreement_id else None
        return super().publication_problems() + self.linked_problems(
            self.participations.all(), agreement
        )

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = gettext("The end comes before the start.")
        today = timezone.localdate()
        latest = max((d for d in (self.start_date, self.end_date) if d), default=None)
        if self.initiative_status == InitiativeStatus.COMPLETED and latest and latest > today:
            errors["initiative_status"] = gettext(
                "Completed, with a date still to come: check the status or the dates."
            )
        if self.funding_amount is not None and not self.funding_currency:
            errors["funding_currency"] = gettext("Give the currency of the amount.")
        if self.funding_qualifier and self.funding_amount is None:
            errors["funding_amount"] = gettext("A qualifier (nearly, over...) needs an amount.")
        if errors:
            raise ValidationError(errors)

    @property
    def start_date_display(self) -> str:
        return inferred_date(
            format_partial_date(self.start_date, self.start_date_precision),
            self.start_date_inferred,
        )

    @property
    def status_display(self) -> str:
        """The status, agreeing in French with the kind's noun (« Dialogue terminé »)."""
        if self.kind in MASCULINE_KINDS and self.initiative_status in STATUS_OF_MASCULINE_KIND:
            return str(STATUS_OF_MASCULINE_KIND[self.initiative_status])
        return self.get_initiative_status_display()

    @property
    def funding_display(self) -> str:
        """The amount as the source gives it: "nearly C$4 million", « près de 4 millions $ CA »."""
        from .templatetags.portal import money

        if self.funding_amount is None:
            return ""
        amount = money(self.funding_amount, self.funding_currency)
        words = QUALIFIER_WORDS.get(self.funding_qualifier)
        return str(words) % {"amount": amount} if words else amount

    @property
    def end_date_display(self) -> str:
        return format_partial_date(self.end_date, self.end_date_precision)


class InitiativeParticipant(models.Model):
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("initiative"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="initiative_participations",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.PARTNER)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("participant in an initiative")
        verbose_name_plural = _("participants in initiatives")
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "organization", "role"],
                name="unique_initiative_participant_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_role_display()})"


class Audience(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    INDUSTRY = "industry", _("Industry")
    ACADEMIA = "academia", _("Academia")


class Recommendation(Publishable):
    """A proposed action for policymakers, industry or academia, with its rationale."""

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=200)
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices)
    summary = models.TextField(_("summary"))
    rationale = models.TextField(_("rationale"))
    horizon = models.CharField(_("horizon"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    areas = models.ManyToManyField(
        CooperationArea,
        blank=True,
        related_name="recommendations",
        verbose_name=_("co-operation areas"),
    )
    initiatives = models.ManyToManyField(
        Initiative, blank=True, related_name="recommendations", verbose_name=_("initiatives")
    )
    proposed_in = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations_proposed",
        verbose_name=_("proposed in"),
        help_text=_(
            "Whose recommendation it is: the document that makes it (required to publish)."
        ),
    )

    label_field = "title"
    translated_required = ("slug", "summary", "rationale")
    translated_optional = ("horizon", "note")
    url_name = "recommendation_detail"
    search_texts = {"A": ("title",), "B": ("summary",), "C": ("rationale", "horizon")}

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        permissions = [("publish_recommendation", _("Can publish and unpublish recommendations"))]
        constraints = slug_constraints("recommendation")

    def publication_problems(self) -> list[str]:
        """The rule for every record, and: it says whose it is (a published source)."""
        problems = super().publication_problems()
        if self.proposed_in_id is None:
            problems.append(
                gettext("Say whose recommendation it is: the document it is proposed in.")
            )
        elif not self.proposed_in.is_published:
            problems.append(
                gettext("It is proposed in a source that is not published: “%(source)s”.")
                % {"source": self.proposed_in}
            )
        return problems


class FormerSlug(models.Model):
    """An address a published record had before its slug changed: its old page redirects to
    the new one, for good (links in the press, bookmarks, search engines)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    language = models.CharField(_("language"), max_length=2)
    slug = models.SlugField(_("slug"), max_length=200)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("former address")
        verbose_name_plural = _("former addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "language", "slug"], name="unique_former_slug"
            )
        ]

    def __str__(self) -> str:
        return f"{self.language}: {self.slug}"

    @classmethod
    def keep(cls, record, language: str, slug: str) -> None:
        cls.objects.update_or_create(
            content_type=ContentType.objects.get_for_model(record),
            language=language,
            slug=slug,
            defaults={"object_id": record.pk},
        )

    @classmethod
    def current(cls, model, language: str, slug: str):
        """The published record of `model` that had `slug` in `language`, or None."""
        former = cls.objects.filter(
            content_type=ContentType.objects.get_for_model(model), language=language, slug=slug
        ).first()
        if former is None:
            return None
        return model.objects.published().filter(pk=former.object_id).first()


# ---------------------------------------------------------------------------------------------
# Links between records: typed, dated where the source dates them, and each citing its source
# ---------------------------------------------------------------------------------------------


class LinkQuerySet(models.QuerySet):
    def shown(self):
        """The links the public sees: both ends and the cited source are published."""
        return self.filter(
            subject__status=Status.PUBLISHED,
            object__status=Status.PUBLISHED,
            source__status=Status.PUBLISHED,
        )

    def read_from(self, record) -> list[dict]:
        """The shown links touching `record`, as its page reads them: each with its `label`
        ("Implements", or "Implemented by" from the other side), the `record` at the other
        end and the `link` itself (one query)."""
        links = (
            self.shown()
            .filter(Q(subject=record) | Q(object=record))
            .select_related("subject", "object", "source")
        )
        return [
            {"label": link.label_from(record), "record": link.other_end(record), "link": link}
            for link in links
        ]


class CitedFact(models.Model):
    """A fact that rests on one place in one source (a link, a former name, a pillar)."""

    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("source"),
        help_text=_("The document that states it."),
    )
    location = models.CharField(
        _("where in the source"), max_length=300, help_text=_("Section, page or paragraph.")
    )

    #: Translated fields that must be filled in both languages, with the message for each.
    bilingual_fields = {"location": _("Say where in the source, in %(language)s.")}

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        errors = {
            f"{name}_{code}": str(message) % {"language": _language_name(code)}
            for name, message in self.bilingual_fields.items()
            for code in LANGUAGE_CODES
            if not _filled(getattr(self, f"{name}_{code}", ""))
        }
        if errors:
            raise ValidationError(errors)


class RecordLink(CitedFact):
    """A typed link from one record (`subject`) to another of the same type (`object`)."""

    date = models.DateField(_("date"), null=True, blank=True)
    date_precision = models.CharField(
        _("date precision"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )

    objects = LinkQuerySet.as_manager()

    #: kind -> (code, label) of what the link says read from its object's side
    #: ("implemented_by", "Implemented by").
    inverses: dict = {}

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.subject_id is not None and self.subject_id == self.object_id:
            raise ValidationError(gettext("A record cannot be linked to itself."))

    @property
    def date_display(self) -> str:
        return format_partial_date(self.date, self.date_precision)

    def label_from(self, record) -> str:
        """What the link says on `record`'s page: "Implements" on the subject's page,
        "Implemented by" on the object's."""
        if record.pk == self.subject_id:
            return self.get_kind_display()
        return str(self.inverses[self.kind][1])

    def other_end(self, record):
        return self.object if record.pk == self.subject_id else self.subject


class AgreementLinkKind(models.TextChoices):
    SUPERSEDES = "supersedes", _("Supersedes")
    RENEWS = "renews", _("Renews")
    AMENDS = "amends", _("Amends")
    IMPLEMENTS = "implements", _("Implements")
    MEETS_UNDER = "meets_under", _("Meets under")


class AgreementLink(RecordLink):
    """Supersedes, renews, amends, implements or meets under another agreement."""

    subject = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="links_out",
        verbose_name=_("agreement"),
    )
    kind = models.CharField(_("link"), max_length=20, choices=AgreementLinkKind.choices)
    object = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="links_in",
        verbose_name=_("other agreement"),
    )

    inverses = {
        AgreementLinkKind.SUPERSEDES: ("superseded_by", _("Superseded by")),
        AgreementLinkKind.RENEWS: ("renewed_by", _("Renewed by")),
        AgreementLinkKind.AMENDS: ("amended_by", _("Amended by")),
        AgreementLinkKind.IMPLEMENTS: ("implemented_by", _("Implemented by")),
        AgreementLinkKind.MEETS_UNDER: ("framework_for", _("Framework for")),
    }

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("link between agreements")
        verbose_name_plural = _("links between agreements")
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "kind", "object"], name="unique_agreement_link"
            ),
            models.CheckConstraint(
                condition=~Q(subject=F("object")), name="agreement_link_not_to_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} — {self.get_kind_display()} — {self.object}"


class OrganizationLinkKind(models.TextChoices):
    PART_OF = "part_of", _("Part of")
    UNDER = "under", _("Under the authority of")


class OrganizationLink(RecordLink):
    """An organization's parent body: part of it, or under its authority."""

    subject = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="links_out",
        verbose_name=_("organization"),
    )
    kind = models.CharField(_("link"), max_length=20, choices=OrganizationLinkKind.choices)
    object = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="links_in",
        verbose_name=_("parent body"),
    )

    inverses = {
        OrganizationLinkKind.PART_OF: ("includes", _("Includes")),
        OrganizationLinkKind.UNDER: ("has_under_it", _("Has under its authority")),
    }

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("parent body")
        verbose_name_plural = _("parent bodies")
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "kind", "object"], name="unique_organization_link"
            ),
            models.CheckConstraint(
                condition=~Q(subject=F("object")), name="organization_link_not_to_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} — {self.get_kind_display()} — {self.object}"


class OrganizationName(CitedFact):
    """A name an organization bore before its present one, with the dates it was in use."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="former_names",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    name_ko = models.CharField(_("name in Korean"), max_length=200, blank=True)
    used_from = models.DateField(_("in use from"), null=True, blank=True)
    used_from_precision = models.CharField(
        _("precision of the first date"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    used_until = models.DateField(_("in use until"), null=True, blank=True)
    used_until_precision = models.CharField(
        _("precision of the last date"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )

    class Meta:
        ordering = [models.F("used_until").desc(nulls_last=True), "pk"]
        verbose_name = _("former name")
        verbose_name_plural = _("former names")

    def __str__(self) -> str:
        return self.name

    bilingual_fields = {
        **CitedFact.bilingual_fields,
        "name": _("Give the name in %(language)s."),
    }

    def clean(self) -> None:
        super().clean()
        if self.used_from and self.used_until and self.used_until < self.used_from:
            raise ValidationError({"used_until": gettext("The last date comes before the first.")})

    @property
    def period_display(self) -> str:
        """When it was in use, as precisely as known: "until July 2017", « jusqu'au
        26 juillet 2017 », "from 2014 to 2017"."""
        start = format_partial_date(self.used_from, self.used_from_precision)
        end = format_partial_date(self.used_until, self.used_until_precision)
        by_day = self.used_until_precision == DatePrecision.DAY
        if start and end:
            return gettext("from %(start)s to %(end)s") % {"start": start, "end": end}
        if end:
            message = gettext("until %(day)s") if by_day else gettext("until %(end)s")
            return message % {"day": end, "end": end}
        if start:
            return gettext("from %(start)s") % {"start": start}
        return ""


class PillarQuerySet(models.QuerySet):
    def shown(self):
        return self.filter(plan__status=Status.PUBLISHED, source__status=Status.PUBLISHED)


class Pillar(CitedFact):
    """One pillar of an action plan, with the agreements and initiatives that carry it out."""

    plan = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="pillars",
        verbose_name=_("action plan"),
        limit_choices_to={"kind": AgreementKind.ACTION_PLAN},
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    agreements = models.ManyToManyField(
        Agreement,
        blank=True,
        related_name="pillars_carried",
        verbose_name=_("agreements under it"),
    )
    initiatives = models.ManyToManyField(
        "Initiative",
        blank=True,
        related_name="pillars",
        verbose_name=_("initiatives under it"),
    )

    objects = PillarQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("pillar of an action plan")
        verbose_name_plural = _("pillars of action plans")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="unique_pillar_number")
        ]

    def __str__(self) -> str:
        return gettext("Pillar %(number)s: %(title)s") % {
            "number": self.number,
            "title": self.title,
        }

    bilingual_fields = {
        **CitedFact.bilingual_fields,
        "title": _("Give the title in %(language)s."),
    }

    def clean(self) -> None:
        super().clean()
        if self.plan_id and self.plan.kind != AgreementKind.ACTION_PLAN:
            raise ValidationError({"plan": gettext("Only an action plan has pillars.")})


#: The record types the public sees, in the order the site lists them.
RECORD_MODELS = (CooperationArea, Initiative, Agreement, Organization, Recommendation, Source)


def published_counts() -> dict[str, int]:
    """How many published records of each type there are (keyed by model name), in one query."""
    parts = [
        model.objects.published()
        .order_by()
        .annotate(record_type=Value(model._meta.model_name, output_field=CharField()))
        .values("record_type")
        .annotate(n=Count("pk"))
        .values_list("record_type", "n")
        for model in RECORD_MODELS
    ]
    counts = dict.fromkeys((model._meta.model_name for model in RECORD_MODELS), 0)
    counts.update(dict(parts[0].union(*parts[1:], all=True)))
    return counts


def rebuild_search_index() -> int:
    """Recompute every initiative's search columns (the database's triggers keep them current;
    this is for bulk loads whose rows arrive in any order). Returns how many."""
    return Initiative.objects.update(search_related=F("search_related"))


class DataVersion(models.Model):
    """A counter the database itself raises on every write to a cooperation table.

    Triggers (see cooperation/caching.py and migration 0006) add one to `number` after any
    insert, update or delete, whatever made it: the admin, the loader, a bulk update, raw SQL.
    Cached answers are keyed on this number, so a change is seen by every worker on every host
    at its next request, and nothing cached before it is served again.
    """

    number = models.BigIntegerField(default=0)
    #: Made anew whenever the row is (re)created (a fresh database, a flush, a restore that
    #: copies the row back): with the database's and the table's identities, it keeps a
    #: number that starts again from 0 from ever naming what was cached before.
    epoch = models.UUIDField(db_default=RandomUUID(), editable=False)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return str(self.number)
