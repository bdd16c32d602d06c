"""The read-only JSON API under /api/, described by /api/openapi.json.

Django REST framework with drf-spectacular: the filters are the site's own FilterSets (through
django-filter's DRF backend, which drf-spectacular documents), so the API accepts exactly the
search page's parameters. Records are built by cooperation/opendata.py, like the downloads, so
an API record and a row of a dump hold the same keys; the serializers below are generated from
the same declaration and serve the OpenAPI document.

Every answer reads published records only. Bad parameters get a 400 with a JSON body
({"detail": ..., "errors": {parameter: [messages]}}), in the language asked for.
"""

from uuid import UUID

from django.core.paginator import Paginator
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, generics, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from . import opendata
from .filters import (
    SLUG_FILTERS,
    InitiativeFilterSet,
    OrganizationFilterSet,
    cached_filter_options,
)
from .models import active_language

# -- Errors --------------------------------------------------------------------------------


def exception_handler(exc, context):
    """DRF's answer, with validation errors as {"detail": ..., "errors": {...}}."""
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"": response.data}
        response.data = {"detail": _("Some parameters were not understood."), "errors": errors}
    return response


ERROR = inline_serializer(
    "Error",
    fields={
        "detail": serializers.CharField(help_text=gettext_lazy("What went wrong.")),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            required=False,
            help_text=gettext_lazy("For each parameter not understood, why."),
        ),
    },
)

# -- Pagination ----------------------------------------------------------------------------


class Pagination(PageNumberPagination):
    """?page=N&page_size=M (at most 100). A page that is not a positive number is a 400; a page
    past the last one is a 404."""

    page_size = 20
    max_page_size = 100
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        size = self._number(request, self.page_size_query_param, self.page_size)
        if size > self.max_page_size:
            raise exceptions.ValidationError(
                {"page_size": [_("At most %(n)d records per page.") % {"n": self.max_page_size}]}
            )
        number = self._number(request, self.page_query_param, 1)
        paginator = Paginator(queryset, size)
        if number > max(paginator.num_pages, 1):
            raise exceptions.NotFound(_("There is no such page in this list."))
        self.page = paginator.page(number)
        self.request = request
        return self.page.object_list  # a sliced QuerySet: records are built from it

    @staticmethod
    def _number(request, name: str, default: int) -> int:
        raw = request.query_params.get(name)
        if raw is None:
            return default
        if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
            raise exceptions.ValidationError({name: [_("Enter a whole number of 1 or more.")]})
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


# -- Records and their schema --------------------------------------------------------------

_FIELD_TYPES = {
    "integer": serializers.IntegerField,
    "boolean": serializers.BooleanField,
    "uuid": serializers.UUIDField,
}


def _field(kind: str, description, *, nullable=False, choices=None):
    help_text = description  # lazy: the document is described in the language asked for
    if choices is not None:
        return serializers.ChoiceField(
            choices=choices.choices, allow_blank=True, help_text=help_text
        )
    if kind == "datetime":
        return serializers.DateTimeField(allow_null=True, help_text=help_text)
    if kind == "date":
        return serializers.RegexField(
            r"^(\d{4}(-\d{2}(-\d{2})?)?)?$", allow_null=nullable, help_text=help_text
        )
    field_class = _FIELD_TYPES.get(kind, serializers.CharField)
    extra = {"allow_blank": True} if field_class is serializers.CharField else {}
    return field_class(allow_null=nullable, help_text=help_text, **extra)


def record_serializer(dataset: opendata.Dataset) -> type[serializers.Serializer]:
    """The serializer describing one of `dataset`'s records (for the OpenAPI document)."""
    name = dataset.model.__name__
    fields = {}
    for item in dataset.outputs():
        if isinstance(item, opendata.Relation):
            item_fields = {
                key: _field(opendata.ITEM_KEYS[key][0], opendata.ITEM_KEYS[key][1])
                for key in item.fields
            }
            part = type(f"{name}{item.name.title()}Item", (serializers.Serializer,), item_fields)
            if item.many:
                fields[item.name] = serializers.ListField(child=part(), help_text=item.description)
            else:
                fields[item.name] = part(allow_null=True, help_text=item.description)
        else:
            fields[item.key] = _field(
                item.type, item.description, nullable=item.nullable, choices=item.choices
            )
    return type(name, (serializers.Serializer,), fields)


LANGUAGE = OpenApiParameter(
    "lang",
    str,
    enum=["en", "fr"],
    description=gettext_lazy(
        "The language of error messages and of sorting by title. By default, the "
        "Accept-Language header's. Records always hold both languages, and filters take "
        "English or French slugs."
    ),
)


class LanguageMixin:
    """`?lang=en|fr` chooses the language, over Accept-Language."""

    def initial(self, request, *args, **kwargs):
        language = request.query_params.get("lang")
        if language is not None:
            if language not in opendata.LANGUAGES:
                raise exceptions.ValidationError({"lang": [_("Choose en or fr.")]})
            translation.activate(language)
            request.LANGUAGE_CODE = language
        super().initial(request, *args, **kwargs)


class RecordList(LanguageMixin, generics.ListAPIView):
    """A page of published records, filtered by the site's FilterSet for this type."""

    dataset: opendata.Dataset
    pagination_class = Pagination

    def get_queryset(self):
        return self.dataset.published()

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        records = self.dataset.records(page, base=opendata.site_address(request))
        return self.get_paginated_response(list(records))


