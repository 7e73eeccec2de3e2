"""dailypapers.ingest.records: JSON Lines (plain or gzip) read line by line, errors in place."""

from __future__ import annotations

import gzip
import json
import random
import string
from pathlib import Path

import pytest

from dailypapers.errors import BadRequest
from dailypapers.ingest.records import first_char, read_json_document, read_jsonl


def _write(path: Path, text: str, *, gz: bool = False) -> Path:
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def _noise(length: int, seed: int = 0) -> str:
    """Text that gzip can't shrink much, so a cut through the file lands inside it."""
    rnd = random.Random(seed)
    return "".join(rnd.choice(string.ascii_letters) for _ in range(length))


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_every_line_is_read_with_its_position(tmp_path, gz):
    path = _write(
        tmp_path / ("rows.jsonl.gz" if gz else "rows.jsonl"), '{"a": 1}\n{"a": 2}\n', gz=gz
    )
    records = list(read_jsonl(path, max_line_bytes=1000))
    assert [(r.position, r.value, r.error) for r in records] == [
        (f"{path.name}:1", {"a": 1}, None),
        (f"{path.name}:2", {"a": 2}, None),
    ]


def test_gzip_is_detected_by_its_magic_bytes_not_its_name(tmp_path):
    path = _write(tmp_path / "rows.jsonl", '{"a": 1}\n', gz=True)
    assert [r.value for r in read_jsonl(path, max_line_bytes=1000)] == [{"a": 1}]


def test_last_line_without_a_newline_is_read(tmp_path):
    path = _write(tmp_path / "rows.jsonl", '{"a": 1}\n{"a": 2}')
    assert [r.value for r in read_jsonl(path, max_line_bytes=1000)] == [{"a": 1}, {"a": 2}]


def test_blank_lines_are_skipped_but_still_counted(tmp_path):
    path = _write(tmp_path / "rows.jsonl", '\n{"a": 1}\n   \n\r\n{"a": 2}\n\n')
    records = list(read_jsonl(path, max_line_bytes=1000))
    assert [(r.position, r.value) for r in records] == [
        ("rows.jsonl:2", {"a": 1}),
        ("rows.jsonl:5", {"a": 2}),
    ]


def test_empty_file_yields_nothing(tmp_path):
    assert list(read_jsonl(_write(tmp_path / "empty.jsonl", ""), max_line_bytes=10)) == []


def test_invalid_json_line_is_an_error_in_place_and_later_lines_still_come(tmp_path):
    path = _write(tmp_path / "rows.jsonl", '{"a": 1}\n{"a": oops}\n{"a": 3}\n')
    first, bad, last = read_jsonl(path, max_line_bytes=1000)
    assert first.value == {"a": 1}
    assert bad.value is None
    assert bad.position == "rows.jsonl:2"
    assert bad.error is not None
    assert bad.error.position == "rows.jsonl:2"
    assert bad.error.reason.startswith("invalid JSON")
    assert str(bad.error).startswith("rows.jsonl:2: invalid JSON")
    assert (last.position, last.value, last.error) == ("rows.jsonl:3", {"a": 3}, None)


def test_line_over_the_limit_is_an_error_and_the_reader_recovers(tmp_path):
    long_line = json.dumps({"pad": "x" * 5000})
    path = _write(tmp_path / "rows.jsonl", f'{{"a": 1}}\n{long_line}\n{{"a": 3}}\n')
    records = list(read_jsonl(path, max_line_bytes=100))
    assert [r.position for r in records] == ["rows.jsonl:1", "rows.jsonl:2", "rows.jsonl:3"]
    assert records[0].value == {"a": 1}
    assert records[1].value is None
    assert "longer than import_max_line_bytes (100)" in records[1].error.reason
    assert records[2].value == {"a": 3}


def test_long_line_in_a_gzip_file_is_skipped_too(tmp_path):
    long_line = json.dumps({"pad": _noise(50_000)})
    path = _write(tmp_path / "rows.jsonl.gz", f'{long_line}\n{{"a": 2}}\n', gz=True)
    records = list(read_jsonl(path, max_line_bytes=1000))
    assert records[0].error is not None
    assert records[1].value == {"a": 2}
    assert records[1].position == "rows.jsonl.gz:2"


def test_line_exactly_at_the_limit_is_read(tmp_path):
    line = '{"pad": "' + "x" * 10 + '"}'
    path = _write(tmp_path / "rows.jsonl", f"{line}\n")
    [record] = read_jsonl(path, max_line_bytes=len(line))
    assert record.value == {"pad": "x" * 10}


def test_truncated_gzip_yields_the_lines_before_then_one_error_and_stops(tmp_path):
    lines = [json.dumps({"i": i, "pad": _noise(200, seed=i)}) for i in range(200)]
    data = gzip.compress(("\n".join(lines) + "\n").encode())
    path = tmp_path / "rows.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])

    records = list(read_jsonl(path, max_line_bytes=10_000))

    good, last = records[:-1], records[-1]
    assert 0 < len(good) < 200
    assert all(r.error is None for r in good)
    assert [r.value["i"] for r in good] == list(range(len(good)))
    assert last.value is None
    assert "truncated" in last.error.reason
    assert last.position == f"rows.jsonl.gz:{len(good) + 1}"


