"""Hidden papers leave search by meaning at once, on SQLite (vectors in memory) and
PostgreSQL (pgvector), and are found through an index of their own (migration 0017)."""

from __future__ import annotations

from dailypapers.services.bootstrap import Services
from dailypapers.storage.keyword_index import _HIDDEN

PART123 = "2405.16888"  # "Part123: Part-aware 3D Reconstruction from a Single-view Image"
PARAPHRASE = "rebuilding a three-dimensional object and its components from one photograph"

pytest_plugins = ("tests.integration.search_support",)


def _found(services: Services, mode: str) -> list[str]:
    page = services.search.search(PARAPHRASE, mode=mode, limit=20)
    return [hit.paper.arxiv_id for hit in page.hits]


def test_a_hidden_paper_leaves_search_by_meaning_and_similar_papers_at_once(
    embedded_services: Services,
) -> None:
    services = embedded_services
    neighbour = services.search.similar(PART123, limit=1)[0].paper.arxiv_id
    assert _found(services, "semantic")[0] == PART123
    assert PART123 in _found(services, "hybrid")
    assert PART123 in [s.paper.arxiv_id for s in services.search.similar(neighbour, limit=10)]

    assert services.papers.set_hidden(PART123, True)
    for mode in ("semantic", "hybrid"):
        assert PART123 not in _found(services, mode), mode
    assert PART123 not in [s.paper.arxiv_id for s in services.search.similar(neighbour, limit=10)]

    services.papers.set_hidden(PART123, False)
    assert _found(services, "semantic")[0] == PART123


def test_the_hidden_papers_are_read_from_their_own_index(search_services: Services) -> None:
    """Every search by meaning on SQLite reads them: not a scan of every paper."""
    db = search_services.db
    statement = str(_HIDDEN.compile(db.write_engine, compile_kwargs={"literal_binds": True}))
    with db.write() as conn:
        if db.is_sqlite:
            plan = " ".join(
                str(row) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}")
            )
        else:
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = " ".join(str(row) for row in conn.exec_driver_sql(f"EXPLAIN {statement}"))
    assert "ix_papers_hidden" in plan, plan
