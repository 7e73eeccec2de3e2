"""dailypapers.ingest.hf_daily.parse_hf_record on real HF Daily Papers data.

Three API shapes (2024-05-27: no `submittedOnDailyAt`; 2025-07-24; 2026-08-21: organizations)
and flat JSONL rows from ../shared/data/hf_daily_papers.
"""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import pytest

from dailypapers.errors import RecordError
from dailypapers.ingest.fields import RecordLimits
from dailypapers.ingest.hf_daily import parse_hf_record


def _item(hf_api_day, day: str, index: int = 0) -> dict:
    return copy.deepcopy(hf_api_day(day)[index])


def _reason(obj, limits=None) -> str:
    with pytest.raises(RecordError) as caught:
        parse_hf_record(obj, limits or RecordLimits())
    return caught.value.reason


# --- API items: the oldest shape -----------------------------------------------------------


def test_oldest_api_shape_is_featured_on_the_items_published_day(hf_api_day, limits):
    item = _item(hf_api_day, "2024-05-27")
    assert "submittedOnDailyAt" not in item["paper"]
    record = parse_hf_record(item, limits, position=0)
    [entry] = record.entries
    assert entry.day == date(2024, 5, 27)
    assert entry.submitted_at == datetime(2024, 5, 27, 3, 50, 58, 348000, tzinfo=UTC)
    assert entry.source == "hf"
    assert entry.arxiv_id == "2405.15738"
    assert entry.position == 0


def test_oldest_api_shape_keeps_the_papers_own_publication_time(hf_api_day, limits):
    paper = parse_hf_record(_item(hf_api_day, "2024-05-27"), limits).paper
    assert paper.published_at == datetime(2024, 5, 24, 17, 34, 15, tzinfo=UTC)


def test_item_title_is_preferred_to_the_wrapped_paper_title(hf_api_day, limits):
    item = _item(hf_api_day, "2024-05-27")
    item["title"] = "ConvLLaVA (as titled on the daily page)"
    paper = parse_hf_record(item, limits).paper
    assert paper.title == "ConvLLaVA (as titled on the daily page)"


def test_paper_title_is_used_and_collapsed_when_the_item_has_none(hf_api_day, limits):
    item = _item(hf_api_day, "2024-05-27")
    assert "\n" in item["paper"]["title"]
    del item["title"]
    paper = parse_hf_record(item, limits).paper
    assert paper.title == (
        "ConvLLaVA: Hierarchical Backbones as Visual Encoder for Large Multimodal Models"
    )


def test_api_upvotes_become_external_upvotes(hf_api_day, limits):
    paper = parse_hf_record(_item(hf_api_day, "2024-05-27"), limits).paper
    assert paper.external_upvotes == 32
    assert paper.external_comments == 3
    assert paper.local_upvotes == 0
    assert paper.upvotes == 32


def test_api_abstract_has_its_line_wraps_collapsed(hf_api_day, limits):
    paper = parse_hf_record(_item(hf_api_day, "2024-05-27"), limits).paper
    assert paper.abstract.startswith(
        "High-resolution Large Multimodal Models (LMMs) encounter the challenges of excessive"
    )
    assert "\n" not in paper.abstract


def test_api_authors_are_read_from_name_objects(hf_api_day, limits):
    paper = parse_hf_record(_item(hf_api_day, "2024-05-27"), limits).paper
    assert paper.authors[:2] == ["Chunjiang Ge", "Sijie Cheng"]
    assert len(paper.authors) == len(hf_api_day("2024-05-27")[0]["paper"]["authors"])


def test_oldest_api_shape_has_no_submitter(hf_api_day, limits):
    record = parse_hf_record(_item(hf_api_day, "2024-05-27"), limits)
    assert record.entries[0].submitted_by is None


def test_every_item_of_each_api_day_parses(hf_api_day, limits):
    for day in ("2024-05-27", "2025-07-24", "2026-08-21"):
        for item in hf_api_day(day):
            record = parse_hf_record(item, limits)
            assert record.entries[0].day == date.fromisoformat(day), item["paper"]["id"]


# --- API items: 2025 and 2026 shapes -------------------------------------------------------


def test_submitted_on_daily_at_decides_the_featured_day(hf_api_day, limits):
    item = _item(hf_api_day, "2026-08-21")
    assert item["publishedAt"].startswith("2026-08-19")  # would give the wrong day
    [entry] = parse_hf_record(item, limits).entries
    assert entry.day == date(2026, 8, 21)
    assert entry.submitted_at == datetime(2026, 8, 21, tzinfo=UTC)


