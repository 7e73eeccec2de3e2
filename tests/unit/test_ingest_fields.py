"""dailypapers.ingest.fields: field validation shared by every source; errors name the field."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dailypapers.config import Settings
from dailypapers.domain.arxiv_ids import ArxivId
from dailypapers.errors import RecordError
from dailypapers.ingest import fields as f
from dailypapers.ingest.fields import RecordLimits


def _reason(call, *args, **kwargs) -> str:
    with pytest.raises(RecordError) as caught:
        call(*args, **kwargs)
    return caught.value.reason


# --- limits --------------------------------------------------------------------------------


def test_limits_come_from_settings():
    settings = Settings(_env_file=None, max_title_chars=80, max_abstract_chars=900, max_authors=3)
    assert RecordLimits.from_settings(settings) == RecordLimits(80, 900, 3)


# --- ids -----------------------------------------------------------------------------------


def test_id_field_accepts_a_versioned_id():
    assert f.arxiv_id("2405.15738v2") == ArxivId("2405.15738", 2)


@pytest.mark.parametrize("value", [None, ""])
def test_missing_id_names_the_field(value):
    assert _reason(f.arxiv_id, value, "paper.id") == "missing paper.id"


def test_bad_id_names_the_field_and_says_why():
    reason = _reason(f.arxiv_id, "2413.12345", "arxiv_id")
    assert reason.startswith("arxiv_id: ")
    assert "month 13" in reason


# --- text ----------------------------------------------------------------------------------


def test_hard_line_wraps_collapse_to_single_spaces():
    text = "Calculation of prompt diphoton production\n  cross sections at\tTevatron  "
    assert (
        f.clean_text(text, "title", limit=1000)
        == "Calculation of prompt diphoton production cross sections at Tevatron"
    )


def test_latex_is_kept_verbatim():
    text = r"Di$\mathtt{[M]}$O and $\alpha$-decay at 40\% of $\times$ 2"
    assert f.clean_text(text, "title", limit=1000) == text


def test_missing_required_text_names_the_field():
    assert _reason(f.clean_text, None, "title", limit=10) == "missing title"


def test_blank_required_text_names_the_field():
    assert _reason(f.clean_text, " \n\t ", "title", limit=10) == "empty title"


def test_missing_optional_text_is_empty():
    assert f.clean_text(None, "abstract", limit=10, required=False) == ""


def test_non_string_text_names_the_field_and_type():
    assert _reason(f.clean_text, 42, "title", limit=10) == "title must be a string, not int"
    assert _reason(f.clean_text, ["a"], "title", limit=10) == "title must be a string, not list"


def test_text_over_the_limit_names_the_field_and_limit():
    assert _reason(f.clean_text, "x" * 11, "title", limit=10) == (
        "title is longer than 10 characters"
    )


def test_text_at_the_limit_is_accepted_after_collapsing_whitespace():
    # 10 visible characters, but 14 before the line-wrap is collapsed.
    assert f.clean_text("abcd\n    efghi", "title", limit=10) == "abcd efghi"


def test_optional_text_absent_is_none():
    assert f.optional_text(None, "comment") is None
    assert f.optional_text("", "comment") is None


def test_optional_text_blank_is_none():
    # A comment of just a newline carries no information; it must not reject the record.
    assert f.optional_text(" \n ", "comment") is None


def test_optional_text_is_cleaned_and_capped():
    assert f.optional_text("11 pages,\n  3 figures", "comment") == "11 pages, 3 figures"
    assert "doi is longer than 5" in _reason(f.optional_text, "10.1000/xyz", "doi", 5)


# --- authors -------------------------------------------------------------------------------


def test_authors_from_a_list_of_names():
    assert f.authors(["Ada  Lovelace", " Alan\nTuring "], limit=10) == [
        "Ada Lovelace",
        "Alan Turing",
    ]


def test_authors_from_hf_objects_skip_hidden_ones():
    value = [{"name": "Chunjiang Ge", "hidden": False}, {"name": "Ghost", "hidden": True}]
    assert f.authors(value, limit=10) == ["Chunjiang Ge"]


def test_authors_from_a_comma_and_and_string():
    assert f.authors("A. Author, B. Author and C. Author", limit=10) == [
        "A. Author",
        "B. Author",
        "C. Author",
    ]


def test_authors_string_with_an_oxford_comma():
    assert f.authors("A. Author, B. Author, and C. Author", limit=10) == [
        "A. Author",
        "B. Author",
        "C. Author",
    ]


def test_and_inside_a_name_does_not_split_it():
    assert f.authors("Alexandra Sandler and Anders Andersen", limit=10) == [
        "Alexandra Sandler",
        "Anders Andersen",
    ]


def test_authors_are_cut_to_the_limit():
    assert f.authors(["A", "B", "C", "D"], limit=2) == ["A", "B"]


def test_blank_author_names_are_dropped():
    assert f.authors(["A", "  ", ""], limit=10) == ["A"]


def test_no_authors_is_an_empty_list():
    assert f.authors(None, limit=10) == []


@pytest.mark.parametrize("value", [7, 3.5, {"name": "A"}])
def test_authors_of_the_wrong_type_name_the_field(value):
    assert _reason(f.authors, value, limit=10).startswith("authors must be a list or a string")


def test_an_author_that_is_not_a_name_names_the_field():
    assert "authors must be names" in _reason(f.authors, ["A", 5], limit=10)
    assert "authors must be names" in _reason(f.authors, [{"name": None}], limit=10)


# --- categories ----------------------------------------------------------------------------


def test_categories_from_a_space_separated_string():
    assert f.categories("cs.CL cs.LG") == ["cs.CL", "cs.LG"]


def test_acm_and_msc_codes_are_dropped_from_categories():
    value = ["94A29, 94A08", "I.4.2; E.4", "68T50", "I.2.7", "cs.AI", "math-ph", "eess.IV"]
    assert f.categories(value) == ["cs.AI", "math-ph", "eess.IV"]


def test_duplicate_categories_are_kept_once_in_order():
    assert f.categories(["cs.LG", "cs.CL", "cs.LG"]) == ["cs.LG", "cs.CL"]


def test_categories_of_the_wrong_type_name_the_field():
    assert "categories must be" in _reason(f.categories, 12)


# --- dates ---------------------------------------------------------------------------------


def test_iso_timestamp_with_z_is_utc():
    assert f.timestamp("2024-05-27T03:50:58.348Z", "t") == datetime(
        2024, 5, 27, 3, 50, 58, 348000, tzinfo=UTC
    )


def test_timestamp_with_an_offset_is_converted_to_utc():
    assert f.timestamp("2024-05-27T05:00:00+02:00", "t") == datetime(2024, 5, 27, 3, tzinfo=UTC)


def test_naive_timestamp_is_taken_as_utc():
    assert f.timestamp("2024-05-27 03:00:00", "t") == datetime(2024, 5, 27, 3, tzinfo=UTC)


def test_rfc_2822_timestamp_as_in_kaggle_versions():
    assert f.timestamp("Mon, 2 Apr 2007 19:18:42 GMT", "created") == datetime(
        2007, 4, 2, 19, 18, 42, tzinfo=UTC
    )


def test_absent_timestamp_is_none():
    assert f.timestamp(None, "t") is None
    assert f.timestamp("", "t") is None


def test_unparsable_timestamp_names_the_field():
    assert _reason(f.timestamp, "last tuesday", "publishedAt") == (
        "publishedAt: unparsable date 'last tuesday'"
    )
    assert _reason(f.timestamp, "2024-02-30T10:00:00Z", "publishedAt").startswith("publishedAt")


def test_non_string_timestamp_names_the_field():
    assert _reason(f.timestamp, 1716780000, "publishedAt") == "publishedAt must be a date string"


def test_day_reads_the_date_part_of_a_timestamp():
    assert f.day("2024-05-27T03:50:58.348Z", "date") == date(2024, 5, 27)
    assert f.day(" 2024-05-27 ", "date") == date(2024, 5, 27)


def test_bad_day_names_the_field():
    assert _reason(f.day, "2024-13-01", "first_listed") == (
        "first_listed: unparsable date '2024-13-01'"
    )
    assert _reason(f.day, None, "date") == "missing date"


# --- counts, urls, keywords ----------------------------------------------------------------


def test_counts_accept_zero_and_positive_integers():
    assert f.count(0, "upvotes") == 0
    assert f.count(250, "upvotes") == 250
    assert f.count(None, "upvotes") is None


@pytest.mark.parametrize("value", [-1, True, False, 3.0, "12"])
def test_bad_counts_name_the_field(value):
    assert _reason(f.count, value, "upvotes") == "upvotes must be a non-negative integer"


def test_http_and_https_urls_are_accepted_and_trimmed():
    assert f.url(" https://github.com/a/b ", "githubRepo") == "https://github.com/a/b"
    assert f.url("http://example.org/", "projectPage") == "http://example.org/"


def test_blank_url_is_none():
    assert f.url(None, "projectPage") is None
    assert f.url("  ", "projectPage") is None


@pytest.mark.parametrize(
    "value", ["ftp://x", "javascript:alert(1)", "github.com/a/b", 5, "https://x/" + "a" * 2000]
)
def test_bad_urls_name_the_field(value):
    assert _reason(f.url, value, "project_page").startswith("project_page must be an http(s) URL")


def test_keywords_keep_strings_and_numbers_and_drop_the_rest():
    assert f.keywords(["LMM", 3, None, {"x": 1}]) == ["LMM", "3"]
    assert f.keywords(None) is None


def test_keywords_are_capped_at_100():
    assert len(f.keywords([f"k{i}" for i in range(150)])) == 100


def test_keywords_that_are_not_a_list_name_the_field():
    assert _reason(f.keywords, "LMM, vision") == "ai_keywords must be a list"
