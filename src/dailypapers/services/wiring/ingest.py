"""The ingest feature: file imports, live ingest from arXiv and Hugging Face, dumps."""

from __future__ import annotations

from dataclasses import dataclass

from dailypapers.config import IngestSettings
from dailypapers.ingest.http import HttpClient, HttpPolicy
from dailypapers.services.clock import Clock
from dailypapers.services.dump import DumpService
from dailypapers.services.imports import ImportService
from dailypapers.services.ingest import IngestService
from dailypapers.services.wiring.storage import Storage
from dailypapers.storage.bulk_index import KeywordIndexMaintenance
from dailypapers.storage.dump import DumpStore
from dailypapers.storage.ingest_runs import IngestRunStore


@dataclass(frozen=True)
class Ingest:
    imports: ImportService  # `dailypapers import`, the demo load
    ingest: IngestService  # `dailypapers ingest`, the scheduled runs, submissions' fetches
    dump: DumpService  # `export` / `import-dump`: the whole site as portable JSONL


def build_ingest(
    settings: IngestSettings, storage: Storage, clock: Clock, *, base_url: str
) -> Ingest:
    """`base_url` names the site in the User-Agent the sources see."""
    db = storage.db
    imports = ImportService(
        settings, storage.papers, clock, KeywordIndexMaintenance(db), storage.retry
    )
    ingest = IngestService(
        settings,
        storage.papers,
        IngestRunStore(db),
        HttpClient(HttpPolicy.from_settings(settings, base_url)),
        imports,
        clock,
        storage.retry,
    )
    dump = DumpService(DumpStore(db, page_size=settings.import_batch_size), settings)
    return Ingest(imports=imports, ingest=ingest, dump=dump)