class RecordDetail(LanguageMixin, generics.GenericAPIView):
    """One published record, by its stable identifier."""

    dataset: opendata.Dataset

    def get(self, request, uuid):
        try:
            identifier = UUID(uuid)
        except ValueError:
            identifier = None
        queryset = self.dataset.model.objects.published().filter(uuid=identifier)
        records = self.dataset.records(queryset, base=opendata.site_address(request))
        record = next(records, None) if identifier else None
        if record is None:
            raise exceptions.NotFound(_("No published record has this identifier."))
        return Response(record)


class FilterBackend(DjangoFilterBackend):
    """The page's FilterSet; invalid values are refused with a 400, and so are empty ones
    (leave a parameter out to not filter on it)."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        empty = [
            name
            for name in view.filterset_class.base_filters
            if name in request.query_params and not request.query_params[name].strip()
        ]
        if empty:
            message = _("Give a value, or leave the parameter out.")
            raise exceptions.ValidationError({name: [message] for name in empty})
        return kwargs


class InitiativeFilterBackend(FilterBackend):
    """The search page's FilterSet, sorting included, with its cached options. Areas,
    organizations and agreements may be named by their English or their French slug, whatever
    the language of the request (InitiativeFilterSet.in_this_language)."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs.update(options=cached_filter_options(active_language()))
        return kwargs


FILTERS = {"initiatives": InitiativeFilterSet, "organizations": OrganizationFilterSet}


def views_for(dataset: opendata.Dataset):
    """The list and detail views of one record type."""
    serializer = record_serializer(dataset)
    title = str(dataset.title)
    attributes = {"dataset": dataset, "serializer_class": serializer}
    list_attributes = dict(attributes)
    if dataset.name in FILTERS:
        list_attributes["filterset_class"] = FILTERS[dataset.name]
        list_attributes["filter_backends"] = [
            InitiativeFilterBackend if dataset.name == "initiatives" else FilterBackend
        ]
    else:
        list_attributes["filter_backends"] = []
    responses = {400: ERROR, 404: ERROR}
    list_view = extend_schema_view(
        get=extend_schema(
            operation_id=f"{dataset.name}_list",
            summary=f"{title}: list",
            parameters=[LANGUAGE],
            responses={200: serializer(many=True), **responses},
            tags=[dataset.name],
        )
    )(type(f"{dataset.model.__name__}List", (RecordList,), list_attributes))
    detail_view = extend_schema_view(
        get=extend_schema(
            operation_id=f"{dataset.name}_detail",
            summary=f"{title}: one record",
            parameters=[
                LANGUAGE,
                OpenApiParameter(
                    "uuid",
                    OpenApiTypes.UUID,
                    OpenApiParameter.PATH,
                    description=gettext_lazy("The record's stable identifier."),
                ),
            ],
            responses={200: serializer, **responses},
            tags=[dataset.name],
        )
    )(type(f"{dataset.model.__name__}Detail", (RecordDetail,), attributes))
    return list_view, detail_view


class Root(LanguageMixin, APIView):
    """What the API offers: a list address per record type, and the OpenAPI document."""

    @extend_schema(exclude=True)
    def get(self, request):
        return Response(
            {
                "openapi": reverse("api:openapi", request=request),
                "dictionary": reverse("data_dictionary", request=request),
                "licence": opendata.licence_data(),
                "records": {
                    name: reverse(f"api:{name}-list", request=request)
                    for name in opendata.DATASETS
                },
            }
        )


def fill_filter_values(result, generator, request, public):
    """drf-spectacular post-processing: the values the slug and country filters accept, in the
    request's language (they depend on the published data), and the year bounds."""
    options = {}
    for language in opendata.LANGUAGES:
        found = cached_filter_options(language)
        for name in (*SLUG_FILTERS, "country"):
            options.setdefault(name, set()).update(key for key, _label in found[name])
    options = {name: sorted(values) for name, values in options.items()}
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                name = parameter["name"]
                if name in options and not options[name]:
                    continue  # no published values yet: any string (and a 400)
                if name in ("area", "organization", "agreement") and path == "/api/initiatives/":
                    parameter["schema"] = {"type": "string", "enum": options[name]}
                elif name == "country" and path in ("/api/initiatives/", "/api/organizations/"):
                    parameter["schema"] = {"type": "string", "enum": options["country"]}
                elif name in ("year_from", "year_to"):
                    parameter["schema"] = {"type": "integer", "minimum": 1900, "maximum": 2100}
                schema = parameter.get("schema", {})
                if parameter.get("in") == "query" and schema.get("type") == "string":
                    # An empty filter is refused (FilterBackend): leave the parameter out.
                    schema.setdefault("minLength", 1)
    return result


def urlpatterns():
    from django.urls import path
    from drf_spectacular.views import SpectacularJSONAPIView

    patterns = [
        path("", Root.as_view(), name="root"),
        path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    ]
    for name, dataset in opendata.DATASETS.items():
        list_view, detail_view = views_for(dataset)
        patterns += [
            path(f"{name}/", list_view.as_view(), name=f"{name}-list"),
            path(f"{name}/<str:uuid>/", detail_view.as_view(), name=f"{name}-detail"),
        ]
    return patterns
