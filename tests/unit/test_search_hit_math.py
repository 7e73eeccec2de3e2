"""A search hit's highlighted title and snippet keep their math typeset and whole."""

from __future__ import annotations

from dailypapers.domain.search import Span
from dailypapers.presenters.search_hits import highlight, snippet


def test_highlighted_title_with_math_marks_words_and_typesets_the_formula() -> None:
    title = r"Sparse Attention in $\mathcal{O}(n)$ Time"
    start = title.index("Attention")
    html = str(highlight(title, [Span(start, start + len("Attention"))]))
    assert html.startswith("Sparse <mark>Attention</mark> in <math ")
    assert "\\mathcal" not in html.split("<annotation")[0]


def test_snippet_never_cuts_a_formula_in_two() -> None:
    formula = r"$\mathcal{O}(n \log n)$"
    abstract = "x " * 60 + formula + " of" * 24 + " match" + " y" * 200
    at = abstract.index("match")
    assert abstract.index(formula) < at - 80 < abstract.index(formula) + len(formula)
    html = str(snippet(abstract, [Span(at, at + 5)]))
    # the window would start 80 characters before the match, inside the formula: widened
    assert "<mark>match</mark>" in html
    assert html.count("<math") == 1
    assert "$" not in html
