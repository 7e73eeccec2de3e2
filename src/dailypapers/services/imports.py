"""Importing files: stream records, validate, upsert in batches, report what happened.

Memory stays flat whatever the file size (records are read one line at a time and written a
batch at a time). Each batch is one transaction, so an interrupted import leaves whole batches
or nothing; re-running it merges into what is there and reports those papers as unchanged.
A batch whose write fails because the database is away (restarting) is written again, bounded
by the `db_retry_*` settings (services/db_retry.py), and the report counts those retries.
Large files are imported in bulk: the keyword index is built once at the end instead of row
by row (storage/bulk_index.py says how that stays safe with other writers and crashes).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from dailypapers.config import Settings
from dailypapers.domain.papers import SourceRecord
from dailypapers.errors import BadRequest, RecordError
from dailypapers.ingest.arxiv_snapshot import parse_snapshot_record
from dailypapers.ingest.fields import RecordLimits
from dailypapers.ingest.hf_daily import parse_hf_record
from dailypapers.ingest.records import RawRecord, first_char, read_json_document, read_jsonl
from dailypapers.services.db_retry import BatchRetry
from dailypapers.storage.bulk_index import KeywordIndexMaintenance
from dailypapers.storage.papers import PaperStore

ImportKind = Literal["hf-daily", "arxiv-snapshot"]
Progress = Callable[[int, int], None]  # (bytes done, bytes total)

MAX_ERRORS_KEPT = 50


@dataclass(slots=True)
class ImportReport:
    path: str
    kind: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    entries_added: int = 0
    retries: int = 0  # batches written again after the database was unavailable
    bulk: bool = False  # the keyword index was built once at the end
    reasons: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)  # the first MAX_ERRORS_KEPT, with positions

    def skip(self, error: RecordError) -> None:
        self.skipped += 1
        self.reasons[error.reason] += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(str(error))

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "kind": self.kind,
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "entries_added": self.entries_added,
            "retries": self.retries,
            "bulk": self.bulk,
            "skip_reasons": dict(self.reasons.most_common()),
            "errors": self.errors,
        }


class ImportService:
    def __init__(
        self,
        settings: Settings,
        papers: PaperStore,
        clock: Callable[[], datetime],
        keyword_index: KeywordIndexMaintenance,
    ):
        self.settings = settings
        self.papers = papers
        self.keyword_index = keyword_index
        self.clock = clock
        self.limits = RecordLimits.from_settings(settings)
        self.retry = BatchRetry(settings)

    def import_file(
        self,
        path: Path,
        kind: ImportKind,
        *,
        feature: bool = True,
        progress: Progress | None = None,
        bulk: bool | None = None,
    ) -> ImportReport:
        """Import one file. `bulk` (default: files of `bulk_import_min_bytes` or more) defers
        the keyword index and builds it once at the end (storage/bulk_index.py)."""
        path = Path(path)
        if not path.is_file():
            raise BadRequest(f"{path} is not a file")
        report = ImportReport(str(path), kind)
        total = path.stat().st_size
        if self.keyword_index.ensure():  # a killed bulk import left it incomplete
            report.errors.append("repaired the keyword index a stopped bulk import left behind")
        report.bulk = bulk if bulk is not None else total >= self.settings.bulk_import_min_bytes
        if report.bulk:
            self.keyword_index.defer()
            try:
                self._import_records(path, kind, feature, progress, report)
            finally:  # also on errors; a killed process is repaired by the next ensure()
                self.keyword_index.rebuild()
        else:
            self._import_records(path, kind, feature, progress, report)
        return report

    def _import_records(
        self,
        path: Path,
        kind: ImportKind,
        feature: bool,
        progress: Progress | None,
        report: ImportReport,
    ) -> None:
        total = path.stat().st_size
        batch: list[SourceRecord] = []
        for raw in self._raw_records(path, kind):
            report.read += 1
            if raw.error is None:
                try:
                    batch.append(self._parse(raw, kind, feature))
                except RecordError as exc:
                    exc.position = raw.position
                    report.skip(RecordError(exc.reason, position=raw.position))
            else:
                report.skip(raw.error)
            if len(batch) >= self.settings.import_batch_size:
                self._flush(batch, report)
                if progress:
                    progress(raw.bytes_read, total)
        self._flush(batch, report)
        if progress:
            progress(total, total)

    def _raw_records(self, path: Path, kind: ImportKind) -> Iterator[RawRecord]:
        if kind == "hf-daily" and first_char(path) == "[":
            document = read_json_document(path, max_bytes=self.settings.import_max_document_bytes)
            size = path.stat().st_size
            for index, item in enumerate(document):
                yield RawRecord(f"{path.name}[{index}]", item, bytes_read=size)
            return
        yield from read_jsonl(path, max_line_bytes=self.settings.import_max_line_bytes)

    def _parse(self, raw: RawRecord, kind: ImportKind, feature: bool) -> SourceRecord:
        position = _index(raw.position)
        if kind == "hf-daily":
            return parse_hf_record(raw.value, self.limits, position)
        return parse_snapshot_record(raw.value, self.limits, feature=feature, position=position)

    def _flush(self, batch: list[SourceRecord], report: ImportReport) -> None:
        if not batch:
            return
        counts = self.retry.run(
            f"import of {report.path}",
            lambda: self.papers.upsert(batch, now=self.clock()),
            on_retry=lambda _exc: _count_retry(report),
        )
        report.inserted += counts.inserted
        report.updated += counts.updated
        report.unchanged += counts.unchanged
        report.entries_added += counts.entries_added
        batch.clear()


def _count_retry(report: ImportReport) -> None:
    report.retries += 1


def _index(position: str) -> int | None:
    """The record's number within its file (line or list index), kept as listing order."""
    tail = position.rsplit(":", 1)[-1].rsplit("[", 1)[-1].rstrip("]")
    return int(tail) if tail.isdigit() else None