def test_2025_item_reads_links_stars_and_ai_fields(hf_api_day, limits):
    record = parse_hf_record(_item(hf_api_day, "2025-07-24"), limits)
    paper = record.paper
    assert paper.arxiv_id == "2507.17744"
    assert paper.title == "Yume: An Interactive World Generation Model"
    assert paper.github_repo == "https://github.com/stdstu12/YUME"
    assert paper.github_stars == 22
    assert paper.project_page == "https://stdstu12.github.io/YUME-Project/"
    assert paper.thumbnail == (
        "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2507.17744.png"
    )
    assert paper.ai_summary.startswith("A framework for generating and exploring")
    assert "camera motion quantization" in paper.ai_keywords
    assert paper.external_upvotes == 22
    assert record.entries[0].day == date(2025, 7, 24)
    assert record.entries[0].submitted_at == datetime(2025, 7, 24, 4, 38, 47, 770000, tzinfo=UTC)


def test_submitter_comes_from_submitted_by(hf_api_day, limits):
    record = parse_hf_record(_item(hf_api_day, "2025-07-24"), limits)
    assert record.entries[0].submitted_by == "kpzhang996"


def test_submitter_falls_back_to_submitted_on_daily_by(hf_api_day, limits):
    item = _item(hf_api_day, "2025-07-24", 1)
    del item["submittedBy"]
    assert "name" not in item["paper"]["submittedOnDailyBy"]  # only `user` in this shape
    record = parse_hf_record(item, limits)
    assert record.entries[0].submitted_by == "yu0226"


def test_organization_is_read_from_the_paper_object(hf_api_day, limits):
    paper = parse_hf_record(_item(hf_api_day, "2026-08-21"), limits).paper
    assert paper.organization == "google"
    assert paper.github_stars == 8


def test_organization_falls_back_to_the_item(hf_api_day, limits):
    item = _item(hf_api_day, "2026-08-21", 1)
    del item["paper"]["organization"]
    assert parse_hf_record(item, limits).paper.organization == item["organization"]["name"]


def test_hidden_authors_are_left_out(hf_api_day, limits):
    item = _item(hf_api_day, "2025-07-24")
    item["paper"]["authors"][0]["hidden"] = True
    paper = parse_hf_record(item, limits).paper
    assert "Xiaofeng Mao" not in paper.authors
    assert paper.authors[0] == "Shaoheng Lin"


def test_versioned_api_id_keeps_its_version(hf_api_day, limits):
    item = _item(hf_api_day, "2025-07-24")
    item["paper"]["id"] = "2507.17744v2"
    paper = parse_hf_record(item, limits).paper
    assert (paper.arxiv_id, paper.version) == ("2507.17744", 2)


# --- flat JSONL rows -----------------------------------------------------------------------


def test_row_is_featured_on_its_date(hf_rows, limits):
    record = parse_hf_record(hf_rows["2405.15738"], limits, position=7)
    [entry] = record.entries
    assert (entry.arxiv_id, entry.day, entry.source, entry.position) == (
        "2405.15738",
        date(2024, 5, 27),
        "hf",
        7,
    )
    assert entry.submitted_at == datetime(2024, 5, 27, 3, 50, 58, 348000, tzinfo=UTC)


def test_row_upvotes_become_external_upvotes(hf_rows, limits):
    paper = parse_hf_record(hf_rows["2405.15738"], limits).paper
    assert paper.external_upvotes == 32
    assert paper.external_comments == 3
    assert paper.published_at == datetime(2024, 5, 24, 17, 34, 15, tzinfo=UTC)
    assert paper.authors[0] == "Chunjiang Ge"
    assert paper.version is None


def test_row_keeps_latex_in_the_title(hf_rows, limits):
    paper = parse_hf_record(hf_rows["2405.17258"], limits).paper
    assert paper.title == (
        r"$\textit{Trans-LoRA}$: towards data-free Transferable Parameter Efficient Finetuning"
    )


def test_row_has_no_categories_unless_it_carries_them(hf_rows, limits):
    # HF rows have none; the bundled demo rows carry the arXiv listings' (make_demo_data.py)
    assert parse_hf_record(hf_rows["2405.15738"], limits).paper.categories == []
    row = {**hf_rows["2405.15738"], "categories": ["cs.CV", "cs.CL", "I.2.7", "cs.CV"]}
    assert parse_hf_record(row, limits).paper.categories == ["cs.CV", "cs.CL"]


def test_row_submitter_is_the_submitted_by_name(hf_rows, limits):
    record = parse_hf_record(hf_rows["2406.06523"], limits)
    assert record.entries[0].submitted_by == "yulunliu"


def test_row_without_submitter_has_none(hf_rows, limits):
    assert parse_hf_record(hf_rows["2405.15738"], limits).entries[0].submitted_by is None


