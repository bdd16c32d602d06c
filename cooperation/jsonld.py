"""schema.org JSON-LD for a record page, said no further than the page says it.

Every value comes from the objects the detail view already put in the template context (the
record, its prefetched citations and participations, the related lists the page shows), so
the block costs no query, and every text in it is shown on the page in the same language.

The facts of the page itself (its language, when it was last modified, the sources it cites)
sit on an `ItemPage` whose `mainEntity` is the record: stated on the record, they would say
that an agreement was written in French or modified last week, or that an organization cites
documents (`citation` and `dateModified` exist only for creative works). The record's `@id`
is the page's address with `#record`, so it is not taken for the page; its `url` is the page.

What a page shows with a qualifier that schema.org cannot carry is left out: a start date
the page marks as partly inferred, an amount the source gives as "nearly" so much, an event
status ("completed" is not one of schema.org's). So is what schema.org has no property for
(the date an agreement came into force, whether it is binding).
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from .models import (
    Agreement,
    AgreementLinkKind,
    AgreementStatus,
    CooperationArea,
    DatePrecision,
    Initiative,
    InitiativeKind,
    Organization,
    OrganizationLinkKind,
    Recommendation,
)
from .templatetags.portal import is_web_address

ORGANIZATION_TYPES = {
    "government": "GovernmentOrganization",
    "agency": "GovernmentOrganization",
    "company": "Corporation",
    "university": "CollegeOrUniversity",
    "research_institute": "ResearchOrganization",
    # "Foundation or think tank": not every one is an NGO (some are set up by a government).
    "foundation": "Organization",
    # An industry consortium or innovation cluster (Scale AI): no closer schema.org type.
    "consortium": "Organization",
    "multilateral": "Organization",
}

#: The initiatives that happen at a time and place; the others are projects.
EVENT_KINDS = frozenset({InitiativeKind.EVENT, InitiativeKind.DIALOGUE})

#: Each role an organization holds, as the property of the record it is named under.
#: An event is organized by its hosts and attended by the others that take part in it.
EVENT_ROLES = {
    "host": "organizer",
    "lead": "attendee",
    "partner": "attendee",
    "party": "attendee",
    "signatory": "attendee",
    "funder": "funder",
    "investor": "funder",
}
PROJECT_ROLES = {
    "lead": "member",
    "partner": "member",
    "host": "member",
    "party": "member",
    "signatory": "member",
    "funder": "funder",
    "investor": "funder",
}
#: The parties and signatories made the agreement; hosts and leads answer for it.
AGREEMENT_ROLES = {
    "party": "legislationPassedBy",
    "signatory": "legislationPassedBy",
    "host": "legislationResponsible",
    "lead": "legislationResponsible",
    "partner": "contributor",
    "funder": "funder",
    "investor": "funder",
}


def legal_force(agreement) -> str:
    """schema.org's legal force, only where the page states it: "In force since <date>", or
    "Ended". A status "In force" without that date is the portal's nearest status for what a
    source describes (a standing committee, say), not a statement of legal force."""
    if agreement.agreement_status == AgreementStatus.ENDED:
        return "https://schema.org/NotInForce"
    if agreement.agreement_status == AgreementStatus.IN_FORCE and agreement.date_in_force:
        return "https://schema.org/InForce"
    return ""


def partial_date(value, precision: str) -> str:
    """An ISO 8601 date no more precise than stored: 2014, 2016-12, 2025-07-09."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def schema_type(record) -> str:
    """The schema.org type a record is described as."""
    if isinstance(record, Organization):
        return ORGANIZATION_TYPES.get(record.kind, "Organization")
    if isinstance(record, Initiative):
        return "Event" if record.kind in EVENT_KINDS else "Project"
    if isinstance(record, Agreement):
        return "Legislation"
    if isinstance(record, CooperationArea):
        return "DefinedTerm"
    if isinstance(record, Recommendation):
        return "CreativeWork"
    raise TypeError(f"No schema.org type for {type(record).__name__}")


