"""Query words, and how they reach FTS5 MATCH and tsquery: never as syntax."""

from __future__ import annotations

import sqlite3

import pytest

from dailypapers.domain.search import MAX_QUERY_TERMS, parse_query, query_terms
from dailypapers.search.stemming import stem
from dailypapers.storage.keyword_index import fts5_match
from dailypapers.storage.tsvector_index import tsquery_text

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


def test_quotes_make_a_phrase_and_a_leading_minus_an_exclusion() -> None:
    parts = parse_query('"Chain of Thought" reasoning -vision -"vision language"')
    assert parts.terms == ["chain", "thought", "reasoning"]
    assert parts.phrases == [("chain", "of", "thought")]
    assert parts.excluded == [("vision",), ("vision", "language")]


def test_a_query_without_the_syntax_reads_as_before() -> None:
    for query in ["state-of-the-art GPT-4o x_y", 'an "unclosed quote', "a - b", *NASTY]:
        parts = parse_query(query)
        if '"' not in query and " -" not in query and not query.startswith("-"):
            assert parts.terms == query_terms(query)
            assert not parts.constrained


def test_a_minus_before_a_digit_is_a_sign_not_an_exclusion() -> None:
    parts = parse_query("E2f-1, -2, -3 cells at -0.5 V")
    assert not parts.excluded and parts.terms == query_terms("E2f-1, -2, -3 cells at -0.5 V")


def test_a_query_of_exclusions_only_reads_as_plain_words() -> None:
    parts = parse_query("-vision -audio")
    assert parts.terms == ["vision", "audio"] and not parts.constrained
    assert parse_query('-"vision language"').terms == ["vision", "language"]


def test_fts5_phrases_are_required_and_exclusions_cut() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize='porter unicode61')")
    rows = [
        "chain of thought prompting for reasoning",  # 1
        "thought experiments on a chain of reasoning",  # 2
        "chain-of-thought reasoning in vision models",  # 3
    ]
    conn.executemany("INSERT INTO t VALUES (?)", [(r,) for r in rows])

    def found(expression: str) -> list[int]:
        query = "SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid"
        return [r for (r,) in conn.execute(query, (expression,))]

    phrase = [("chain", "of", "thought")]
    assert found(fts5_match(["reasoning"], "all")) == [1, 2, 3]
    assert found(fts5_match(["reasoning"], "all", phrase)) == [1, 3]
    assert found(fts5_match(["reasoning"], "all", phrase, [("vision",)])) == [1]
    assert found(fts5_match(["reasoning", "chain"], "any", (), [("vision",)])) == [1, 2]
    assert found(fts5_match(["a", "b", "reasoning"], "most", phrase, [("vision",)])) == []
    assert found(fts5_match(["reasoning"], "all", [('say "hi"',)])) == []  # still quoted


def test_author_and_category_fields_come_out_of_the_words() -> None:
    parts = parse_query('author:"Yann LeCun" convolution cat:cs.cl')
    assert parts.terms == ["convolution"]
    assert parts.authors == [("yann", "lecun")]
    assert parts.categories == ["cs.CL"]
    assert parts.text == "convolution"
    assert parts.constrained  # an author binds the vectors' finds too


def test_field_spellings() -> None:
    assert parse_query("AUTHOR:LeCun").authors == [("lecun",)]
    assert parse_query("category:hep-th strings").categories == ["hep-th"]
    assert parse_query("Category:math.AG x").categories == ["math.AG"]
    assert parse_query("cat:cond-mat.stat-mech x").categories == ["cond-mat.stat-mech"]


def test_an_author_alone_ranks_by_the_name() -> None:
    parts = parse_query("author:lecun")
    assert parts.terms == ["lecun"] and parts.authors == [("lecun",)] and parts.text == ""


def test_a_field_that_is_not_one_stays_words() -> None:
    for query in ["cat:??? foo", "the cat: sat", "concat:x", "author:"]:
        parts = parse_query(query)
        assert not parts.authors and not parts.categories
        assert parts.text == " ".join(query.split())
