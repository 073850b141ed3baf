"""Full-text search over visible blog posts, on SQLite (FTS5) and PostgreSQL alike.

The visitor may type words (all must occur), "a phrase" in quotes, ``or`` between two
alternatives and ``-word`` to leave posts out, as in a web search engine (PostgreSQL's
``websearch_to_tsquery`` understands the same). Each post is matched in its own language:
the visitor's words are stemmed in German for German posts and in English for English
posts, so "Gärten" finds "Garten" and "gardening" finds "gardens".

Highlighting happens here in Python, not in the database, so both databases mark the
same words the same way, and the HTML is built from escaped pieces only.
"""

import re
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from treffpunkt.blog import words
from treffpunkt.blog.indexing import POSTGRES_CONFIGS, plain_body
from treffpunkt.blog.models import Post

MAX_QUERY_LENGTH = 200
MAX_QUERY_WORDS = 24
PER_PAGE = 10
# More results than anyone pages through; the count says "1000" beyond that.
RESULT_LIMIT = 1000
SNIPPET_CHARS = 240
# Relevance weights on SQLite (FTS5 bm25 per column: title, tags, excerpt, text, language);
# PostgreSQL weighs the same parts A, A, B and C.
FTS_WEIGHTS = "10.0, 8.0, 4.0, 1.0, 0.0"

_QUERY_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
_LANGUAGES = tuple(POSTGRES_CONFIGS)


@dataclass
class ParsedQuery:
    """What the visitor asked for, as lower-cased words."""

    text: str
    # All groups must match; within a group, any one phrase (a list of words) will do.
    groups: list[list[list[str]]] = field(default_factory=list)
    excluded: list[list[str]] = field(default_factory=list)

    @property
    def wanted_words(self) -> list[str]:
        return [word for group in self.groups for phrase in group for word in phrase]

    def stems(self, language: str) -> set[str]:
        """The stems to find (and to mark) in a text of the given language."""
        return set(words.terms(" ".join(self.wanted_words), language))

    def is_usable(self) -> bool:
        """True when at least one word is left after dropping common and one-letter words,
        in one of the languages."""
        return any(self.stems(language) for language in _LANGUAGES)


def parse_query(text: str) -> ParsedQuery:
    """Split the visitor's text into words, phrases, alternatives and exclusions."""
    parsed = ParsedQuery(text=text)
    join_next = False
    for token in _QUERY_TOKEN.findall(text):
        if token.lower() == "or" and parsed.groups:
            join_next = True
            continue
        negative = token.startswith("-")
        phrase = [match.group().lower() for match in words.tokens(token)]
        if not phrase:
            continue
        if negative:
            parsed.excluded.append(phrase)
        elif join_next:
            parsed.groups[-1].append(phrase)
        else:
            parsed.groups.append([phrase])
        join_next = False
    return parsed


@dataclass
class Hit:
    post: Post
    title: SafeString
    snippet: SafeString


@dataclass
class Results:
    query: ParsedQuery
    count: int
    page: Page  # of post ids
    hits: list[Hit]


def search_posts(parsed: ParsedQuery, page_number: int | str | None = 1) -> Results:
    """One page of the visible posts that match, best first, with highlighted title and
    snippet. Two queries whatever the page: the ranked ids, then the page's posts."""
    ids = _ranked_ids(parsed) if parsed.is_usable() else []
    page = Paginator(ids, PER_PAGE).get_page(page_number)
    posts = Post.objects.select_related("blog").in_bulk(list(page.object_list))
    hits = []
    for post_id in page.object_list:
        post = posts.get(post_id)
        if post is None:  # deleted between the two queries
            continue
        stems = parsed.stems(post.language)
        hits.append(
            Hit(
                post=post,
                title=highlight(post.title, stems, post.language),
                snippet=snippet(post, stems),
            )
        )
    return Results(query=parsed, count=len(ids), page=page, hits=hits)


