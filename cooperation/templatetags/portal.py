import re
from decimal import Decimal

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.formats import date_format, number_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from cooperation.search import OR_WORDS, clean_query, normalize

register = template.Library()


#: The main navigation: URL name and label of each section, in order.
SECTIONS = (
    ("area_list", _("Co-operation areas")),
    ("initiative_list", _("Initiatives")),
    ("agreement_list", _("Agreements")),
    ("organization_list", _("Organizations")),
    ("recommendation_list", _("Recommendations")),
    ("source_list", _("Sources")),
    ("open_data", _("Open data")),
)


@register.simple_tag(takes_context=True)
def main_sections(context) -> list[dict]:
    """The sections of the main navigation, each marked `current` when the page is in it (its
    list, or a record of its type), for `aria-current`."""
    request = context.get("request")
    path = request.path if request is not None else ""
    sections = []
    for name, label in SECTIONS:
        url = reverse(f"cooperation:{name}")
        sections.append({"url": url, "label": label, "current": path.startswith(url)})
    return sections


@register.simple_tag(takes_context=True)
def alternate_pages(context) -> list[dict]:
    """The current page in every language, for the language toggle and hreflang links.

    A record page's address differs per language (translated path and slug), so it comes from
    the record (`object.url_in`); any other page's path is translated by Django's URL resolver.
    The query string is kept, so a search survives the switch; a search page's filters that
    name records by slug are written with the other language's slugs (its FilterSet's
    `query_string_in`). A page that was not found leads to the other language's home, and
    declares no alternates.
    """
    request = context["request"]
    obj = context.get("object")
    search = context.get("filter")
    # The thank-you after a visitor's form (feedback/) is for this page only.
    params = request.GET.copy()
    params.pop("thanks", None)
    query = params.urlencode()
    path = f"{request.path}?{query}" if query else request.path
    current = translation.get_language()[:2]
    pages = []
    for code, _name in settings.LANGUAGES:
        alternate = True
        if context.get("page_not_found"):
            with translation.override(code):
                url, alternate = reverse("cooperation:home"), False
        elif context.get("preview") is not None:
            # The same preview in the other language; a preview has no public alternate.
            url, alternate = context["preview"].url_in(code), False
        elif obj is not None and hasattr(obj, "url_in"):
            url = obj.url_in(code)
            if url and query:
                url = f"{url}?{query}"
        elif search is not None and hasattr(search, "query_string_in"):
            url = translate_url(request.path, code)
            localized = search.query_string_in(code)
            if localized:
                url = f"{url}?{localized}"
        else:
            url = translate_url(path, code)
        info = translation.get_language_info(code)
        pages.append(
            {
                "code": code,
                "url": url,
                "label": info["name_local"][:1].upper() + info["name_local"][1:],
                "current": code == current,
                "alternate": alternate,
            }
        )
    return pages


#: Scales for amounts: (size, English unit, French unit).
_SCALES = (
    (Decimal(10) ** 12, "trillion", "billions"),
    (Decimal(10) ** 9, "billion", "milliards"),
    (Decimal(10) ** 6, "million", "millions"),
)
_SYMBOLS = {
    # currency: (English prefix, French suffix)
    "CAD": ("C$", "$\N{NO-BREAK SPACE}CA"),
    "USD": ("US$", "$\N{NO-BREAK SPACE}US"),
    "KRW": ("₩", "₩"),
}


@register.filter
def money(amount, currency: str) -> str:
    """An amount as a reader of the page's language writes it: C$2.4 billion / 2,4 milliards $ CA.

    Round amounts of a million or more are scaled (sources state them that way); smaller
    amounts are written in full with the language's digit grouping.
    """
    if amount in (None, ""):
        return ""
    amount = Decimal(amount)
    french = (translation.get_language() or "en").startswith("fr")
    prefix, suffix = _SYMBOLS.get(currency, (f"{currency} ", f"{currency}"))
    if french and currency == "KRW":
        suffix = "wons"
    number, unit = amount, ""
    for size, english_unit, french_unit in _SCALES:
        if abs(amount) >= size:
            number = (amount / size).normalize()
            unit = french_unit if french else english_unit
            if french and number < 2:
                unit = unit.rstrip("s")  # 1,5 milliard
            break
    decimals = max(0, -number.as_tuple().exponent) if unit else 0
    text = number_format(number, decimal_pos=min(decimals, 2), use_l10n=True, force_grouping=True)
    if french:
        return f"{text}\N{NO-BREAK SPACE}{unit + chr(0xA0) if unit else ''}{suffix}"
    return f"{prefix}{text}{' ' + unit if unit else ''}"