def test_gzip_missing_only_its_trailer_is_reported_as_truncated(tmp_path):
    data = gzip.compress(b'{"a": 1}\n{"a": 2}\n')
    path = tmp_path / "rows.jsonl.gz"
    path.write_bytes(data[:-4])
    records = list(read_jsonl(path, max_line_bytes=1000))
    assert [r.value for r in records[:-1]] == [{"a": 1}, {"a": 2}]
    assert "truncated" in records[-1].error.reason


def test_truncation_inside_an_overlong_line_is_an_error_record_not_a_crash(tmp_path):
    long_line = json.dumps({"pad": _noise(200_000)})
    data = gzip.compress(f'{{"a": 1}}\n{long_line}\n{{"a": 3}}\n'.encode())
    path = tmp_path / "rows.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    records = list(read_jsonl(path, max_line_bytes=1000))
    assert records[0].value == {"a": 1}
    assert records[-1].error is not None
    assert "truncated" in records[-1].error.reason


def test_bytes_read_grows_through_the_file(tmp_path):
    path = _write(tmp_path / "rows.jsonl", "".join(f'{{"i": {i}}}\n' for i in range(50)))
    progress = [r.bytes_read for r in read_jsonl(path, max_line_bytes=100)]
    assert progress == sorted(progress)
    assert progress[-1] == path.stat().st_size


def test_invalid_utf8_fails_its_line_with_the_byte_rather_than_being_replaced(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b'{"title": "caf\xe9"}\n{"title": "ok"}\n')
    bad, good = read_jsonl(path, max_line_bytes=100)
    assert bad.value is None and str(bad.error) == "rows.jsonl:1: invalid UTF-8 at byte 14"
    assert good.value == {"title": "ok"}


def test_a_line_starting_with_a_bom_is_read(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"i": 1}\n\xef\xbb\xbf{"i": 2}\n')
    assert [r.value for r in read_jsonl(path, max_line_bytes=100)] == [{"i": 1}, {"i": 2}]


def test_a_line_nested_too_deeply_is_a_positioned_error(tmp_path):
    path = _write(tmp_path / "rows.jsonl", "[" * 5000 + "]" * 5000 + '\n{"i": 1}\n')
    deep, good = read_jsonl(path, max_line_bytes=100_000)
    assert str(deep.error) == "rows.jsonl:1: JSON nested too deeply"
    assert good.value == {"i": 1}


def test_junk_after_the_gzip_magic_is_a_clear_file_error(tmp_path):
    path = tmp_path / "junk.json.gz"
    path.write_bytes(b"\x1f\x8b" + b"not really gzip" * 10)
    with pytest.raises(BadRequest, match=r"junk\.json\.gz is truncated or corrupt"):
        first_char(path)
    [record] = read_jsonl(path, max_line_bytes=100)
    assert "junk.json.gz:1: file is truncated or corrupt" in str(record.error)


def test_a_deeply_nested_or_non_utf8_document_is_a_clear_file_error(tmp_path):
    deep = _write(tmp_path / "deep.json", "[" * 100_000 + "]" * 100_000)
    with pytest.raises(BadRequest, match="nested too deeply"):
        read_json_document(deep, max_bytes=10**6)
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'[{"title": "caf\xe9"}]')
    with pytest.raises(BadRequest, match=r"latin\.json is not valid UTF-8"):
        read_json_document(latin, max_bytes=10**6)


# --- whole documents -----------------------------------------------------------------------


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_first_char_tells_a_document_from_jsonl(tmp_path, gz):
    assert first_char(_write(tmp_path / "a.json", "\n  [1, 2]", gz=gz)) == "["
    assert first_char(_write(tmp_path / "b.jsonl", '{"a": 1}\n', gz=gz)) == "{"
    assert first_char(_write(tmp_path / "c.json", "  \n", gz=gz)) == ""


def test_json_document_is_loaded_whole(tmp_path):
    path = _write(tmp_path / "day.json.gz", '[{"paper": {"id": "2405.15738"}}]', gz=True)
    assert read_json_document(path, max_bytes=1000) == [{"paper": {"id": "2405.15738"}}]


def test_json_document_over_the_limit_is_refused(tmp_path):
    path = _write(tmp_path / "day.json", "[" + ", ".join(["1"] * 100) + "]")
    with pytest.raises(BadRequest, match="larger than 50 bytes"):
        read_json_document(path, max_bytes=50)


def test_gzip_document_over_the_limit_once_unpacked_is_refused(tmp_path):
    path = _write(tmp_path / "day.json.gz", "[" + ", ".join(["1"] * 100) + "]", gz=True)
    with pytest.raises(BadRequest, match="larger than 50 bytes"):
        read_json_document(path, max_bytes=50)


def test_invalid_json_document_says_where(tmp_path):
    path = _write(tmp_path / "day.json", '[\n{"a": 1},\n{"a": }\n]')
    with pytest.raises(BadRequest, match=r"day\.json is not valid JSON: .*\(line 3\)"):
        read_json_document(path, max_bytes=1000)
