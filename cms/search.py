"""Text search over pages, shared by the site search and the course catalogue.

What a visitor types is reduced to its words (letters and digits): quotes, operators,
brackets and invisible marks never reach the full-text engine, whose own syntax (SQLite FTS5,
PostgreSQL tsquery) would otherwise refuse them. Every word is matched as the start of a word
("cyber" finds "cybersécurité"), without regard to accents or case ("securite" finds
"Sécurité"): SQLite's FTS5 tokenizer drops diacritics itself, and on PostgreSQL the index and
the queries use the ``french_unaccent`` configuration (unaccent, then French stemming), set up
by the migration ``cms.0004_french_unaccent_search``."""

import re
from functools import cache

from modelsearch.query import And, PlainText
from wagtail.search.backends import get_search_backend

MAX_WORDS = 10
MAX_WORD_LENGTH = 40
WORD = re.compile(r"[^\W_]+")


def query_words(text):
    """The words of ``text`` a search can use (at most ten, each cut to 40 characters)."""
    return [word[:MAX_WORD_LENGTH] for word in WORD.findall(text or "")][:MAX_WORDS]


@cache
def _prefix_compiler(base):
    # The backends' compilers already know how to make a term a prefix (their autocomplete
    # does it for the last term of the title); here every word of a full search is one.
    return type(f"Prefix{base.__name__}", (base,), {"LAST_TERM_IS_PREFIX": True})


def search_pages(queryset, text):
    """``queryset`` narrowed to the pages holding every word of ``text`` (as a word start),
    best matches first; ``None`` when ``text`` holds no word."""
    words = query_words(text)
    if not words:
        return None
    backend = get_search_backend()
    query = PlainText(words[0]) if len(words) == 1 else And([PlainText(w) for w in words])
    return backend._search(_prefix_compiler(backend.query_compiler_class), query, queryset,
                           operator="and", order_by_relevance=True)
