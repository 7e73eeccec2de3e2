"""Real rows with one bad value spliced in: each is a counted, positioned skip on both databases.

Each bad value below once aborted a whole import (or was silently mangled): the batch it sat in
raised, earlier batches stayed, the rest of the file was lost and every rerun stopped at the
same line. Now only that line is skipped, with its position, and nothing stored changes.
"""

from __future__ import annotations

import gzip
import json
from itertools import islice
from pathlib import Path

import pytest
from click.testing import CliRunner

from dailypapers.cli import cli
from dailypapers.services.bootstrap import Services
from tests.conftest import make_services
from tests.databases import sqlite_copy

BATCH = 25  # several batches, each bad line inside one of them


def _rows(path: Path, n: int, skip: int = 0) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in islice(handle, skip, skip + n)]


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# (line number, reason fragment, how to spoil the row's JSON text) for HF daily rows
HF_SPOILERS = [
    (
        5,
        "published_at: date out of range",
        lambda r: {**r, "published_at": "0001-01-01T00:00:00+01:00"},
    ),
    (
        9,
        "submitted_on_daily_at: date out of range",
        lambda r: {**r, "submitted_on_daily_at": "9999-12-31T23:59:59-01:00"},
    ),
    (14, "upvotes is larger than", lambda r: {**r, "upvotes": 2**63}),
    (22, "github_stars is larger than", lambda r: {**r, "github_stars": 2**31}),
    (31, "title contains a lone surrogate", lambda r: {**r, "title": "Sparse \ud800 attention"}),
    (40, "title contains a NUL character", lambda r: {**r, "title": "Sparse\x00attention"}),
    (47, "authors contains a NUL character", lambda r: {**r, "authors": ["A\x00B"]}),
    (55, "date: date out of range", lambda r: {**r, "date": "0001-01-01"}),
]
NESTED_LINE, UTF8_LINE, BOM_LINE = 60, 66, 71


def _spoiled_hf_file(shared_data: Path, target: Path, rows: list[dict]) -> Path:
    lines = [json.dumps(r).encode() for r in rows]
    for number, _, spoil in HF_SPOILERS:
        lines[number - 1] = json.dumps(spoil(rows[number - 1])).encode()
    nested = {**rows[NESTED_LINE - 1], "ai_keywords": "@"}
    lines[NESTED_LINE - 1] = json.dumps(nested).encode().replace(b'"@"', _nested(5000).encode())
    lines[UTF8_LINE - 1] = lines[UTF8_LINE - 1].replace(b'"title": "', b'"title": "caf\xe9 ', 1)
    lines[BOM_LINE - 1] = b"\xef\xbb\xbf" + lines[BOM_LINE - 1]  # a BOM is not an error
    target.write_bytes(b"\n".join(lines) + b"\n")
    return target


def _expected_hf_errors(name: str) -> list[tuple[str, str]]:
    expected = [(f"{name}:{n}: ", reason) for n, reason, _ in HF_SPOILERS]
    expected.append((f"{name}:{NESTED_LINE}: ", "JSON nested too deeply"))
    expected.append((f"{name}:{UTF8_LINE}: ", "invalid UTF-8 at byte"))
    return sorted(expected, key=lambda e: int(e[0].split(":")[1]))


def test_bad_hf_rows_are_skipped_with_their_position_and_the_rest_lands(
    tmp_path: Path, database_url: str, shared_data: Path
) -> None:
    rows = _rows(shared_data / "hf_daily_papers" / "daily_papers.jsonl.gz", 100, skip=3000)
    assert len({r["arxiv_id"] for r in rows}) == 100
    services = make_services(tmp_path, database_url, import_batch_size=BATCH)
    try:
        path = _spoiled_hf_file(shared_data, tmp_path / "spoiled.jsonl", rows)
        report = services.imports.import_file(path, "hf-daily")
        expected = _expected_hf_errors("spoiled.jsonl")
        assert (report.fetched, report.skipped) == (100, len(expected)), report.errors
        assert report.inserted == 100 - len(expected)
        assert [
            (e[: len(p)], r in e) for e, (p, r) in zip(report.errors, expected, strict=True)
        ] == [(p, True) for p, _ in expected]
        assert services.papers.count() == 100 - len(expected)
        bom_row = services.papers.get(rows[BOM_LINE - 1]["arxiv_id"])
        assert bom_row is not None and bom_row.title == rows[BOM_LINE - 1]["title"]
        for number, _, _ in HF_SPOILERS:
            assert services.papers.get(rows[number - 1]["arxiv_id"]) is None

        # The clean rows go in; the spoiled file again changes nothing already stored.
        clean = tmp_path / "clean.jsonl"
        clean.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        assert services.imports.import_file(clean, "hf-daily").inserted == len(expected)
        before = {r["arxiv_id"]: services.papers.get(r["arxiv_id"]) for r in rows}
        again = services.imports.import_file(path, "hf-daily")
        assert (again.skipped, again.inserted, again.updated) == (len(expected), 0, 0)
        assert {r["arxiv_id"]: services.papers.get(r["arxiv_id"]) for r in rows} == before
    finally:
        services.close()


