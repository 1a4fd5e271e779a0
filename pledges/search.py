"""Finding enterprises by any part of their Chinese name.

Trigram indexes need three characters, and two-character terms (质量, 科技) are the common
case. So each name also keeps its character unigrams and bigrams as words ("质 量 质量 …");
PostgreSQL indexes them with a GIN full-text index and a search asks for every bigram of the
term (or the single character), then confirms the exact substring. SQLite has no such index
and uses the substring match alone: slower, equally correct.
"""

from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorExact
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q

from .validators import normalise_credit_code

SEARCH_CONFIG = "simple"
MAX_TERM = 50


def name_ngrams(name: str) -> str:
    """Space-separated unigrams and bigrams of the name's characters (spaces dropped)."""
    chars = [c.lower() for c in name if not c.isspace()]
    grams = dict.fromkeys(chars)  # ordered, unique
    grams.update(dict.fromkeys(a + b for a, b in zip(chars, chars[1:], strict=False)))
    # Characters that full-text parsing treats as operators or separators are left out.
    return " ".join(g for g in grams if g.isalnum() or all(ch.isalnum() for ch in g))


def _term_grams(term: str) -> list[str]:
    chars = [c.lower() for c in term if not c.isspace()]
    if len(chars) == 1:
        return chars
    return list(dict.fromkeys(a + b for a, b in zip(chars, chars[1:], strict=False)))


@dataclass(frozen=True)
class NameSearch:
    """How a name search asks: the index's words (``grams``, every one present) and whether
    the exact substring must then be confirmed (``contains``)."""

    term: str
    grams: tuple[str, ...]
    contains: bool


def name_search(term: str) -> NameSearch:
    term = term.strip()[:MAX_TERM]
    grams = [g for g in _term_grams(term) if g.isalnum()]
    if not grams:  # "（保": no pair of letters, but its letters narrow the search
        grams = list(dict.fromkeys(c.lower() for c in term if c.isalnum()))
    # One gram that is the term itself: the substring test would add nothing but a wrong
    # estimate (the planner cannot guess a LIKE's share and takes 0.5 %, so for a common
    # pair it sorted thousands of rows instead of walking the newest first).
    return NameSearch(term, tuple(grams), contains=grams != [term.lower()])


def name_search_condition(term: str, *, prefix: str = "enterprise__", model=None) -> Q:
    """A condition matching rows whose name (at ``prefix``) contains ``term``; ``model``
    (Enterprise by default, or Listing) is the table whose grams are searched."""
    search = name_search(term)
    term, grams = search.term, list(search.grams)
    contains = Q(**{f"{prefix}name__icontains": term})
    if connection.vendor != "postgresql" or not grams:
        return contains
    from .models import Enterprise

    query = SearchQuery(" & ".join(grams), search_type="raw", config=SEARCH_CONFIG)
    if model is not None and not prefix:
        # The model's own rows: the same expression as its GIN index, on the row itself, so
        # the planner may also walk an index in the page's order and test each row.
        matches = Q(SearchVectorExact(search_vector_expression(), query))
        return matches & contains if search.contains else matches
    # The same expression as the GIN indexes (migrations 0006 and 0009), so the planner can
    # use them; the substring test then drops pairs that occur apart ("质…量质").
    matches = (
        (model or Enterprise)
        .objects.annotate(grams=search_vector_expression())
        .filter(grams=query, name__icontains=term)
        .values("pk")
    )
    return Q(**{f"{prefix}pk__in": matches})


def is_credit_code(term: str) -> bool:
    try:
        normalise_credit_code(term)
    except ValidationError:
        return False
    return True


def name_or_code_condition(term: str, *, prefix: str = "enterprise__", model=None) -> Q:
    """What "name or credit code" means everywhere: a valid credit code finds that
    enterprise; anything else is a part of a name."""
    try:
        return Q(**{f"{prefix}credit_code": normalise_credit_code(term)})
    except ValidationError:
        return name_search_condition(term, prefix=prefix, model=model)


def search_vector_expression():
    return SearchVector("search_ngrams", config=SEARCH_CONFIG)


def search_index(name: str = "enterprise_name_ngrams", *, leading: tuple[str, ...] = ()):
    """The GIN index of the grams; ``leading`` columns (btree_gin) come first, so that one
    index scan finds "this year's names holding 质量" instead of intersecting two bitmaps."""
    from django.contrib.postgres.indexes import GinIndex
    from django.db.models import F

    return GinIndex(*(F(column) for column in leading), search_vector_expression(), name=name)
