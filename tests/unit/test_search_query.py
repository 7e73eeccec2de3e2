"""Query words, and how they reach FTS5 MATCH and tsquery: never as syntax."""

from __future__ import annotations

import sqlite3

import pytest

from dailypapers.domain.search import MAX_QUERY_TERMS, query_terms
from dailypapers.search.stemming import stem
from dailypapers.storage.keyword_index import fts5_match, tsquery_text

NASTY = [
    'he said "hi"',
    "x* -y +z",
    "title:attention",
    "(a OR b) AND NOT c",
    "NEAR(a b, 2)",
    "'; DROP TABLE papers; --",
    '"',
    "^start col:(x) {a b}",
    "\\mathcal{O}(n^2) $x$",
]


def test_query_terms_are_lower_cased_distinct_words_without_stopwords() -> None:
    assert query_terms("The Diffusion of diffusion models, in VIDEO!") == [
        "diffusion",
        "models",
        "video",
    ]


def test_a_query_of_only_stopwords_keeps_them() -> None:
    assert query_terms("the who") == ["the", "who"]


def test_query_terms_split_on_symbols_like_the_index_does() -> None:
    assert query_terms("state-of-the-art GPT-4o x_y") == ["state", "art", "gpt", "4o", "x", "y"]


def test_query_terms_are_capped() -> None:
    assert len(query_terms(" ".join(f"w{i}" for i in range(100)))) == MAX_QUERY_TERMS


@pytest.mark.parametrize("query", NASTY)
def test_fts5_match_expressions_from_any_query_are_valid_syntax(query: str) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='porter unicode61')")
    conn.execute("INSERT INTO t VALUES ('hi there title attention drop table')")
    for match in ("all", "most", "any"):
        for terms in (query_terms(query), query.split()):  # even raw, unclean words
            expression = fts5_match(terms, match)
            if expression:
                conn.execute("SELECT rowid FROM t WHERE t MATCH ?", (expression,)).fetchall()


def test_fts5_match_quotes_each_term_and_doubles_quotes() -> None:
    assert fts5_match(['a"b', "c"], "all") == '"a""b" AND "c"'
    assert fts5_match(["a", "b"], "any") == '"a" OR "b"'
    assert fts5_match([" ", ""], "any") == ""
    assert fts5_match(["a", "b", "c"], "most") == '("b" AND "c") OR ("a" AND "c") OR ("a" AND "b")'
    assert fts5_match(["a", "b"], "most") == '"a" OR "b"'


def test_tsquery_text_keeps_only_words() -> None:
    assert tsquery_text(['"x"', "-y", "or", "a:b"], "all") == "x y a b"
    assert tsquery_text(["a", "b"], "any") == "a or b"


def test_porter_stems_match_the_index() -> None:
    assert {stem("networks"), stem("network"), stem("networking")} == {"network"}
    assert stem("generalization") == "gener"
    assert stem("relational") == "relat"
