"""The one place that knows SQL for embeddings: what needs embedding, vectors in and out.

A row per (paper, model) holds the paper's vector and its sentences' vectors. On SQLite the
vector is float32 bytes, searched exactly in memory by the search layer (`load` feeds it, and
`state` tells it cheaply when to reload: rows only ever get new ids, so count + max id moves on
every insert, re-embedding or delete). On PostgreSQL it is a pgvector column searched with its
HNSW index (`nearest`). Sentence vectors are float16 bytes on both: they are read only for the
few papers a search shows or re-ranks.

Which papers need embedding: those with no row for the model, and those modified since their
row was last checked (`papers.modified_at >= checked_at`) whose text hash differs. The caller
stamps `checked_at` with the time *before* it read the texts, so an edit that lands while a
batch is being embedded is caught by the next run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.engine import Connection

from dailypapers.domain.search import SearchFilters
from dailypapers.storage.database import Database
from dailypapers.storage.search_filters import filter_clauses
from dailypapers.storage.tables import embeddings, papers


class PgVector(sa.types.UserDefinedType):
    """pgvector's `vector(n)`, known to reflection (values travel as text: `[x,y,...]`)."""

    cache_ok = True

    def __init__(self, dim: int | None = None) -> None:
        self.dim = dim

    def get_col_spec(self, **_kw: object) -> str:
        return f"vector({self.dim})" if self.dim else "vector"


ischema_names["vector"] = PgVector  # so reflecting the schema knows the type


@dataclass(slots=True)
class PendingPaper:
    arxiv_id: str
    title: str
    abstract: str
    text_hash: str | None  # of the stored embedding, None if there is none


@dataclass(slots=True)
class EmbeddingRecord:
    arxiv_id: str
    text_hash: str
    vector: np.ndarray  # float32 [dim], unit length
    sentences: np.ndarray | None = None  # [n, dim], unit rows, in `sentence_spans` order
    sentence_spans: list[tuple[int, int]] | None = None  # of the abstract


@dataclass(slots=True)
class LoadedVectors:
    arxiv_ids: list[str]
    row_ids: np.ndarray  # int64, ascending
    matrix: np.ndarray  # float32 [n, dim]


@dataclass(slots=True)
class SentenceVectors:
    spans: list[tuple[int, int]]
    matrix: np.ndarray  # float32 [n, dim]


def _vector_text(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in np.asarray(vector, np.float32)) + "]"


class EmbeddingStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- what needs doing ----------------------------------------------------------------
    def _pending_where(self, model: str) -> tuple[sa.FromClause, sa.ColumnElement[bool]]:
        joined = papers.outerjoin(
            embeddings,
            sa.and_(embeddings.c.arxiv_id == papers.c.arxiv_id, embeddings.c.model == model),
        )
        stale = sa.or_(embeddings.c.id.is_(None), papers.c.modified_at >= embeddings.c.checked_at)
        return joined, stale

    def pending(self, model: str, *, after: str | None = None, limit: int) -> list[PendingPaper]:
        """The next `limit` papers (by id, after `after`) that may need (re-)embedding."""
        joined, stale = self._pending_where(model)
        query = (
            sa.select(papers.c.arxiv_id, papers.c.title, papers.c.abstract, embeddings.c.text_hash)
            .select_from(joined)
            .where(stale)
            .order_by(papers.c.arxiv_id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(papers.c.arxiv_id > after)
        with self.db.read() as conn:
            return [PendingPaper(*row) for row in conn.execute(query)]

    def pending_among(self, model: str, ids: Sequence[str]) -> list[PendingPaper]:
        """Those of `ids` that still may need (re-)embedding (an embed job's batch)."""
        joined, stale = self._pending_where(model)
        query = (
            sa.select(papers.c.arxiv_id, papers.c.title, papers.c.abstract, embeddings.c.text_hash)
            .select_from(joined)
            .where(stale, papers.c.arxiv_id.in_(list(ids)))
            .order_by(papers.c.arxiv_id)
        )
        with self.db.read() as conn:
            return [PendingPaper(*row) for row in conn.execute(query)]

    def count_pending(self, model: str) -> int:
        joined, stale = self._pending_where(model)
        query = sa.select(sa.func.count()).select_from(joined).where(stale)
        with self.db.read() as conn:
            return conn.execute(query).scalar_one()

    # --- writes --------------------------------------------------------------------------
    def save(self, model: str, records: Sequence[EmbeddingRecord], *, checked_at: datetime) -> None:
        """Store a batch in one transaction, replacing earlier rows (which get new ids)."""
        if not records:
            return
        pg = not self.db.is_sqlite
        rows = []
        for r in records:
            vector = np.asarray(r.vector, np.float32)
            sentences = r.sentences
            rows.append(
                {
                    "arxiv_id": r.arxiv_id,
                    "model": model,
                    "text_hash": r.text_hash,
                    "dim": int(vector.shape[0]),
                    "vector": None if pg else vector.tobytes(),
                    "sentences": None
                    if sentences is None or len(sentences) == 0
                    else np.asarray(sentences, np.float16).tobytes(),
                    "sentence_spans": None
                    if r.sentence_spans is None
                    else [list(s) for s in r.sentence_spans],
                    "created_at": checked_at,
                    "checked_at": checked_at,
                }
            )
        with self.db.write() as conn:
            ids = [r.arxiv_id for r in records]
            conn.execute(
                embeddings.delete().where(
                    embeddings.c.model == model, embeddings.c.arxiv_id.in_(ids)
                )
            )
            conn.execute(embeddings.insert(), rows)
            if pg:
                conn.execute(
                    sa.text(
                        "UPDATE embeddings SET embedding = CAST(:v AS vector) "
                        "WHERE model = :m AND arxiv_id = :a"
                    ),
                    [{"v": _vector_text(r.vector), "m": model, "a": r.arxiv_id} for r in records],
                )

    def mark_checked(self, model: str, ids: Sequence[str], *, at: datetime) -> None:
        """The stored vectors of `ids` still match their text: skip them until edited again."""
        if not ids:
            return
        with self.db.write() as conn:
            conn.execute(
                embeddings.update()
                .where(embeddings.c.model == model, embeddings.c.arxiv_id.in_(list(ids)))
                .values(checked_at=at)
            )

    # --- reads ---------------------------------------------------------------------------
    def state(self, model: str) -> tuple[int, int]:
        """(rows, max id) for a model: changes whenever its vectors do."""
        query = sa.select(sa.func.count(), sa.func.coalesce(sa.func.max(embeddings.c.id), 0)).where(
            embeddings.c.model == model
        )
        with self.db.read() as conn:
            count, max_id = conn.execute(query).one()
        return int(count), int(max_id)

    def count(self, model: str) -> int:
        return self.state(model)[0]

    def has_any(self, model: str) -> bool:
        """Whether the model has a stored vector (one index probe, at any size)."""
        query = sa.select(sa.exists().where(embeddings.c.model == model))
        with self.db.read() as conn:
            return bool(conn.execute(query).scalar())

    def load(self, model: str, *, after_id: int = 0) -> LoadedVectors:
        """Every stored vector of a model with id > after_id (SQLite), in id order."""
        query = (
            sa.select(embeddings.c.id, embeddings.c.arxiv_id, embeddings.c.vector)
            .where(embeddings.c.model == model, embeddings.c.id > after_id)
            .order_by(embeddings.c.id)
        )
        if not self.db.is_sqlite:
            query = query.with_only_columns(
                embeddings.c.id, embeddings.c.arxiv_id, sa.literal_column("embedding::text")
            )
        ids: list[str] = []
        row_ids: list[int] = []
        blobs: list[np.ndarray] = []
        with self.db.read() as conn:
            for row_id, arxiv_id, value in conn.execute(query):
                if value is None:
                    continue
                row_ids.append(row_id)
                ids.append(arxiv_id)
                blobs.append(_decode(value))
        dim = blobs[0].shape[0] if blobs else 0
        matrix = np.vstack(blobs) if blobs else np.zeros((0, dim), np.float32)
        return LoadedVectors(ids, np.asarray(row_ids, np.int64), matrix)

    def vector(self, model: str, arxiv_id: str) -> np.ndarray | None:
        column = embeddings.c.vector if self.db.is_sqlite else sa.literal_column("embedding::text")
        query = sa.select(column).where(
            embeddings.c.model == model, embeddings.c.arxiv_id == arxiv_id
        )
        with self.db.read() as conn:
            value = conn.execute(query).scalar()
        return None if value is None else _decode(value)

    def vectors_for(self, model: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors of these papers that have one (recommendations read a window's)."""
        column = embeddings.c.vector if self.db.is_sqlite else sa.literal_column("embedding::text")
        found: dict[str, np.ndarray] = {}
        with self.db.read() as conn:
            for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
                query = sa.select(embeddings.c.arxiv_id, column).where(
                    embeddings.c.model == model, embeddings.c.arxiv_id.in_(list(chunk))
                )
                for arxiv_id, value in conn.execute(query):
                    if value is not None:
                        found[arxiv_id] = _decode(value)
        return found

    def sentence_vectors(self, model: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Sentence vectors (float16 [n, dim], title row first when there is a title) by id.

        The hot path of every semantic search (a hundred or two candidates): raw rows only,
        no spans, no conversion.
        """
        query = sa.select(embeddings.c.arxiv_id, embeddings.c.dim, embeddings.c.sentences).where(
            embeddings.c.model == model,
            self._among_ids(),
            embeddings.c.sentences.is_not(None),
        )
        return {
            arxiv_id: np.frombuffer(blob, np.float16).reshape(-1, dim)
            for arxiv_id, dim, blob in self._blob_rows(query, ids)
        }

    def sentences(self, model: str, ids: Sequence[str]) -> dict[str, SentenceVectors]:
        """Sentence vectors with their abstract spans (papers without any are left out)."""
        query = sa.select(
            embeddings.c.arxiv_id,
            embeddings.c.dim,
            embeddings.c.sentences,
            embeddings.c.sentence_spans,
        ).where(embeddings.c.model == model, self._among_ids())
        found: dict[str, SentenceVectors] = {}
        for arxiv_id, dim, blob, spans in self._blob_rows(query, ids):
            if blob is None or spans is None:
                continue
            matrix = np.frombuffer(blob, np.float16).reshape(-1, dim).astype(np.float32)
            found[arxiv_id] = SentenceVectors([tuple(s) for s in spans], matrix)
        return found

    def _among_ids(self) -> sa.ColumnElement[bool]:
        """`arxiv_id` is one of the `ids` parameter (`_blob_rows` fills it in)."""
        if self.db.is_sqlite:
            return embeddings.c.arxiv_id.in_(sa.bindparam("ids", expanding=True))
        return embeddings.c.arxiv_id == sa.any_(sa.bindparam("ids", type_=ARRAY(sa.String)))

    def _blob_rows(self, query: sa.Select, ids: Sequence[str]) -> list[tuple]:
        """The rows of `query` (whose `ids` parameter, `_among_ids`, takes `ids`), blobs
        included.

        PostgreSQL sends them in its binary format: psycopg's default, text, sends a bytea as
        hex, twice its bytes, which the client then decodes. A search reads ~200 papers'
        sentence vectors (~7 kB each): 7.6-9.8 ms as text, 4.1-4.3 ms in binary, of which
        client CPU 4.7 and 1.9 ms (74.7k papers; docs/scale-out.md).
        """
        if not ids:
            return []
        with self.db.read() as conn:
            if self.db.is_sqlite:
                return [tuple(row) for row in conn.execute(query, {"ids": list(ids)})]
            compiled = query.compile(dialect=conn.dialect)
            params = {**compiled.params, "ids": list(ids)}
            with conn.connection.dbapi_connection.cursor(binary=True) as cursor:
                return cursor.execute(str(compiled), params).fetchall()

    # --- PostgreSQL: search in the database ----------------------------------------------
    def similarities(
        self, model: str, query_vector: np.ndarray, ids: Sequence[str]
    ) -> dict[str, float]:
        """Cosine similarity of a vector to the stored vectors of `ids` (PostgreSQL)."""
        if not ids:
            return {}
        distance = sa.literal_column("embedding").op("<=>")(
            sa.text("CAST(:q AS vector)").bindparams(q=_vector_text(query_vector))
        )
        query = sa.select(embeddings.c.arxiv_id, (1 - distance).label("similarity")).where(
            embeddings.c.model == model,
            embeddings.c.arxiv_id.in_(list(ids)),
            sa.literal_column("embedding").is_not(None),
        )
        with self.db.read() as conn:
            return {a: float(s) for a, s in conn.execute(query)}

    def nearest(
        self,
        model: str,
        query_vector: np.ndarray,
        *,
        k: int,
        filters: SearchFilters = SearchFilters(),
        exclude: str | None = None,
        ef_search: int = 100,
    ) -> list[tuple[str, float]]:
        """The k visible papers closest to a vector (pgvector HNSW): (arxiv_id, cosine)."""
        q = _vector_text(query_vector)
        return self._nearest_sql(model, q, None, k, filters, exclude, ef_search)

    def nearest_to_paper(
        self,
        model: str,
        arxiv_id: str,
        *,
        k: int,
        filters: SearchFilters = SearchFilters(),
        ef_search: int = 100,
    ) -> list[tuple[str, float]]:
        return self._nearest_sql(model, None, arxiv_id, k, filters, arxiv_id, ef_search)

    def _nearest_sql(
        self,
        model: str,
        q: str | None,
        of_paper: str | None,
        k: int,
        filters: SearchFilters,
        exclude: str | None,
        ef_search: int,
    ) -> list[tuple[str, float]]:
        if self.db.is_sqlite:
            raise NotImplementedError("SQLite vectors are searched in memory (search.vectors)")
        target = (
            sa.text("CAST(:q AS vector)").bindparams(q=q)
            if q is not None
            else sa.text(
                "(SELECT embedding FROM embeddings WHERE model = :m0 AND arxiv_id = :a0)"
            ).bindparams(m0=model, a0=of_paper)
        )
        distance = sa.literal_column("embeddings.embedding").op("<=>")(target)
        query = (
            sa.select(embeddings.c.arxiv_id, (1 - distance).label("similarity"))
            .select_from(embeddings.join(papers, papers.c.arxiv_id == embeddings.c.arxiv_id))
            .where(
                embeddings.c.model == model,
                sa.literal_column("embeddings.embedding").is_not(None),
                *filter_clauses(filters, "postgresql"),
            )
            .order_by(distance)
            .limit(k)
        )
        if exclude is not None:
            query = query.where(embeddings.c.arxiv_id != exclude)
        with self.db.read() as conn:
            _set_ef_search(conn, max(ef_search, k))
            return [(a, float(s)) for a, s in conn.execute(query) if s is not None]


def _set_ef_search(conn: Connection, ef: int) -> None:
    conn.exec_driver_sql(f"SET LOCAL hnsw.ef_search = {min(int(ef), 1000)}")


def _decode(value: bytes | str) -> np.ndarray:
    if isinstance(value, str):  # pgvector text form
        return np.array(value.strip("[]").split(","), dtype=np.float32)
    return np.frombuffer(value, np.float32)
