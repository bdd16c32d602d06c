"""Public pages. Thin views: the query vocabulary lives on the models' QuerySets."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from .models import (
    Agreement,
    AgreementParty,
    Citation,
    CooperationArea,
    Initiative,
    InitiativeParticipant,
    Organization,
    Recommendation,
    Source,
)

HOME_LIST_LIMIT = 50


def _citations():
    return Prefetch(
        "citations",
        queryset=Citation.objects.filter(source__status="published").select_related("source"),
    )


def _published_by_slug(queryset, slug: str):
    """The published record whose slug in the page's language is `slug`, or 404."""
    language = translation.get_language()[:2]
    try:
        return queryset.published().get(**{f"slug_{language}": slug})
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


@require_GET
def home(request):
    context = {
        "areas": CooperationArea.objects.published(),
        "agreements": Agreement.objects.published()[:HOME_LIST_LIMIT],
        "initiatives": Initiative.objects.published()[:HOME_LIST_LIMIT],
        "organizations": Organization.objects.published()[:HOME_LIST_LIMIT],
        "recommendations": Recommendation.objects.published()[:HOME_LIST_LIMIT],
        "counts": {
            "areas": CooperationArea.objects.published().count(),
            "agreements": Agreement.objects.published().count(),
            "initiatives": Initiative.objects.published().count(),
            "organizations": Organization.objects.published().count(),
            "recommendations": Recommendation.objects.published().count(),
            "sources": Source.objects.published().count(),
        },
    }
    return render(request, "cooperation/home.html", context)


def _record_list(request, model, template: str):
    return render(request, template, {"object_list": model.objects.published()})


@require_GET
def area_list(request):
    return _record_list(request, CooperationArea, "cooperation/area_list.html")


@require_GET
def initiative_list(request):
    return _record_list(request, Initiative, "cooperation/initiative_list.html")


@require_GET
def agreement_list(request):
    return _record_list(request, Agreement, "cooperation/agreement_list.html")


@require_GET
def organization_list(request):
    return _record_list(request, Organization, "cooperation/organization_list.html")


@require_GET
def recommendation_list(request):
    return _record_list(request, Recommendation, "cooperation/recommendation_list.html")


@require_GET
def source_list(request):
    sources = Source.objects.published()
    return render(request, "cooperation/source_list.html", {"object_list": sources})


def _participations(model):
    return Prefetch(
        "participations",
        queryset=model.objects.filter(organization__status="published").select_related(
            "organization"
        ),
    )


@require_GET
def area_detail(request, slug: str):
    area = _published_by_slug(CooperationArea.objects.prefetch_related(_citations()), slug)
    context = {
        "object": area,
        "agreements": area.agreements.published(),
        "initiatives": area.initiatives.published(),
        "recommendations": area.recommendations.published(),
    }
    return render(request, "cooperation/area_detail.html", context)


@require_GET
def initiative_detail(request, slug: str):
    queryset = Initiative.objects.select_related("agreement").prefetch_related(
        _citations(), _participations(InitiativeParticipant)
    )
    initiative = _published_by_slug(queryset, slug)
    agreement = (
        initiative.agreement
        if initiative.agreement and initiative.agreement.is_published
        else None
    )
    context = {
        "object": initiative,
        "agreement": agreement,
        "areas": initiative.areas.published(),
        "recommendations": initiative.recommendations.published(),
    }
    return render(request, "cooperation/initiative_detail.html", context)


@require_GET
def agreement_detail(request, slug: str):
    queryset = Agreement.objects.prefetch_related(_citations(), _participations(AgreementParty))
    agreement = _published_by_slug(queryset, slug)
    context = {
        "object": agreement,
        "areas": agreement.areas.published(),
        "initiatives": agreement.initiatives.published(),
    }
    return render(request, "cooperation/agreement_detail.html", context)


@require_GET
def organization_detail(request, slug: str):
    organization = _published_by_slug(Organization.objects.prefetch_related(_citations()), slug)
    context = {
        "object": organization,
        "agreement_roles": organization.agreement_participations.filter(
            agreement__status="published"
        ).select_related("agreement"),
        "initiative_roles": organization.initiative_participations.filter(
            initiative__status="published"
        ).select_related("initiative"),
    }
    return render(request, "cooperation/organization_detail.html", context)


@require_GET
def recommendation_detail(request, slug: str):
    recommendation = _published_by_slug(
        Recommendation.objects.prefetch_related(_citations()), slug
    )
    context = {
        "object": recommendation,
        "areas": recommendation.areas.published(),
        "initiatives": recommendation.initiatives.published(),
    }
    return render(request, "cooperation/recommendation_detail.html", context)
