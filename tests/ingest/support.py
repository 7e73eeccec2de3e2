"""Scripting the recorded server for each source, and reading back what a run stored."""

from __future__ import annotations

import sqlalchemy as sa

from dailypapers.services.bootstrap import Services
from dailypapers.storage.ingest_tables import paper_versions
from dailypapers.storage.tables import daily_entries, papers
from tests.ingest.server import RecordedServer, Reply, fixture, json_reply, xml

HF_DAYS = ("2024-05-27", "2025-07-24", "2026-08-21")
API_PATH, OAI_PATH, HF_PATH = "/api/query", "/oai", "/api/daily_papers"


def arxiv_pages() -> list[bytes]:
    return [fixture(f"arxiv_api/page_{n}.xml") for n in (1, 2, 3)]


def script_arxiv(server: RecordedServer, pages: list[bytes] | None = None) -> None:
    for start, body in zip((0, 5, 10), pages or arxiv_pages(), strict=True):
        server.script(API_PATH, [xml(body)], start=str(start))


def oai_pages(folder: str = "oai_arxiv") -> list[bytes]:
    count = 6 if folder == "oai_arxiv" else 2
    return [fixture(f"{folder}/page_{n}.xml") for n in range(1, count + 1)]


def oai_token(page_number: int, folder: str = "oai_arxiv") -> str:
    """The resumption token that asks for page `page_number` (2..)."""
    base = "4242" if folder == "oai_arxiv" else "4343"
    return f"{base}|{3 * (page_number - 1)}"


def script_oai(
    server: RecordedServer,
    folder: str = "oai_arxiv",
    replies: dict[int, list[Reply]] | None = None,
    delay_s: float = 0.0,
) -> None:
    """Page 1 answers the first request (metadataPrefix, from, until), page n its token."""
    prefix = "arXiv" if folder == "oai_arxiv" else "arXivRaw"
    replies = replies or {}
    for number, body in enumerate(oai_pages(folder), 1):
        scripted = replies.get(number, [xml(body, delay_s=delay_s)])
        if number == 1:
            server.script(OAI_PATH, scripted, metadataPrefix=prefix)
        else:
            server.script(OAI_PATH, scripted, resumptionToken=oai_token(number, folder))


def hf_day(shared_data, day: str) -> bytes:
    path = shared_data / "hf_daily_papers" / "api_fixtures" / f"daily_papers_{day}.json"
    return path.read_bytes()


def script_hf(server: RecordedServer, shared_data, days=HF_DAYS) -> None:
    server.script(HF_PATH, [json_reply(b"[]")])  # any other day: nothing featured
    for day in days:
        server.script(HF_PATH, [json_reply(hf_day(shared_data, day))], date=day)


def snapshot(services: Services) -> dict[str, list]:
    """Everything a run writes about papers, for comparing two databases."""
    paper_cols = [c for c in papers.c if c.name not in ("created_at", "modified_at")]
    entry_cols = [c for c in daily_entries.c if c.name != "id"]
    with services.db.read() as conn:
        return {
            "papers": [
                tuple(r) for r in conn.execute(sa.select(*paper_cols).order_by(papers.c.arxiv_id))
            ],
            "entries": [
                tuple(r)
                for r in conn.execute(
                    sa.select(*entry_cols).order_by(daily_entries.c.day, daily_entries.c.arxiv_id)
                )
            ],
            "versions": [
                tuple(r)
                for r in conn.execute(
                    sa.select(paper_versions).order_by(
                        paper_versions.c.arxiv_id, paper_versions.c.version
                    )
                )
            ],
        }


def totals(services: Services) -> tuple[int, int, int]:
    """(papers, daily entries, versions) in the database."""
    with services.db.read() as conn:
        return tuple(
            conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in (papers, daily_entries, paper_versions)
        )  # type: ignore[return-value]
