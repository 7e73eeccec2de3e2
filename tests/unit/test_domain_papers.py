"""dailypapers.domain.papers: the Paper record, its upvotes, and merging a new record in."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from dailypapers.domain.papers import SOURCE_FIELDS, ListingPage, Paper, merge_paper


def _paper(**overrides) -> Paper:
    base = Paper(
        arxiv_id="2405.15738",
        title="ConvLLaVA: Hierarchical Backbones",
        abstract="First abstract.",
        authors=["Chunjiang Ge", "Sijie Cheng"],
        version=2,
        categories=["cs.CV"],
        published_at=datetime(2024, 5, 24, 17, 34, tzinfo=UTC),
        updated_at=datetime(2024, 5, 30, 9, 0, tzinfo=UTC),
        comment="12 pages",
        github_repo="https://github.com/alibaba/conv-llava",
        github_stars=100,
        external_upvotes=32,
        external_comments=3,
    )
    return replace(base, **overrides)


# --- upvotes -------------------------------------------------------------------------------


def test_upvotes_sum_external_and_local_votes():
    assert _paper(external_upvotes=32, local_upvotes=5).upvotes == 37


def test_upvotes_without_external_count_are_the_local_votes():
    assert _paper(external_upvotes=None, local_upvotes=4).upvotes == 4


def test_upvotes_with_no_votes_at_all_are_zero():
    assert _paper(external_upvotes=None, local_upvotes=0).upvotes == 0


def test_primary_category_is_the_first_one():
    assert _paper(categories=["cs.CL", "cs.LG"]).primary_category == "cs.CL"
    assert _paper(categories=[]).primary_category is None


def test_local_upvotes_are_not_a_source_field():
    assert "local_upvotes" not in SOURCE_FIELDS
    assert "external_upvotes" in SOURCE_FIELDS


def test_feed_page_count_rounds_up_and_is_at_least_one():
    assert ListingPage([], total=101, page=1, limit=50).pages == 3
    assert ListingPage([], total=100, page=1, limit=50).pages == 2
    assert ListingPage([], total=0, page=1, limit=50).pages == 1


# --- merge_paper ---------------------------------------------------------------------------


def test_missing_values_in_the_new_record_never_erase_known_ones():
    old = _paper()
    new = Paper(arxiv_id=old.arxiv_id, title="", abstract="", version=None)
    merged = merge_paper(old, new)
    assert merged.title == old.title
    assert merged.abstract == old.abstract
    assert merged.authors == old.authors
    assert merged.categories == old.categories
    assert merged.comment == "12 pages"
    assert merged.github_repo == old.github_repo
    assert merged.github_stars == 100
    assert merged.external_upvotes == 32
    assert merged.version == 2


def test_empty_lists_do_not_erase_authors_or_categories():
    merged = merge_paper(_paper(), _paper(authors=[], categories=[], ai_keywords=[]))
    assert merged.authors == ["Chunjiang Ge", "Sijie Cheng"]
    assert merged.categories == ["cs.CV"]


def test_new_values_fill_in_what_was_unknown():
    old = _paper(project_page=None, organization=None, ai_keywords=None)
    new = _paper(project_page="https://x.example/", organization="alibaba", ai_keywords=["LMM"])
    merged = merge_paper(old, new)
    assert merged.project_page == "https://x.example/"
    assert merged.organization == "alibaba"
    assert merged.ai_keywords == ["LMM"]


def test_newer_version_wins_title_abstract_and_authors():
    old = _paper(version=1)
    new = _paper(version=3, title="ConvLLaVA v3", abstract="Rewritten.", authors=["A. New"])
    merged = merge_paper(old, new)
    assert merged.version == 3
    assert merged.title == "ConvLLaVA v3"
    assert merged.abstract == "Rewritten."
    assert merged.authors == ["A. New"]


def test_older_version_cannot_roll_back_text():
    old = _paper(version=3, title="Final title", abstract="Final abstract.", comment="final")
    late_snapshot = _paper(
        version=1,
        title="Draft title",
        abstract="Draft abstract.",
        authors=["Someone Else"],
        comment="draft",
        updated_at=datetime(2024, 5, 24, tzinfo=UTC),
    )
    merged = merge_paper(old, late_snapshot)
    assert merged.version == 3
    assert merged.title == "Final title"
    assert merged.abstract == "Final abstract."
    assert merged.authors == old.authors
    assert merged.comment == "final"
    assert merged.updated_at == old.updated_at


def test_older_version_can_still_add_counts_and_links():
    old = _paper(version=3, github_stars=None, project_page=None, external_upvotes=None)
    late = _paper(
        version=1, github_stars=250, project_page="https://p.example/", external_upvotes=9
    )
    merged = merge_paper(old, late)
    assert merged.github_stars == 250
    assert merged.project_page == "https://p.example/"
    assert merged.external_upvotes == 9
    assert merged.title == old.title


def test_same_version_takes_the_new_text():
    merged = merge_paper(_paper(version=2), _paper(version=2, title="Corrected title"))
    assert merged.title == "Corrected title"


def test_record_without_version_onto_a_versionless_paper_takes_the_new_text():
    merged = merge_paper(_paper(version=None), _paper(version=None, title="Retitled"))
    assert merged.title == "Retitled"


def test_new_counts_replace_old_counts():
    merged = merge_paper(_paper(external_upvotes=32), _paper(external_upvotes=40))
    assert merged.external_upvotes == 40


def test_zero_is_a_known_value_not_a_missing_one():
    merged = merge_paper(_paper(github_stars=12), _paper(github_stars=0))
    assert merged.github_stars == 0


def test_local_votes_survive_a_merge():
    merged = merge_paper(_paper(local_upvotes=7), _paper(local_upvotes=0, external_upvotes=50))
    assert merged.local_upvotes == 7
    assert merged.upvotes == 57


def test_merge_leaves_both_inputs_unchanged():
    old, new = _paper(version=1), _paper(version=2, title="New title", github_stars=5)
    before_old, before_new = replace(old), replace(new)
    merge_paper(old, new)
    assert old == before_old
    assert new == before_new
