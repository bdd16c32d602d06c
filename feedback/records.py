"""Which records a visitor may suggest a correction to, which of their fields, and the value
each field shows in each language (what the moderation queue sets beside the suggestion)."""

from django.apps import apps
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cooperation.models import Status

#: Address segment → model (language-neutral, as in the API and the dumps).
RECORD_TYPES = {
    "areas": "cooperation.CooperationArea",
    "initiatives": "cooperation.Initiative",
    "agreements": "cooperation.Agreement",
    "organizations": "cooperation.Organization",
    "recommendations": "cooperation.Recommendation",
}


OTHER = "other"
SOURCES = "sources"

#: Per model: (code, label, what the field shows: attribute names, or functions of the record).
#: The codes are stored with each suggestion, so they never change.
_FIELDS = {
    "cooperationarea": [
        ("name", _("Name"), ["name"]),
        ("summary", _("Summary"), ["summary"]),
        ("description", _("Description"), ["description"]),
    ],
    "initiative": [
        ("title", _("Title"), ["title"]),
        ("summary", _("Summary"), ["summary"]),
        ("description", _("Description"), ["description"]),
        ("kind", _("Kind"), ["get_kind_display"]),
        ("status", _("Status"), ["status_display"]),
        ("dates", _("Dates"), ["start_date_display", "end_date_display"]),
        ("location", _("Location"), ["location"]),
        ("funding", _("Funding"), ["funding_display"]),
        ("agreement", _("Under agreement"), ["agreement"]),
        ("participants", _("Participating organizations"), ["participants"]),
        ("areas", _("Co-operation areas"), ["areas"]),
    ],
    "agreement": [
        ("title", _("Title"), ["title"]),
        ("summary", _("Summary"), ["summary"]),
        ("description", _("Description"), ["description"]),
        ("kind", _("Kind"), ["get_kind_display"]),
        ("status", _("Status"), ["get_agreement_status_display"]),
        ("dates", _("Dates"), ["date_signed_display", "date_in_force_display"]),
        ("place_signed", _("Place signed"), ["place_signed"]),
        ("binding", _("Legally binding"), ["binding"]),
        ("parties", _("Parties"), ["parties"]),
        ("areas", _("Co-operation areas"), ["areas"]),
    ],
    "organization": [
        ("name", _("Name"), ["name", "short_name", "name_ko"]),
        ("summary", _("Summary"), ["summary"]),
        ("description", _("Description"), ["description"]),
        ("kind", _("Kind"), ["get_kind_display"]),
        ("country", _("Country"), ["country"]),
        ("website", _("Website"), ["website"]),
    ],
    "recommendation": [
        ("title", _("Title"), ["title"]),
        ("summary", _("Summary"), ["summary"]),
        ("rationale", _("Rationale"), ["rationale"]),
        ("audience", _("Audience"), ["get_audience_display"]),
        ("horizon", _("Horizon"), ["horizon"]),
        ("areas", _("Co-operation areas"), ["areas"]),
    ],
}
_COMMON = [
    ("note", _("Note"), ["note"]),
    (SOURCES, _("Sources and citations"), ["citations"]),
    (OTHER, _("Something else"), []),
]


def record_model(record_type: str):
    """The model behind an address segment, or None."""
    label = RECORD_TYPES.get(record_type)
    return apps.get_model(label) if label else None


def published_record(record_type: str, uuid):
    """The published record of that type with that stable identifier, or None."""
    model = record_model(record_type)
    if model is None:
        return None
    return model.objects.filter(uuid=uuid, status=Status.PUBLISHED).first()


def fields_of(model) -> list[tuple[str, str, list[str]]]:
    return _FIELDS[model._meta.model_name] + _COMMON


def field_choices(model) -> list[tuple[str, str]]:
    return [(code, label) for code, label, _attributes in fields_of(model)]


def field_label(model, code: str) -> str:
    for field_code, label, _attributes in fields_of(model):
        if field_code == code:
            return str(label)
    return code


def _text(value) -> str:
    """One attribute's value as the public page would show it (in the active language)."""
    if value is None or value == "":
        return ""
    if hasattr(value, "all"):  # a related manager (callable too): the published records
        related = value.all()
        if hasattr(related, "published"):
            related = related.published()
        if related.model._meta.model_name == "citation":
            return "\n".join(
                f"{citation.source}: {citation.location}"
                for citation in related.select_related("source")
            )
        return "\n".join(str(record) for record in related)
    if callable(value):  # a get_FOO_display method
        value = value()
    if value is True:
        return str(_("Yes"))
    if value is False:
        return str(_("No"))
    name = getattr(value, "name", None)
    if name and not hasattr(value, "pk"):  # a django-countries Country
        return str(name)
    return str(value)


def current_value(record, code: str, language: str) -> str:
    """What the record's page in `language` shows for the field `code` ("" if nothing)."""
    attributes = next(
        (
            attributes
            for field_code, _label, attributes in fields_of(type(record))
            if field_code == code
        ),
        [],
    )
    with translation.override(language):
        parts = [
            _text(attribute(record) if callable(attribute) else getattr(record, attribute, None))
            for attribute in attributes
        ]
    return "\n".join(part for part in parts if part)
