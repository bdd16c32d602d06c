"""Search of initiatives: accent- and case-insensitive, stemmed, in both languages, ranked.

PostgreSQL keeps the index itself, whatever writes the data (the admin, the loader, a bulk
`update()`, raw SQL): triggers from migration 0009 maintain, on every initiative,

- `search_vector_en` and `search_vector_fr`, GIN-indexed `tsvector`s built with the text search
  configurations `portal_english` and `portal_french` (the English or French stemmer behind the
  contrib `unaccent` dictionary), each weighted title A > summary B > description C > the names
  of its published participants and areas D;
- `search_title` and `search_related`, the titles in both languages and those names, in lower
  case without accents (`portal_unaccent()`), trigram-indexed for typo tolerance.

Queries go through the same configurations and the same `portal_unaccent()`, so "energie",
"Énergie" and "ÉNERGIES" find the same records, and so do "Nguyễn" and "Nguyen". Web-search
syntax works: "quoted phrases", -excluded words, `or` (or « ou », in either language). Words
in either language find a record; the page's language counts double in the ranking. A query
that finds nothing falls back to trigram word similarity on titles and names, so a typo still
finds its record. The site-wide search (cooperation/sitesearch.py) matches every record type
the same way.
"""

import re
import unicodedata

from django.db.models import Func, TextField, Value
from django.db.models.functions import Coalesce

#: Longest query we act on; longer input is cut (and the page says so).
MAX_QUERY_LENGTH = 200

#: The text search configuration of each language (migration 0009).
CONFIGS = {"en": "portal_english", "fr": "portal_french"}


class PortalUnaccent(Func):
    """`portal_unaccent(text)`: contrib's unaccent, declared immutable so it can be indexed."""

    function = "portal_unaccent"
    output_field = TextField()


class SearchableText(Func):
    """Texts one after another, lower case and without accents: what the admin's search
    matches each word in (`LIKE '%word%'`). Initiatives keep theirs in a column instead
    (`search_admin`, written by the database's trigger the same way, migration 0018)."""

    arg_joiner = " || ' ' || "
    template = "portal_unaccent(lower(%(expressions)s))"
    output_field = TextField()

    def __init__(self, *fields, **extra):
        texts = (Coalesce(name, Value(""), output_field=TextField()) for name in fields)
        super().__init__(*texts, **extra)


def normalize(text: str) -> str:
    """Lower case without accents, in Python: which words of a result to highlight."""
    decomposed = unicodedata.normalize("NFKD", str(text or "").lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped)  # recompose Hangul syllables


def clean_query(raw: str) -> str:
    """A query safe to search with: no control characters, bounded length, single spaces."""
    text = "".join(c if c.isprintable() else " " for c in str(raw or ""))
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


#: A word, or a number with a decimal point ("1.5", as the database's parser keeps it: the
#: Track 1.5 dialogue).
WORD = re.compile(r"\d+(?:\.\d+)+|\w+")
#: A French decimal comma ("1,5") is searched as the point it is indexed with.
DECIMAL_COMMA = re.compile(r"(\d),(\d)")

#: The words that put alternatives side by side: English "or", French « ou » (not « où »).
OR_WORDS = ("or", "ou")


def parse_websearch(query: str) -> list[tuple[list[str], list[str]]]:
    """Web-search syntax: alternatives split by `or`, each a list of required terms or "quoted
    phrases" and a list of -excluded terms. Terms keep their letters (accents are the
    database's business); anything but letters and digits separates words."""
    tokens = re.findall(r'-?"[^"]*"|\S+', query)
    groups: list[tuple[list[str], list[str]]] = [([], [])]
    for token in tokens:
        if token.lower() in OR_WORDS:
            groups.append(([], []))
            continue
        exclude = token.startswith("-") and len(token) > 1
        text = token[1:] if exclude else token
        text = " ".join(WORD.findall(DECIMAL_COMMA.sub(r"\1.\2", text)))
        if text:
            groups[-1][1 if exclude else 0].append(text)
    return [group for group in groups if group[0]]


def websearch_text(terms: list[str], joiner: str = " ") -> str:
    """Terms back in websearch_to_tsquery()'s syntax: phrases quoted, joined by `joiner`."""
    return joiner.join(f'"{term}"' if " " in term else term for term in terms)