def _ranked_ids(parsed: ParsedQuery) -> list[int]:
    visible_sql, visible_params = (
        Post.objects.visible()
        .order_by()
        .values("id")
        .query.get_compiler(connection=connection)
        .as_sql()
    )
    if connection.vendor == "sqlite":
        # "+rowid": without the plus, SQLite walks the visible posts and asks the full-text
        # index about each one (a second for 2,000 posts); with it, the index finds the
        # matches and the visible posts only filter them (a millisecond).
        parts, params = [], []
        for language in _LANGUAGES:
            expression = fts_expression(parsed, language)
            if expression is None:
                continue
            parts.append(
                f"SELECT rowid AS post_id, bm25(blog_search_fts, {FTS_WEIGHTS}) AS score "  # noqa: S608 - constants and Django's own SQL
                f"FROM blog_search_fts WHERE blog_search_fts MATCH %s AND language = %s "
                f"AND +rowid IN ({visible_sql})"
            )
            params += [expression, language, *visible_params]
        if not parts:
            return []
        sql = " UNION ALL ".join(parts) + " ORDER BY score, post_id DESC LIMIT %s"
        params.append(RESULT_LIMIT)
    elif connection.vendor == "postgresql":
        # Each post against the visitor's words parsed with its own language's config.
        sql = f"""
            SELECT e.post_id FROM blog_search_entry e,
                websearch_to_tsquery('{POSTGRES_CONFIGS["de"]}'::regconfig, %s) AS de_query,
                websearch_to_tsquery('{POSTGRES_CONFIGS["en"]}'::regconfig, %s) AS en_query
            WHERE e.post_id IN ({visible_sql})
            AND ((e.language = 'de' AND e.document @@ de_query)
                 OR (e.language = 'en' AND e.document @@ en_query))
            ORDER BY ts_rank(e.document, CASE WHEN e.language = 'de'
                THEN de_query ELSE en_query END) DESC, e.post_id DESC
            LIMIT %s
        """  # noqa: S608 - constants and Django's own SQL; all values are parameters
        params = [parsed.text, parsed.text, *visible_params, RESULT_LIMIT]
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def fts_expression(parsed: ParsedQuery, language: str) -> str | None:
    """The FTS5 query for posts of one language, or None if no word is left to look for.

    Phrases are quoted stems, so nothing the visitor types is read as FTS5 syntax."""

    def phrase(phrase_words: list[str]) -> str | None:
        stems = words.terms(" ".join(phrase_words), language)
        return '"' + " ".join(stems) + '"' if stems else None

    groups = []
    for group in parsed.groups:
        alternatives = [p for p in map(phrase, group) if p]
        if alternatives:
            groups.append("(" + " OR ".join(alternatives) + ")")
    if not groups:
        return None
    expression = " AND ".join(groups)
    for excluded in filter(None, map(phrase, parsed.excluded)):
        expression += f" NOT {excluded}"
    return expression


def _marked_spans(text: str, stems: set[str], language: str) -> list[tuple[int, int]]:
    language = words.language_of(language)
    stop = words.STOP_WORDS[language]
    spans = []
    for match in words.tokens(text):
        word = match.group().lower()
        if word not in stop and words.stem(word, language) in stems:
            spans.append(match.span())
    return spans


def highlight(text: str, stems: set[str], language: str) -> SafeString:
    """``text`` as HTML with each word whose stem was searched for inside <mark>."""
    return _render(text, _marked_spans(text, stems, language), 0, len(text))


def snippet(post: Post, stems: set[str]) -> SafeString:
    """A short piece of the post around the first match, marked; the start of the text
    (or the excerpt) when only the title matched."""
    candidates = [" ".join(post.excerpt.split()), " ".join(plain_body(post).split())]
    for text in candidates:
        spans = _marked_spans(text, stems, post.language)
        if spans:
            start = max(0, spans[0][0] - SNIPPET_CHARS // 3)
            if start:
                # Begin at a word boundary.
                space = text.find(" ", start)
                start = space + 1 if 0 <= space < spans[0][0] else spans[0][0]
            return _render(text, spans, start, start + SNIPPET_CHARS)
    text = next((text for text in candidates if text), "")
    return _render(text, [], 0, SNIPPET_CHARS)


def _render(text: str, spans: list[tuple[int, int]], start: int, end: int) -> SafeString:
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    else:
        end = len(text)
    pieces = ["…" if start > 0 else ""]
    position = start
    for span_start, span_end in spans:
        if span_start < position or span_end > end:
            continue
        pieces.append(escape(text[position:span_start]))
        pieces.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        position = span_end
    pieces.append(escape(text[position:end]))
    if end < len(text):
        pieces.append("…")
    return mark_safe("".join(pieces))  # noqa: S308 - every piece of text is escaped above
