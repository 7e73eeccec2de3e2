"""dailypapers.domain.arxiv_ids: every form of arXiv id people paste, and clear refusals."""

from __future__ import annotations

import pytest

from dailypapers.domain.arxiv_ids import ArxivId, abs_url, parse_arxiv_id, pdf_url
from dailypapers.errors import BadRequest, InvalidArxivId

# --- accepted forms ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "base", "version"),
    [
        ("2405.15738", "2405.15738", None),
        ("0704.0001", "0704.0001", None),
        ("1412.8765", "1412.8765", None),
        ("1501.00001", "1501.00001", None),
    ],
)
def test_plain_new_style_id_parses_without_version(raw, base, version):
    assert parse_arxiv_id(raw) == ArxivId(base, version)


def test_versioned_id_keeps_its_version():
    parsed = parse_arxiv_id("2405.15738v3")
    assert parsed.base == "2405.15738"
    assert parsed.version == 3


def test_four_digit_id_from_before_2015_keeps_its_version():
    assert parse_arxiv_id("0704.0001v2") == ArxivId("0704.0001", 2)


def test_multi_digit_version_is_read_as_a_number():
    assert parse_arxiv_id("2405.15738v12").version == 12


@pytest.mark.parametrize("raw", ["arXiv:2405.15738", "arxiv:2405.15738", "ARXIV:2405.15738"])
def test_arxiv_prefix_is_stripped_in_any_case(raw):
    assert parse_arxiv_id(raw) == ArxivId("2405.15738")


def test_arxiv_prefix_with_version():
    assert parse_arxiv_id("arXiv:2405.15738v2") == ArxivId("2405.15738", 2)


def test_surrounding_whitespace_is_ignored():
    assert parse_arxiv_id("  2405.15738v1 \n") == ArxivId("2405.15738", 1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://arxiv.org/abs/2405.15738", ArxivId("2405.15738")),
        ("https://arxiv.org/abs/2405.15738v2", ArxivId("2405.15738", 2)),
        ("http://arxiv.org/abs/2405.15738", ArxivId("2405.15738")),
        ("https://www.arxiv.org/abs/2405.15738", ArxivId("2405.15738")),
        ("http://www.arxiv.org/abs/2405.15738v4", ArxivId("2405.15738", 4)),
        ("arxiv.org/abs/2405.15738", ArxivId("2405.15738")),
        ("www.arxiv.org/abs/2405.15738", ArxivId("2405.15738")),
        ("HTTPS://ARXIV.ORG/ABS/2405.15738", ArxivId("2405.15738")),
        ("https://export.arxiv.org/abs/2405.15738", ArxivId("2405.15738")),
        ("https://arxiv.org/abs/2405.15738/", ArxivId("2405.15738")),
        ("https://arxiv.org/abs/2405.15738?context=cs.CV", ArxivId("2405.15738")),
        ("https://arxiv.org/abs/2405.15738v2#S3", ArxivId("2405.15738", 2)),
    ],
)
def test_abs_urls_parse(raw, expected):
    assert parse_arxiv_id(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://arxiv.org/pdf/2405.15738", ArxivId("2405.15738")),
        ("https://arxiv.org/pdf/2405.15738v2", ArxivId("2405.15738", 2)),
        ("https://arxiv.org/pdf/2405.15738.pdf", ArxivId("2405.15738")),
        ("https://arxiv.org/pdf/2405.15738v2.pdf", ArxivId("2405.15738", 2)),
        ("http://www.arxiv.org/pdf/2405.15738v1.PDF", ArxivId("2405.15738", 1)),
        ("https://arxiv.org/pdf/0704.0001v1", ArxivId("0704.0001", 1)),
    ],
)
def test_pdf_urls_parse_with_or_without_pdf_suffix(raw, expected):
    assert parse_arxiv_id(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://arxiv.org/html/2405.15738", ArxivId("2405.15738")),
        ("https://arxiv.org/html/2405.15738v1", ArxivId("2405.15738", 1)),
        ("https://arxiv.org/html/2405.15738v1/", ArxivId("2405.15738", 1)),
    ],
)
def test_html_urls_parse(raw, expected):
    assert parse_arxiv_id(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "https://huggingface.co/papers/2405.15738",
        "http://huggingface.co/papers/2405.15738",
        "https://www.huggingface.co/papers/2405.15738",
        "huggingface.co/papers/2405.15738",
        "https://huggingface.co/papers/2405.15738?utm_source=digest",
    ],
)
def test_hugging_face_paper_urls_parse(raw):
    assert parse_arxiv_id(raw) == ArxivId("2405.15738")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("hep-th/9901001", ArxivId("hep-th/9901001")),
        ("hep-th/9901001v3", ArxivId("hep-th/9901001", 3)),
        ("math.GT/0309136", ArxivId("math.GT/0309136")),
        ("math.GT/0309136v2", ArxivId("math.GT/0309136", 2)),
        ("cond-mat/0011223", ArxivId("cond-mat/0011223")),
        ("arXiv:hep-th/9901001", ArxivId("hep-th/9901001")),
        ("https://arxiv.org/abs/hep-th/9901001v1", ArxivId("hep-th/9901001", 1)),
        ("https://arxiv.org/pdf/math.GT/0309136v2.pdf", ArxivId("math.GT/0309136", 2)),
    ],
)
def test_old_style_ids_parse(raw, expected):
    assert parse_arxiv_id(raw) == expected


