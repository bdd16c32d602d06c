from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation

register = template.Library()


@register.simple_tag(takes_context=True)
def alternate_pages(context) -> list[dict]:
    """The current page in every language, for the language toggle and hreflang links.

    A record page's address differs per language (translated path and slug), so it comes from
    the record (`object.url_in`); any other page's path is translated by Django's URL resolver.
    The query string is kept either way, so a search survives the switch.
    """
    request = context["request"]
    obj = context.get("object")
    query = request.META.get("QUERY_STRING", "")
    current = translation.get_language()[:2]
    pages = []
    for code, _name in settings.LANGUAGES:
        if obj is not None and hasattr(obj, "url_in"):
            url = obj.url_in(code)
            if url and query:
                url = f"{url}?{query}"
        else:
            url = translate_url(request.get_full_path(), code)
        info = translation.get_language_info(code)
        pages.append(
            {
                "code": code,
                "url": url,
                "label": info["name_local"][:1].upper() + info["name_local"][1:],
                "current": code == current,
            }
        )
    return pages
