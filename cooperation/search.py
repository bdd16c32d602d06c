"""Search of initiatives: accent- and case-insensitive, in both languages, ranked.

Each initiative stores its searchable text, maintained on save (see `refresh_search_index`):

- four normalized columns (accents stripped, lower case, English and French together):
  `search_title`, `search_summary`, `search_description` and `search_related` (the names of
  its participating organizations and its areas). SQLite matches and ranks on these.
- on PostgreSQL, two stored, GIN-indexed `tsvector`s, `search_vector_en` (English stemming,
  over the English texts) and `search_vector_fr` (French stemming, over the French texts), each
  weighted title A > summary B > description C > related names D. Queries use web-search syntax
  (quoted phrases, -word, or) against both, so words in either language find a record; the
  page's language counts double in the ranking. A query that finds nothing falls back to
  trigram word similarity (pg_trgm) on titles and names, so a typo still finds its record.
"""

import re
import unicodedata

from django.db import connection
from django.db.models import F, Func, TextField, Value
from django.db.models.functions import Coalesce, Lower

#: Longest query we act on; longer input is cut (and the page says so).
MAX_QUERY_LENGTH = 200

# translate() maps one character to one: ligatures (œ, æ) and ø keep their own letter.
_ACCENTED = "àáâãäåāçćčèéêëēėęîïíīìñńôöòóøōõśšûüùúūÿžźż"
_PLAIN = "aaaaaaaccceeeeeeeiiiiinnooooøoossuuuuuyzzz"


def normalize(text: str) -> str:
    """Lower case without accents: 'Énergie' → 'energie'. The same rule for data and queries."""
    decomposed = unicodedata.normalize("NFKD", str(text or "").lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped)  # recompose Hangul syllables


def search_words(text: str) -> str:
    """Normalized words separated by single spaces, with a space at each end, so that SQLite can
    match a term at the start of a word (LIKE '% term%')."""
    return " " + " ".join(re.findall(r"\w+", normalize(text))) + " "


def clean_query(raw: str) -> str:
    """A query safe to search with: no control characters, bounded length, single spaces."""
    text = "".join(c if c.isprintable() else " " for c in str(raw or ""))
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


class Unaccent(Func):
    """Accent stripping in SQL with the built-in translate() (no unaccent extension needed)."""

    function = "translate"
    output_field = TextField()

    def __init__(self, expression):
        super().__init__(
            Lower(Coalesce(expression, Value(""), output_field=TextField())),
            Value(_ACCENTED),
            Value(_PLAIN),
        )


def vector_sql(language: str):
    """The weighted tsvector of an initiative in one language, computed from its own columns."""
    from django.contrib.postgres.search import SearchVector

    config = {"en": "english", "fr": "french"}[language]
    return (
        SearchVector(Unaccent(F(f"title_{language}")), config=config, weight="A")
        + SearchVector(Unaccent(F(f"summary_{language}")), config=config, weight="B")
        + SearchVector(Unaccent(F(f"description_{language}")), config=config, weight="C")
        + SearchVector(F("search_related"), config=config, weight="D")
    )


def parse_websearch(query: str) -> list[tuple[list[str], list[str]]]:
    """Web-search syntax for SQLite: alternatives split by `or`, each a list of required terms or
    "quoted phrases" and a list of -excluded terms. Input is already normalized."""
    tokens = re.findall(r'-?"[^"]*"|\S+', query)
    groups: list[tuple[list[str], list[str]]] = [([], [])]
    for token in tokens:
        if token == "or":
            groups.append(([], []))
            continue
        exclude = token.startswith("-") and len(token) > 1
        text = token[1:] if exclude else token
        text = " ".join(re.findall(r"\w+", text))
        if text:
            groups[-1][1 if exclude else 0].append(text)
    return [group for group in groups if group[0]]
