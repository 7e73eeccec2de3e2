"""TeX in titles and abstracts: typeset as MathML for pages, cleaned for feeds and mail.

The examples are real: the ids name the demo paper (src/dailypapers/demo) or the arXiv
listing (../shared/data/arxiv_daily_cs) they come from.
"""

from __future__ import annotations

import re

import pytest

from dailypapers.domain.tex import safe_window, to_html, to_plain

# Text a reader sees on a page: tags and the (undisplayed) TeX annotation removed.
_ANNOTATION = re.compile(r"<annotation[^>]*>.*?</annotation>", re.S)
_TAG = re.compile(r"<[^>]+>")


def visible(html: str) -> str:
    return _TAG.sub("", _ANNOTATION.sub("", html))


def test_inline_formula_becomes_mathml_with_its_source_as_annotation() -> None:
    html = to_html(r"An $\mathcal{O}(n)$ sort")  # the issue's own example
    assert html.startswith('An <math display="inline"><semantics><mrow>')
    assert "<mi>\U0001d4aa</mi>" in html  # 𝒪, MATHEMATICAL SCRIPT CAPITAL O
    assert '<annotation encoding="application/x-tex">\\mathcal{O}(n)</annotation>' in html
    assert "\\" not in visible(html)


def test_parenthesised_formula_from_the_demo_is_typeset() -> None:
    # 2606.02641: "admissible only inside \(B_j(s) = β(π_j)α_j^{\max}(s)\), a cooperation"
    html = to_html(r"only inside \(B_j(s) = β(π_j)α_j^{\max}(s)\), a cooperation envelope")
    assert "<msubsup><mi>α</mi><mi>j</mi><mrow><mo>max</mo></mrow></msubsup>" in html
    assert visible(html).endswith(", a cooperation envelope")
    assert "\\" not in visible(html)


def test_display_formula_is_a_block() -> None:
    assert '<math display="block">' in to_html(r"we show $$\sum_i x_i^2$$ holds")


def test_alpha_divergence_keeps_its_hyphenated_word() -> None:
    html = to_html(r"the $\alpha$-divergence family")
    assert "<mi>α</mi>" in html
    assert visible(html) == "the α-divergence family"


def test_text_macros_become_markup_and_escapes_their_characters() -> None:
    # 2608.14036, 2607.00052, 2606.08348, 2607.23514, 2607.24957 in the demo
    assert to_html(r"the \textbf{Knowing--Using Gap}") == "the <strong>Knowing–Using Gap</strong>"
    assert to_html(r"the {\it key nodes} that") == "the <em>key nodes</em> that"
    assert to_html(r"\emph{x} and \texttt{y}") == "<em>x</em> and <code>y</code>"
    assert to_html(r"from 80\% to 95\%, R\&D") == "from 80% to 95%, R&amp;D"
    assert to_html(r"17.09\%--29.30\% unsolved---no") == "17.09%–29.30% unsolved—no"


def test_unknown_macros_are_stripped_to_their_argument_or_name() -> None:
    # 2606.27771 "\methodname", 2607.27670 "\ours{}", 2607.17146 "LLaMA\nobreakdash-3.1"
    assert to_html(r"we propose \methodname, a") == "we propose methodname, a"
    assert to_html(r"We introduce \ours{}, a benchmark") == "We introduce ours, a benchmark"
    assert to_html(r"\foo{bar} baz") == "bar baz"
    assert to_plain(r"LLaMA\nobreakdash-3.1 at 131{,}072") == "LLaMA-3.1 at 131,072"


def test_a_math_symbol_in_text_is_typeset() -> None:
    # 2607.02255: "(Fisher exact p\approx0.37)"
    html = to_html(r"(Fisher exact p\approx0.37)")
    assert "<mo>≈</mo>" in html
    assert to_plain(r"(Fisher exact p\approx0.37)") == "(Fisher exact p≈0.37)"


@pytest.mark.parametrize(
    "text",
    [
        "with less than $11 in total API cost",  # 2606.13662
        "costs $8.1 per manuscript ... for under $3, reaching",  # 2608.11924 + 2608.13560
        "only US$44 in model-token charges",  # 2608.10450
    ],
)
def test_dollar_amounts_are_not_formulas(text: str) -> None:
    assert to_html(text) == text
    assert to_plain(text) == text


def test_escaped_dollar_is_a_dollar() -> None:
    # 2607.13125: "training cost is only approximately \$400K"
    assert to_html(r"only approximately \$400K. We") == "only approximately $400K. We"


def test_plain_text_has_no_backslash() -> None:
    title = r"$\mathcal{O}(n^2)$ Sorting with \emph{Learned} $\ell_1$ Keys"
    assert to_plain(title) == "O(n^2) Sorting with Learned ℓ_1 Keys"


def test_markup_inside_a_formula_is_escaped_never_run() -> None:
    html = to_html(r"a $\text{<script>alert(1)</script>}$ and $a<b$")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<mo>&lt;</mo>" in html


def test_a_formula_with_a_link_or_unknown_macro_is_shown_cleaned() -> None:
    html = to_html(r"see $\href{javascript:alert(1)}{here}$ and $\frobnicate x$")
    assert "javascript" not in html
    assert "<math" not in html
    assert visible(html) == "see here and frobnicate x"


def test_plain_html_text_is_escaped() -> None:
    assert to_html("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"


def test_marks_wrap_text_and_whole_formulas() -> None:
    text = r"Sorting in $\mathcal{O}(n)$ time"
    html = to_html(text, marks=[(0, 7), (text.index("O"), text.index("O") + 1)])
    assert html.startswith("<mark>Sorting</mark> in <mark><math ")
    assert html.endswith("</math></mark> time")


def test_safe_window_never_cuts_a_formula() -> None:
    text = r"We bound it by $\mathcal{O}(n \log n)$ in all cases"
    inside = text.index("log")
    start, end = safe_window(text, inside, len(text))
    assert start == text.index("$")
    start, end = safe_window(text, 0, inside)
    assert end == text.rindex("$") + 1