@register.filter
def file_size(size) -> str:
    """A size in bytes as a download link gives it: 902 bytes, 45 KB, 4.2 MB / 45 Ko, 4,2 Mo.

    Decimal units (1 KB = 1,000 bytes), as the Government of Canada's pages write them; the
    number and its unit do not break apart.
    """
    size = int(size)
    if size < 1000:
        text = ngettext("%(size)s byte", "%(size)s bytes", size) % {"size": size}
    elif size < 1000**2:
        text = gettext("%(size)s KB") % {"size": number_format(round(size / 1000), use_l10n=True)}
    else:
        number = number_format(round(size / 1000**2, 1), decimal_pos=1, use_l10n=True)
        text = gettext("%(size)s MB") % {"size": number}
    return text.replace(" ", "\N{NO-BREAK SPACE}")


@register.filter
def long_date(value) -> str:
    """A full date in the page's language: 9 July 2025 / 9 juillet 2025."""
    if not value:
        return ""
    return date_format(value, "DATE_FORMAT")


@register.filter
def record_type(record) -> str:
    """The kind of record, in the page's language ("initiative", "entente", ...)."""
    return str(record._meta.verbose_name)


@register.filter
def field_label(form, name: str) -> str:
    field = form.fields.get(name)
    return str(field.label) if field is not None else name


@register.filter
def highlight(value, query: str) -> str:
    """The text, escaped, with the words that match the search wrapped in <mark>.

    Accent- and case-insensitive; a word matches when it starts like a search term (its first
    letters, so "chip" is marked for "chips" and "norme" for "normes", as stemming would).
    """
    text = str(value)
    terms = [t for t in re.findall(r"\w+", normalize(clean_query(query or ""))) if len(t) > 1]
    terms = [t for t in terms if t not in OR_WORDS]
    if not terms:
        return conditional_escape(text)
    stems = tuple(t[: max(3, len(t) - 2)] if len(t) > 4 else t for t in terms)
    parts = []
    for piece in re.split(r"(\w+)", text):
        if piece and re.fullmatch(r"\w+", piece) and normalize(piece).startswith(stems):
            parts.append(format_html("<mark>{}</mark>", piece))
        else:
            parts.append(conditional_escape(piece))
    return mark_safe("".join(parts))  # noqa: S308  (every piece is escaped above)


def is_web_address(address) -> bool:
    """Whether `address` is a web address (http or https, with a host)."""
    from urllib.parse import urlsplit

    parts = urlsplit(str(address or "").strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


@register.filter
def web_link(address, language: str = ""):
    """An address as a link if it is a web address (http or https), else as plain text: a
    value that reached the database some other way than the admin's validated form can never
    become a javascript: or data: link."""
    text = str(address or "")
    if is_web_address(text):
        if language:
            return format_html('<a href="{}" hreflang="{}">{}</a>', text, language, text)
        return format_html('<a href="{}">{}</a>', text, text)
    return conditional_escape(text)


#: A title quoted in a locator: “…” in English, « … » in French.
QUOTED = re.compile(r"(“)([^”]+)(”)|(«\s?)([^»]+?)(\s?»)")


@register.filter
def quoted_in(location, language: str = ""):
    """A citation's locator, escaped, with any section title it quotes marked as being in the
    source's `language` when that is not the page's (a French page quoting an English-only
    document's heading says `lang="en"`, so a screen reader reads it as English)."""
    text = str(location or "")
    page = (translation.get_language() or "")[:2]
    if not language or language == page:
        return conditional_escape(text)
    parts, last = [], 0
    for match in QUOTED.finditer(text):
        opening, title, closing = (g for g in match.groups() if g is not None)
        parts.append(conditional_escape(text[last : match.start()]))
        parts.append(
            format_html('{}<span lang="{}">{}</span>{}', opening, language, title, closing)
        )
        last = match.end()
    parts.append(conditional_escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308  (every piece is escaped above)


@register.simple_tag
def publisher() -> str:
    """Who publishes the portal, in the page's language (settings.PORTAL_PUBLISHER), or ""
    when no publisher is set."""
    return settings.PORTAL_PUBLISHER.get((translation.get_language() or "en")[:2], "")


@register.simple_tag(takes_context=True)
def block_text(context, name: str, strip_suffix: str = "") -> str:
    """The text of the page's block `name` (its most derived version, `block.super` and all),
    rendered a second time, as plain text for an attribute: whitespace collapsed, escaped
    once, and `strip_suffix` taken off its end with the dash before it. So the Open Graph
    title and description are the page's own <title> and description, without a second block
    in every template (Django renders each block once)."""
    import html

    from django.template.loader_tags import BLOCK_CONTEXT_KEY

    block_context = context.render_context.get(BLOCK_CONTEXT_KEY)
    block = block_context.get_block(name) if block_context is not None else None
    if block is None:
        return ""
    # Only the template's own line breaks and indents: a no-break space is part of the text.
    text = re.sub(r"[ \t\r\n]+", " ", html.unescape(block.render(context))).strip()
    if strip_suffix and text.endswith(strip_suffix) and text != strip_suffix:
        text = text[: -len(strip_suffix)].rstrip(" —")
    return text
