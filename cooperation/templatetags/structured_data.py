"""`{% record_json_ld %}`: a record page's schema.org JSON-LD (cooperation/jsonld.py), as a data
block in the page's head."""

import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from cooperation import jsonld

register = template.Library()

#: Written as JSON escapes, no text in the data can end the script element (`</script>`) or
#: open a comment in it (`<!--`), whatever staff typed; JSON parsers read them back unchanged.
_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def json_ld(data: dict) -> str:
    """`data` as JSON safe to place between <script> and </script>."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_ESCAPES)


@register.simple_tag(takes_context=True)
def record_json_ld(context) -> str:
    """The record page's JSON-LD in a <script type="application/ld+json"> data block (a data
    block is never run, so the Content-Security-Policy's script-src does not concern it), or
    nothing on a page that is not a published record's."""
    data = jsonld.record_data(context)
    if not data:
        return ""
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(json_ld(data)),  # noqa: S308  (escaped above: it holds no <, > or &)
    )