def test_str_of_an_id_puts_the_version_back():
    assert str(parse_arxiv_id("https://arxiv.org/abs/2405.15738v2")) == "2405.15738v2"
    assert str(parse_arxiv_id("math.GT/0309136v2")) == "math.GT/0309136v2"


def test_str_of_an_unversioned_id_is_its_base():
    assert str(parse_arxiv_id("arXiv:2405.15738")) == "2405.15738"


def test_urls_are_built_from_the_base():
    assert abs_url("2405.15738") == "https://arxiv.org/abs/2405.15738"
    assert pdf_url("hep-th/9901001") == "https://arxiv.org/pdf/hep-th/9901001"


# --- refusals ------------------------------------------------------------------------------


def _refusal(raw: object) -> str:
    with pytest.raises(InvalidArxivId) as caught:
        parse_arxiv_id(raw)  # type: ignore[arg-type]
    return caught.value.message


def test_month_13_is_refused_naming_the_month():
    message = _refusal("2413.12345")
    assert "month 13 does not exist" in message
    assert "2413.12345" in message


def test_month_00_is_refused():
    assert "month 00 does not exist" in _refusal("2400.12345")


def test_four_digit_number_after_2015_is_refused():
    message = _refusal("2405.1573")
    assert "since 2015 ids have 5 digits" in message


def test_four_digit_number_in_2015_itself_is_refused():
    assert "5 digits" in _refusal("1501.0001")


def test_five_digit_number_before_2015_is_refused():
    # The module's own rule: YYMM.NNNN for 2007-2014, YYMM.NNNNN from 2015.
    _refusal("1412.12345")


def test_version_zero_is_refused():
    assert "versions start at 1" in _refusal("2405.15738v0")


def test_version_zero_of_an_old_style_id_is_refused():
    _refusal("hep-th/9901001v0")


def test_month_13_in_an_old_style_id_is_refused():
    # Old-style ids are archive/YYMMNNN: 9913001 would be from a 13th month of 1999.
    _refusal("hep-th/9913001")


@pytest.mark.parametrize(
    "raw",
    [
        "hello",
        "2405",
        "2405.157",
        "2405.157381",
        "2405.15738v",
        "2405-15738",
        "24051.5738",
        "https://example.com/abs/2405.15738",
        "https://arxiv.org/list/cs.CV/new",
        "hep-th/990100",
        "HEP-TH/9901001",
        "2405.15738 2405.15739",
    ],
)
def test_garbage_is_refused_with_an_example_of_a_valid_id(raw):
    message = _refusal(raw)
    assert "is not an arXiv id" in message
    assert "2405.15738" in message  # the example shows what to paste instead


@pytest.mark.parametrize("raw", ["", "   ", "\n"])
def test_empty_input_is_refused(raw):
    assert "is not an arXiv id" in _refusal(raw)


def test_overlong_input_is_refused_before_parsing():
    message = _refusal("https://arxiv.org/abs/2405.15738?" + "x" * 300)
    assert message == "arXiv id is too long"


def test_url_of_exactly_200_characters_is_still_parsed():
    url = "https://arxiv.org/abs/2405.15738?"
    url += "x" * (200 - len(url))
    assert len(url) == 200
    assert parse_arxiv_id(url) == ArxivId("2405.15738")
    assert _refusal(url + "x") == "arXiv id is too long"


@pytest.mark.parametrize(
    ("raw", "type_name"),
    [(None, "NoneType"), (2405.15738, "float"), (240515738, "int"), (b"2405.15738", "bytes")],
)
def test_non_string_is_refused_naming_its_type(raw, type_name):
    assert _refusal(raw) == f"arXiv id must be a string, got {type_name}"


def test_invalid_id_is_a_bad_request():
    with pytest.raises(BadRequest) as caught:
        parse_arxiv_id("nope")
    assert caught.value.status == 400
    assert caught.value.code == "invalid_arxiv_id"


@pytest.mark.parametrize("raw", ["2413.12345", ""])
def test_an_impossible_month_or_nothing_is_not_an_id(raw):
    assert parse_arxiv_id("https://arxiv.org/abs/2405.15738v2").base == "2405.15738"
    with pytest.raises(BadRequest):
        parse_arxiv_id(raw)