def _compact(data: dict) -> dict:
    """`data` without the properties that have no value."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


class _Page:
    """The page being described: its request and language, for absolute addresses."""

    def __init__(self, request):
        self.request = request
        self.language = translation.get_language() or settings.LANGUAGE_CODE

    def address(self, path: str) -> str:
        return self.request.build_absolute_uri(path) if path else ""

    def reference(self, record) -> dict:
        """A record another record links to, as its page shows it: its name and address."""
        url = self.address(record.get_absolute_url())
        return {
            "@type": schema_type(record),
            "@id": f"{url}#record",
            "name": str(record),
            "url": url,
        }

    def references(self, records) -> list[dict]:
        return [self.reference(record) for record in records]

    def by_role(self, participations, properties: dict) -> dict[str, list[dict]]:
        """The organizations of `participations`, under the property each one's role maps to
        (each organization once per property)."""
        grouped: dict[str, list[dict]] = {}
        seen = set()
        for participation in participations:
            name = properties.get(participation.role)
            if name is None or (name, participation.organization_id) in seen:
                continue
            seen.add((name, participation.organization_id))
            grouped.setdefault(name, []).append(self.reference(participation.organization))
        return grouped

    def source(self, source) -> dict:
        return _compact(
            {
                "@type": "CreativeWork",
                "@id": self.address(source.get_absolute_url()),
                "name": source.title,
                "url": source.url if is_web_address(source.url) else "",
                "publisher": {"@type": "Organization", "name": source.publisher},
                "datePublished": partial_date(source.date, source.date_precision),
                "inLanguage": source.language,
            }
        )

    def record(self, record, same_as=(), **properties) -> dict:
        """The record, described on its page: `properties` are its type's own, `same_as` the
        addresses of the record elsewhere (the page in the other language is added)."""
        url = self.address(record.url_in(self.language))
        other_languages = [
            self.address(record.url_in(code))
            for code, _name in settings.LANGUAGES
            if code != self.language
        ]
        cited, sources = set(), []
        for citation in record.citations.all():
            if citation.source_id not in cited:
                cited.add(citation.source_id)
                sources.append(self.source(citation.source))
        page = _compact(
            {
                "@type": "ItemPage",
                "@id": url,
                "url": url,
                "inLanguage": self.language,
                # As the page's "Date modified" shows it (a day, in the site's time zone).
                "dateModified": timezone.localtime(record.modified).date().isoformat(),
                "citation": sources,
            }
        )
        return _compact(
            {
                "@context": "https://schema.org",
                "@type": schema_type(record),
                "@id": f"{url}#record",
                "url": url,
                "name": str(record),
                "description": record.summary,
                **properties,
                "sameAs": [address for address in [*same_as, *other_languages] if address],
                "mainEntityOfPage": page,
            }
        )


def _place(name: str) -> dict | None:
    return {"@type": "Place", "name": name} if name else None


def _agreement(page: _Page, context) -> dict:
    agreement = context["object"]
    return page.record(
        agreement,
        alternateName=agreement.short_title,
        legislationType=agreement.get_kind_display(),
        legislationDate=""
        if agreement.date_signed_inferred
        else partial_date(agreement.date_signed, agreement.date_signed_precision),
        legislationLegalForce=legal_force(agreement),
        locationCreated=_place(agreement.place_signed),
        **page.by_role(agreement.participations.all(), AGREEMENT_ROLES),
        about=page.references(context["areas"]),
        isBasedOn=_linked(page, context, agreement, BASED_ON_KINDS),
        legislationChanges=_linked(page, context, agreement, {AgreementLinkKind.AMENDS}),
    )


#: The links by which an agreement rests on another (schema.org's isBasedOn).
BASED_ON_KINDS = {
    AgreementLinkKind.IMPLEMENTS,
    AgreementLinkKind.MEETS_UNDER,
    AgreementLinkKind.RENEWS,
}


def _linked(page: _Page, context, record, kinds, outgoing: bool = True) -> list[dict]:
    """References to the records at the other end of `record`'s shown links of `kinds`, from
    its side (`outgoing`) or the other's: the same links its page lists."""
    return [
        page.reference(item["record"])
        for item in context.get("links", [])
        if item["link"].kind in kinds and (item["link"].subject_id == record.pk) == outgoing
    ]


def _initiative(page: _Page, context) -> dict:
    initiative = context["object"]
    participants = initiative.participations.all()
    if initiative.kind in EVENT_KINDS:
        return page.record(
            initiative,
            startDate=""
            if initiative.start_date_inferred
            else partial_date(initiative.start_date, initiative.start_date_precision),
            endDate=partial_date(initiative.end_date, initiative.end_date_precision),
            location=_place(initiative.location),
            **page.by_role(participants, EVENT_ROLES),
            about=page.references(context["areas"]),
        )
    return page.record(
        initiative,
        location=_place(initiative.location),
        **page.by_role(participants, PROJECT_ROLES),
        keywords=page.references(context["areas"]),
    )


def _organization(page: _Page, context) -> dict:
    organization = context["object"]
    korean = {"@value": organization.name_ko, "@language": "ko"} if organization.name_ko else None
    country = organization.country.code if organization.country else ""
    return page.record(
        organization,
        alternateName=[name for name in (organization.short_name, korean) if name]
        + [former.name for former in context.get("former_names", [])],
        address={"@type": "PostalAddress", "addressCountry": country} if country else None,
        same_as=[organization.website] if is_web_address(organization.website) else [],
        parentOrganization=_linked(page, context, organization, set(OrganizationLinkKind)),
        subOrganization=_linked(
            page, context, organization, set(OrganizationLinkKind), outgoing=False
        ),
    )


def _area(page: _Page, context) -> dict:
    area = context["object"]
    areas = page.address(reverse("cooperation:area_list"))
    return page.record(
        area,
        inDefinedTermSet={
            "@type": "DefinedTermSet",
            "@id": areas,
            "name": gettext("Co-operation areas"),
            "url": areas,
        },
    )


def _recommendation(page: _Page, context) -> dict:
    recommendation = context["object"]
    return page.record(
        recommendation,
        audience={"@type": "Audience", "audienceType": recommendation.get_audience_display()},
        about=page.references(context["areas"]),
    )


BUILDERS = {
    Agreement: _agreement,
    Initiative: _initiative,
    Organization: _organization,
    CooperationArea: _area,
    Recommendation: _recommendation,
}


def record_data(context) -> dict | None:
    """The JSON-LD of the record page rendered with `context`, or None for any other page."""
    record = context.get("object")
    builder = BUILDERS.get(type(record))
    if builder is None or not getattr(record, "is_published", False):
        return None
    return builder(_Page(context["request"]), context)
