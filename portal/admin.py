"""The back office's site: Django's, with an autocomplete that tells records apart."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.autocomplete import AutocompleteJsonView


class RecordAutocomplete(AutocompleteJsonView):
    """Each suggestion names the record and what tells it from a namesake: its status (draft
    or published) and, for an organization, its country ("Institut Vecteur — Canada,
    published")."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        details = []
        country = getattr(obj, "country", None)
        if country:
            details.append(str(country.name))
        if hasattr(obj, "get_status_display"):
            details.append(str(obj.get_status_display()).lower())
        if details:
            result["text"] = f"{result['text']} — {', '.join(details)}"
        return result


class PortalAdminSite(admin.AdminSite):
    def autocomplete_view(self, request):
        return RecordAutocomplete.as_view(admin_site=self)(request)


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin.PortalAdminSite"