def test_row_reads_github_project_page_and_ai_fields(hf_rows, limits):
    paper = parse_hf_record(hf_rows["2506.19851"], limits).paper
    assert paper.github_repo == "https://github.com/anima-x/anima-x"
    assert paper.github_stars == 20
    assert paper.project_page == "https://anima-x.github.io/"
    assert paper.ai_summary.startswith("AnimaX creates multi-skeleton 3D animations")
    assert paper.ai_keywords[0] == "feed-forward 3D animation framework"


def test_row_title_whitespace_is_collapsed(hf_rows, limits):
    row = dict(hf_rows["2405.15738"], title="ConvLLaVA:\n  Hierarchical   Backbones ")
    assert parse_hf_record(row, limits).paper.title == "ConvLLaVA: Hierarchical Backbones"


# --- malformed records ---------------------------------------------------------------------


@pytest.mark.parametrize("value", [[], "a string", 3, None])
def test_non_object_record_is_refused(value):
    assert _reason(value).startswith("expected a JSON object")


def test_object_of_neither_shape_is_refused():
    assert "neither an HF API item" in _reason({"id": "2405.15738"})


def test_paper_that_is_not_an_object_names_the_field():
    assert _reason({"paper": "2405.15738"}) == "'paper' must be an object"


def test_api_item_without_any_featured_date_is_refused(hf_api_day):
    item = _item(hf_api_day, "2024-05-27")
    del item["publishedAt"]
    assert "no featured date" in _reason(item)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda i: i["paper"].pop("id"), "paper.id"),
        (lambda i: i["paper"].__setitem__("id", "not-an-id"), "paper.id"),
        (lambda i: i["paper"].__setitem__("upvotes", -3), "paper.upvotes"),
        (lambda i: i["paper"].__setitem__("upvotes", True), "paper.upvotes"),
        (lambda i: i["paper"].__setitem__("githubStars", "22"), "githubStars"),
        (lambda i: i["paper"].__setitem__("projectPage", "ftp://x"), "projectPage"),
        (lambda i: i["paper"].__setitem__("githubRepo", "github.com/a/b"), "githubRepo"),
        (lambda i: i["paper"].__setitem__("authors", 12), "authors"),
        (lambda i: i["paper"].__setitem__("submittedOnDailyAt", "yesterday"), "submittedOnDailyAt"),
        (lambda i: i.__setitem__("numComments", -1), "numComments"),
        (lambda i: i.__setitem__("title", 12), "title"),
    ],
)
def test_malformed_api_item_names_the_field(hf_api_day, mutate, field):
    item = _item(hf_api_day, "2025-07-24")
    mutate(item)
    assert field in _reason(item)


def test_api_item_without_any_title_is_refused(hf_api_day):
    item = _item(hf_api_day, "2025-07-24")
    del item["title"]
    del item["paper"]["title"]
    assert _reason(item) == "missing title"


def test_title_over_the_limit_is_refused(hf_api_day):
    item = _item(hf_api_day, "2025-07-24")
    assert "title is longer than 20" in _reason(item, RecordLimits(max_title_chars=20))


def _row_without(row: dict, key: str) -> dict:
    return {k: v for k, v in row.items() if k != key}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"arxiv_id": ""}, "arxiv_id"),
        ({"arxiv_id": "2405.1573"}, "arxiv_id"),
        ({"title": None}, "title"),
        ({"title": 123}, "title"),
        ({"date": "2024-02-30"}, "date"),
        ({"date": None}, "date"),
        ({"published_at": "soon"}, "published_at"),
        ({"upvotes": -1}, "upvotes"),
        ({"upvotes": True}, "upvotes"),
        ({"num_comments": 1.5}, "num_comments"),
        ({"github_stars": -20}, "github_stars"),
        ({"authors": 9}, "authors"),
        ({"project_page": "ftp://x"}, "project_page"),
        ({"thumbnail": "//cdn.example/x.png"}, "thumbnail"),
        ({"ai_keywords": "a, b"}, "ai_keywords"),
    ],
)
def test_malformed_row_names_the_field(hf_rows, change, field):
    row = dict(hf_rows["2405.15738"], **change)
    assert field in _reason(row)


def test_row_without_a_title_key_is_refused(hf_rows):
    assert _reason(_row_without(hf_rows["2405.15738"], "title")) == "missing title"


def test_row_title_over_the_limit_is_refused(hf_rows):
    reason = _reason(hf_rows["2405.15738"], RecordLimits(max_title_chars=10))
    assert reason == "title is longer than 10 characters"


def test_row_abstract_over_the_limit_is_refused(hf_rows):
    reason = _reason(hf_rows["2405.15738"], RecordLimits(max_abstract_chars=100))
    assert reason == "abstract is longer than 100 characters"


def test_row_authors_are_cut_to_the_limit(hf_rows):
    paper = parse_hf_record(hf_rows["2405.15738"], RecordLimits(max_authors=2)).paper
    assert paper.authors == ["Chunjiang Ge", "Sijie Cheng"]