def _kaggle(row: dict, created: str) -> dict:
    """A listing row in the Kaggle snapshot's schema, first version created at `created`."""
    return {
        "id": row["id"],
        "title": row["title"],
        "authors": ", ".join(row["authors"]),
        "abstract": row["abstract"],
        "categories": " ".join(row["categories"]),
        "versions": [{"version": "v1", "created": created}],
    }


@pytest.mark.parametrize(
    "created",
    ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "Fri, 31 Dec 9999 23:59:59 -0100"],
)
def test_kaggle_versions_created_out_of_range_is_a_skip(
    tmp_path: Path, database_url: str, shared_data: Path, created: str
) -> None:
    rows = _rows(shared_data / "arxiv_daily_cs" / "papers.jsonl.gz", 60)
    records = [_kaggle(r, "Tue, 18 Mar 2025 17:59:59 GMT") for r in rows]
    records[33] = _kaggle(rows[33], created)
    path = tmp_path / "kaggle.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    services = make_services(tmp_path, database_url, import_batch_size=BATCH)
    try:
        report = services.imports.import_file(path, "arxiv-snapshot")
        assert (report.fetched, report.inserted, report.skipped) == (60, 59, 1)
        assert report.errors[0].startswith("kaggle.jsonl:34: ")
        assert "versions.created" in report.errors[0]
    finally:
        services.close()


def test_cli_import_reports_bad_lines_and_exits_cleanly(
    tmp_path: Path, database_url: str, shared_data: Path
) -> None:
    rows = _rows(shared_data / "hf_daily_papers" / "daily_papers.jsonl.gz", 100, skip=5000)
    path = _spoiled_hf_file(shared_data, tmp_path / "spoiled.jsonl", rows)
    base = ["--database-url", database_url, "--data-dir", str(tmp_path)]
    result = CliRunner().invoke(cli, [*base, "import", "hf-daily", "--json", str(path)])
    assert result.exit_code == 0, result.output
    [summary] = json.loads(result.stdout)
    expected = _expected_hf_errors("spoiled.jsonl")
    assert (summary["read"], summary["skipped"]) == (100, len(expected))
    assert summary["inserted"] == 100 - len(expected)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "junk.json.gz",
            b"\x1f\x8b" + b"junk after the magic bytes" * 4,
            "is truncated or corrupt",
        ),
        ("deep.json", _nested(100_000).encode(), "is JSON nested too deeply"),
        ("latin.json", b'[{"title": "caf\xe9"}]', "is not valid UTF-8"),
    ],
)
def test_cli_unreadable_file_is_a_clear_error_without_a_traceback(
    tmp_path: Path, database_url: str, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    base = ["--database-url", database_url, "--data-dir", str(tmp_path)]
    result = CliRunner().invoke(cli, [*base, "import", "hf-daily", str(path)])
    assert result.exit_code == 2, result.output
    assert f"error: {name} {message}" in result.output
    assert "Traceback" not in result.output


def test_a_value_the_database_refuses_rolls_back_its_batch_and_names_it(
    services: Services, shared_data: Path, tmp_path: Path
) -> None:
    """Defence in depth: if validation ever lets one through, the store refuses it whole."""
    from dataclasses import replace

    from dailypapers.errors import RecordError
    from dailypapers.ingest.fields import RecordLimits
    from dailypapers.ingest.hf_daily import parse_hf_record

    rows = _rows(shared_data / "hf_daily_papers" / "daily_papers.jsonl.gz", 3)
    records = [parse_hf_record(r, RecordLimits()) for r in rows]
    records[1] = replace(records[1], paper=replace(records[1].paper, github_stars=2**63))
    with pytest.raises(RecordError, match="the database refused a value"):
        services.papers.upsert(records, now=services.clock())
    assert services.papers.count() == 0


def test_an_import_leaves_the_sqlite_wal_truncated_and_capped(
    tmp_path: Path, shared_data: Path
) -> None:
    """Bulk writes once grew the WAL to 934 MB under load with nothing cutting it back."""
    rows = _rows(shared_data / "arxiv_daily_cs" / "papers.jsonl.gz", 2000)
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db_path = tmp_path / "wal.db"
    services = make_services(
        tmp_path, sqlite_copy(db_path), import_batch_size=BATCH, sqlite_wal_limit_mb=3
    )
    try:
        assert services.imports.import_file(path, "arxiv-snapshot").inserted == 2000
        assert Path(f"{db_path}-wal").stat().st_size == 0
        with services.db.read() as conn:
            limit = conn.exec_driver_sql("PRAGMA journal_size_limit").scalar()
        assert limit == 3 * 2**20
    finally:
        services.close()
