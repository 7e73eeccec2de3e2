"""dailypapers.ingest.arxiv_snapshot.parse_snapshot_record: Kaggle snapshot and listing rows."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import pytest

from dailypapers.errors import RecordError
from dailypapers.ingest.arxiv_snapshot import parse_snapshot_record
from dailypapers.ingest.fields import RecordLimits

# One record of Kaggle's "arxiv-metadata-oai-snapshot", written out from its published schema.
KAGGLE_RECORD = {
    "id": "0704.0001",
    "submitter": "Pavel Nadolsky",
    "authors": "C. Bal\\'azs, E. L. Berger, P. M. Nadolsky and C.-P. Yuan",
    "title": "Calculation of prompt diphoton production cross sections at Tevatron and\n"
    "  LHC energies",
    "comments": "37 pages, 15 figures; published version",
    "journal-ref": "Phys.Rev.D76:013009,2007",
    "doi": "10.1103/PhysRevD.76.013009",
    "report-no": "ANL-HEP-PR-07-12",
    "categories": "hep-ph cs.CL",
    "license": None,
    "abstract": "  A fully differential calculation in perturbative quantum chromodynamics is\n"
    "presented for the production of massive photon pairs at hadron colliders. All\n"
    "next-to-leading order perturbative contributions with $\\alpha_s$ are included.\n",
    "versions": [
        {"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
        {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"},
    ],
    "update_date": "2008-11-13",
    "authors_parsed": [
        ["Balázs", "C.", ""],
        ["Berger", "E. L.", ""],
        ["Nadolsky", "P. M.", ""],
        ["Yuan", "C. -P.", ""],
    ],
}


def _kaggle(**changes) -> dict:
    record = copy.deepcopy(KAGGLE_RECORD)
    record.update(changes)
    return record


def _reason(obj, limits=None) -> str:
    with pytest.raises(RecordError) as caught:
        parse_snapshot_record(obj, limits or RecordLimits())
    return caught.value.reason


# --- Kaggle schema -------------------------------------------------------------------------


def test_kaggle_published_at_is_the_first_version_time(limits):
    paper = parse_snapshot_record(_kaggle(), limits).paper
    assert paper.published_at == datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)


def test_kaggle_updated_at_is_the_last_version_time(limits):
    paper = parse_snapshot_record(_kaggle(), limits).paper
    assert paper.updated_at == datetime(2007, 7, 24, 20, 10, 27, tzinfo=UTC)


def test_kaggle_version_is_the_highest_listed(limits):
    assert parse_snapshot_record(_kaggle(), limits).paper.version == 2


def test_kaggle_versions_out_of_order_are_sorted_by_number(limits):
    versions = list(reversed(KAGGLE_RECORD["versions"]))
    paper = parse_snapshot_record(_kaggle(versions=versions), limits).paper
    assert paper.version == 2
    assert paper.published_at == datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)
    assert paper.updated_at == datetime(2007, 7, 24, 20, 10, 27, tzinfo=UTC)


def test_kaggle_paper_is_featured_on_the_day_of_its_first_version(limits):
    record = parse_snapshot_record(_kaggle(), limits, position=4)
    assert [(e.arxiv_id, e.day, e.source, e.position) for e in record.entries] == [
        ("0704.0001", date(2007, 4, 2), "arxiv", 4)
    ]


def test_no_entry_is_made_when_featuring_is_off(limits):
    assert parse_snapshot_record(_kaggle(), limits, feature=False).entries == []


def test_kaggle_authors_come_from_authors_parsed(limits):
    paper = parse_snapshot_record(_kaggle(), limits).paper
    assert paper.authors == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan"]


def test_authors_parsed_suffix_follows_the_name(limits):
    record = _kaggle(authors_parsed=[["Smith", "John", "Jr"], ["Plato", "", ""]])
    assert parse_snapshot_record(record, limits).paper.authors == ["John Smith Jr", "Plato"]


def test_kaggle_authors_string_is_used_without_authors_parsed(limits):
    record = _kaggle(authors="A. One, B. Two and C. Three")
    del record["authors_parsed"]
    assert parse_snapshot_record(record, limits).paper.authors == ["A. One", "B. Two", "C. Three"]


def test_kaggle_title_line_wrap_is_collapsed(limits):
    paper = parse_snapshot_record(_kaggle(), limits).paper
    assert paper.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )


def test_kaggle_abstract_keeps_latex_and_loses_line_wraps(limits):
    abstract = parse_snapshot_record(_kaggle(), limits).paper.abstract
    assert abstract.startswith("A fully differential calculation")
    assert "contributions with $\\alpha_s$ are included." in abstract
    assert "\n" not in abstract


def test_kaggle_categories_split_on_spaces(limits):
    paper = parse_snapshot_record(_kaggle(), limits).paper
    assert paper.categories == ["hep-ph", "cs.CL"]
    assert paper.primary_category == "hep-ph"


def test_kaggle_comments_doi_and_journal_ref_are_kept(limits):
    paper = parse_snapshot_record(_kaggle(), limits).paper
    assert paper.comment == "37 pages, 15 figures; published version"
    assert paper.doi == "10.1103/PhysRevD.76.013009"
    assert paper.journal_ref == "Phys.Rev.D76:013009,2007"


def test_kaggle_record_has_no_upvotes(limits):
    paper = parse_snapshot_record(_kaggle(), limits).paper
    assert paper.external_upvotes is None
    assert paper.upvotes == 0


def test_kaggle_old_style_id(limits):
    record = _kaggle(id="hep-th/9901001", versions=[{"version": "v1", "created": None}])
    record = parse_snapshot_record(record, limits)
    assert record.paper.arxiv_id == "hep-th/9901001"
    assert record.paper.version == 1
    assert record.entries == []  # no submission time, so no day to feature it on


def test_kaggle_record_with_a_blank_comment_still_imports(limits):
    paper = parse_snapshot_record(_kaggle(comments="\n"), limits).paper
    assert paper.comment is None


@pytest.mark.parametrize(
    ("versions", "expected"),
    [
        ([], "versions must be a non-empty list"),
        ("v1", "versions must be a non-empty list"),
        (["v1"], "each version must be an object"),
        ([{"version": "first", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}], "bad version label"),
        ([{"version": "v1", "created": "the second of April"}], "versions.created"),
    ],
)
def test_bad_versions_are_refused_naming_the_field(versions, expected):
    assert expected in _reason(_kaggle(versions=versions))


# --- daily listing rows --------------------------------------------------------------------


def test_listing_row_is_featured_on_its_first_listed_day(arxiv_rows, limits):
    record = parse_snapshot_record(arxiv_rows["2503.11677"], limits, position=2)
    assert [(e.arxiv_id, e.day, e.source, e.position) for e in record.entries] == [
        ("2503.11677", date(2025, 3, 18), "arxiv", 2)
    ]


def test_listing_row_is_published_at_midnight_utc_of_that_day(arxiv_rows, limits):
    paper = parse_snapshot_record(arxiv_rows["2503.11677"], limits).paper
    assert paper.published_at == datetime(2025, 3, 18, tzinfo=UTC)
    assert paper.updated_at is None
    assert paper.version is None


def test_listing_row_fields(arxiv_rows, limits):
    paper = parse_snapshot_record(arxiv_rows["2503.11677"], limits).paper
    assert paper.title == (
        "Simulation of prosthetic vision with PRIMA system and enhancement of face representation"
    )
    assert paper.authors[0] == "Jungyeon Park"
    assert len(paper.authors) == 5
    assert paper.categories == ["cs.CV", "cs.HC"]
    assert paper.abstract.startswith("Objective. Patients implanted with the PRIMA photovoltaic")
    assert "\n" not in paper.abstract
    assert paper.comment is None


def test_listing_row_drops_msc_and_acm_codes_from_categories(arxiv_rows, limits):
    row = arxiv_rows["2503.11954"]
    assert any(code.startswith("I.4.2") for code in row["categories"])
    paper = parse_snapshot_record(row, limits).paper
    assert paper.categories == ["cs.AI", "cs.CV", "cs.IT", "cs.LG", "eess.IV", "math.IT"]


def test_listing_row_comment_line_wrap_is_collapsed(arxiv_rows, limits):
    paper = parse_snapshot_record(arxiv_rows["2503.11954"], limits).paper
    assert paper.comment == (
        "11 pages, 13 figures, Submitted to IEEE Transactions on Communications (Under Review)"
    )


def test_listing_row_keeps_latex_in_the_title(arxiv_rows, limits):
    paper = parse_snapshot_record(arxiv_rows["2503.15457"], limits).paper
    assert paper.title == (
        r"Di$\mathtt{[M]}$O: Distilling Masked Diffusion Models into One-step Generator"
    )
    assert "Stéphane Lathuilière" in paper.authors


def test_listing_row_without_first_listed_is_not_featured(arxiv_rows, limits):
    row = {k: v for k, v in arxiv_rows["2503.11677"].items() if k != "first_listed"}
    record = parse_snapshot_record(row, limits)
    assert record.entries == []
    assert record.paper.published_at is None


# --- malformed records ---------------------------------------------------------------------


@pytest.mark.parametrize("value", [["0704.0001"], "0704.0001", 704.0001, None])
def test_non_object_record_is_refused(value):
    assert _reason(value).startswith("expected a JSON object")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"id": None}, "missing id"),
        ({"id": ""}, "missing id"),
        ({"id": "0713.0001"}, "id: "),
        ({"id": "not an id"}, "id: "),
        ({"title": None}, "missing title"),
        ({"title": "  \n "}, "empty title"),
        ({"title": ["a title"]}, "title must be a string"),
        ({"abstract": 42}, "abstract must be a string"),
        ({"comments": 5}, "comment"),
        ({"doi": "10." + "1" * 400}, "doi is longer than 300"),
    ],
)
def test_malformed_kaggle_record_names_the_field(changes, expected):
    assert expected in _reason(_kaggle(**changes))


def test_kaggle_record_without_an_id_key_is_refused():
    record = _kaggle()
    del record["id"]
    assert _reason(record) == "missing id"


def test_kaggle_title_over_the_limit_is_refused():
    assert _reason(_kaggle(), RecordLimits(max_title_chars=30)) == (
        "title is longer than 30 characters"
    )


def test_kaggle_authors_as_a_number_are_refused_naming_the_field():
    record = _kaggle(authors=3)
    del record["authors_parsed"]
    assert "authors must be a list or a string" in _reason(record)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"first_listed": "2025-03-32"}, "first_listed: unparsable date"),
        ({"first_listed": 20250318}, "missing first_listed"),
        ({"id": "2503.1167"}, "id: "),
        ({"authors": 5}, "authors must be a list or a string"),
        ({"categories": 5}, "categories must be"),
        ({"title": 1.5}, "title must be a string"),
    ],
)
def test_malformed_listing_row_names_the_field(arxiv_rows, changes, expected):
    row = dict(arxiv_rows["2503.11677"], **changes)
    assert expected in _reason(row)
