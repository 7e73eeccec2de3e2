"""`dailypapers export` / `import-dump`: move a whole site between databases as JSONL.

The format, one JSON object a line (UTF-8, keys sorted, gzip when the file name ends .gz):

    {"dailypapers_dump": 1, "schema": "0008", "tables": [...], "with_secrets": false}
    {"row": {...}, "table": "papers"}
    ...                                          (tables in foreign-key order)
    {"end": {"papers": 1234, "votes": 56, ...}}

It holds no export time and no dialect, so the same data gives the same bytes from SQLite or
PostgreSQL: a SQLite -> PostgreSQL -> SQLite round trip of the demo database exports equal
files (tests/integration/test_dump.py). Which tables travel, how values look, and why
secrets and derived tables stay home: storage/dump.py.

Import streams the file (memory stays flat), checks every record (a line that is not JSON,
an unknown table, a row that does not fit its columns, a row the database refuses) and skips
a bad one with its position (`file:line`), counted per reason, while the rest lands. It is
idempotent: a row whose key is already stored is left alone and counted as existing. A dump
without its `end` record was cut short, and the report says so. Load a dump into a fresh
database (`dailypapers db upgrade` first) and run `dailypapers index` after it: embeddings
are derived data and do not travel.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from dailypapers.config import IngestSettings
from dailypapers.domain.ingest import MAX_ERRORS_KEPT
from dailypapers.errors import BadRequest
from dailypapers.ingest.records import RawRecord, read_jsonl
from dailypapers.storage.dump import BadDumpRow, DumpStore, check_row

FORMAT_VERSION = 1


def encode(record: dict[str, Any]) -> str:
    """One dump line: sorted keys, no spaces, UTF-8 as is (so equal data is equal bytes)."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


@dataclass
class DumpReport:
    """What an export wrote or an import did, per table."""

    rows: Counter = field(default_factory=Counter)  # exported, or read from the file
    inserted: Counter = field(default_factory=Counter)
    existing: Counter = field(default_factory=Counter)
    skipped: int = 0
    reasons: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)  # the first MAX_ERRORS_KEPT, positioned
    complete: bool = True  # the file ended with its `end` record and its counts matched
    schema: str | None = None

    def skip(self, reason: str, message: str) -> None:
        self.skipped += 1
        self.reasons[reason] += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(message)


class DumpService:
    def __init__(self, store: DumpStore, settings: IngestSettings) -> None:
        self.store = store
        self.settings = settings

    def export(self, out: IO[str], *, with_secrets: bool = False) -> DumpReport:
        """Write the whole site to `out`, table by table, a page of rows at a time."""
        report = DumpReport(schema=self.store.revision())
        tables = self.store.tables(with_secrets=with_secrets)
        header = {
            "dailypapers_dump": FORMAT_VERSION,
            "schema": report.schema,
            "tables": tables,
            "with_secrets": with_secrets,
        }
        out.write(encode(header))
        for name in tables:
            for row in self.store.rows(name, with_secrets=with_secrets):
                out.write(encode({"table": name, "row": row}))
                report.rows[name] += 1
        out.write(encode({"end": {name: report.rows[name] for name in tables}}))
        return report

    def export_to(self, path: Path, *, with_secrets: bool = False) -> DumpReport:
        """Export to a file (gzip'd when its name ends .gz), written whole or not at all."""
        partial = path.with_name(path.name + ".partial")
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(partial, "wt", encoding="utf-8", newline="\n") as out:  # type: ignore[operator]
            report = self.export(out, with_secrets=with_secrets)
        partial.replace(path)
        return report

    def import_file(self, path: Path) -> DumpReport:
        """Load a dump (plain or gzip'd JSONL) into this database; see the module docstring."""
        records = read_jsonl(path, max_line_bytes=self.settings.import_max_line_bytes)
        return self.import_records(records)

    def import_records(self, records: Iterator[RawRecord]) -> DumpReport:
        report = DumpReport()
        first = next(records, None)
        if first is None or first.error is not None or not _is_header(first.value):
            raise BadRequest("not a dailypapers dump: the first line is not its header")
        if first.value["dailypapers_dump"] != FORMAT_VERSION:
            raise BadRequest(f"dump format {first.value['dailypapers_dump']} is not supported")
        report.schema = first.value.get("schema")
        batch: list[tuple[int, dict[str, Any]]] = []
        positions: list[str] = []
        batch_table: str | None = None
        end: dict[str, Any] | None = None
        for record in records:
            if batch and (len(batch) >= self.settings.import_batch_size):
                self._flush(batch_table, batch, positions, report)
                batch, positions = [], []
            if record.error is not None:
                report.skip("unreadable", record.error.message)
                continue
            value = record.value
            if isinstance(value, dict) and set(value) == {"end"}:
                end = value["end"]
                continue
            try:
                table, row = _table_and_row(value)
                checked = check_row(table, row)
            except BadDumpRow as exc:
                report.skip("invalid", f"{record.position}: {exc.message}")
                continue
            if table != batch_table and batch:
                self._flush(batch_table, batch, positions, report)
                batch, positions = [], []
            batch_table = table
            report.rows[table] += 1
            batch.append((len(positions), checked))
            positions.append(record.position)
        if batch:
            self._flush(batch_table, batch, positions, report)
        self.store.finish()
        report.complete = end is not None and _counts_match(end, report)
        return report

    def _flush(
        self,
        table: str | None,
        batch: list[tuple[int, dict[str, Any]]],
        positions: list[str],
        report: DumpReport,
    ) -> None:
        assert table is not None
        counts = self.store.insert(table, batch)
        report.inserted[table] += counts.inserted
        report.existing[table] += counts.existing
        for index, reason in counts.refused or []:
            report.skip("refused", f"{positions[index]}: {reason}")


def _is_header(value: object) -> bool:
    return isinstance(value, dict) and isinstance(value.get("dailypapers_dump"), int)


def _table_and_row(value: object) -> tuple[str, object]:
    if not isinstance(value, dict) or set(value) != {"table", "row"}:
        raise BadDumpRow('a record is {"table": NAME, "row": {...}}')
    if not isinstance(value["table"], str):
        raise BadDumpRow("the table name is not a string")
    return value["table"], value["row"]


def _counts_match(end: object, report: DumpReport) -> bool:
    """The `end` record's row counts equal what was read plus what was skipped as invalid."""
    if not isinstance(end, dict):
        return False
    expected = sum(n for n in end.values() if isinstance(n, int))
    return expected == sum(report.rows.values()) + report.reasons["invalid"]
