"""The job queue on both databases: each job claimed once, a dead worker's job retried.

The crash test runs real `python -m dailypapers worker` processes (configured only through
DAILYPAPERS_* variables) and SIGKILLs one while it embeds a batch.
"""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path

import pytest
import sqlalchemy as sa

from dailypapers.search.embedder import MiniLMEmbedder
from dailypapers.storage.operations_tables import jobs
from dailypapers.storage.tables import as_utc, embeddings
from tests.clock_main import LAUNCHER, clock_env
from tests.conftest import FIXED_NOW, ROOT, make_services

PAPERS = 48  # embedded by the killed worker and the next one, in four jobs


def test_concurrent_claims_take_every_job_exactly_once(tmp_path: Path, database_url: str) -> None:
    services = make_services(tmp_path, database_url, db_pool_size=8)
    store = services.jobs.store
    try:
        for n in range(40):
            assert store.enqueue("embed", f"k{n}", {"n": n}, now=FIXED_NOW)
        assert not store.enqueue("embed", "k0", {"n": 0}, now=FIXED_NOW)  # idempotent
        claimed: list[int] = []
        start = threading.Barrier(6)

        def claim_all(worker: int) -> None:
            start.wait()
            while (
                job := store.claim(
                    ["embed"], f"w{worker}", now=FIXED_NOW, lease_s=60, max_attempts=3
                )
            ) is not None:
                claimed.append(job.id)

        threads = [threading.Thread(target=claim_all, args=(w,)) for w in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(claimed) == sorted(set(claimed))  # nobody got a job twice
        assert len(claimed) == 40
    finally:
        services.close()


def test_an_expired_lease_is_claimed_again_and_a_failing_job_gives_up(
    tmp_path: Path, database_url: str
) -> None:
    services = make_services(tmp_path, database_url)
    store = services.jobs.store
    try:
        store.enqueue("embed", "one", {}, now=FIXED_NOW)
        first = store.claim(["embed"], "a", now=FIXED_NOW, lease_s=10, max_attempts=2)
        assert first is not None
        # While the lease lasts nobody else gets it; after it, someone does (attempt 2).
        assert store.claim(["embed"], "b", now=FIXED_NOW, lease_s=10, max_attempts=2) is None
        later = FIXED_NOW + timedelta(seconds=11)
        second = store.claim(["embed"], "b", now=later, lease_s=10, max_attempts=2)
        assert second is not None and (second.id, second.attempts) == (first.id, 2)
        assert not store.finish(first, now=later)  # fenced: "a" lost it
        # "b" dies too: a third claim would pass job_max_attempts, so the job is failed.
        much_later = later + timedelta(seconds=11)
        assert store.claim(["embed"], "c", now=much_later, lease_s=10, max_attempts=2) is None
        assert store.get(first.id)["status"] == "failed"
    finally:
        services.close()


def _worker(
    url: str, data_dir: Path, *args: str, start: datetime | None = None
) -> subprocess.Popen:
    """A `dailypapers worker` process; with `start`, its clock starts there (clock_main)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    env.update(
        {
            "DAILYPAPERS_DATABASE_URL": url,
            "DAILYPAPERS_DATA_DIR": str(data_dir),
            "DAILYPAPERS_INGEST_SOURCES": "",  # no network: only the index task runs
            "DAILYPAPERS_JOB_LEASE_S": "3",
            "DAILYPAPERS_SCHEDULER_TICK_S": "0.2",
            "DAILYPAPERS_EMBEDDING_BATCH_SIZE": str(PAPERS // 4),  # four jobs
            "DAILYPAPERS_EMBEDDING_THREADS": "1",
        }
    )
    launcher = [sys.executable, "-m", "dailypapers"]
    if start is not None:
        launcher = LAUNCHER
        env.update(clock_env(start))
    command = [*launcher, "worker", *args]
    return subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )


def _wait_for(engine: sa.Engine, query, until, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            rows = conn.execute(query).all()
        if until(rows):
            return rows
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {query}")


def test_a_worker_killed_mid_batch_leaves_its_job_to_the_next_worker_without_gaps(
    tmp_path: Path, database_url: str, shared_data: Path, model_weights: None
) -> None:
    services = make_services(tmp_path, database_url)
    source = shared_data / "hf_daily_papers" / "daily_papers.jsonl.gz"
    rows = tmp_path / "rows.jsonl"
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        rows.write_text("".join(islice(handle, PAPERS)), encoding="utf-8")
    assert services.imports.import_file(rows, "hf-daily").inserted == PAPERS
    MiniLMEmbedder(services.settings.model_cache_dir, threads=1)  # build the ONNX file once
    services.close()

    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    first = _worker(database_url, tmp_path)
    try:
        running = _wait_for(
            engine,
            sa.select(jobs.c.id, jobs.c.status, jobs.c.owner).order_by(jobs.c.id),
            lambda r: any(j.status == "done" for j in r) and any(j.status == "running" for j in r),
        )
        first.send_signal(signal.SIGKILL)
        first.wait()
    finally:
        if first.poll() is None:
            first.kill()
    with engine.connect() as conn:
        killed = conn.execute(sa.select(jobs).where(jobs.c.status == "running")).one()
    assert f":{first.pid}:" in killed.owner, "not killed mid-job"
    assert killed.id in {j.id for j in running if j.status == "running"}

    # Once the dead worker's lease has expired, the next worker takes the job over: its
    # clock starts just past that lease (tests/clock_main.py) instead of the test waiting.
    past_lease = as_utc(killed.lease_expires_at) + timedelta(seconds=0.5)
    second = _worker(database_url, tmp_path, "--once", start=past_lease)
    output = second.communicate(timeout=300)[0].decode()
    assert second.returncode == 0, output

    with engine.connect() as conn:
        states = conn.execute(sa.select(jobs.c.id, jobs.c.status, jobs.c.attempts)).all()
        vectors = conn.execute(
            sa.select(sa.func.count(), sa.func.count(sa.distinct(embeddings.c.arxiv_id)))
        ).one()
    engine.dispose()
    assert {status for _, status, _ in states} == {"done"}
    assert {(i, a) for i, _, a in states if i == killed.id} == {(killed.id, 2)}
    assert tuple(vectors) == (PAPERS, PAPERS)  # every paper once: no gaps, no duplicates


def test_a_failing_handler_gives_its_job_back_once_per_pass(
    tmp_path: Path, database_url: str
) -> None:
    services = make_services(tmp_path, database_url)
    runner = services.jobs

    def boom(_payload: dict, _stop: threading.Event) -> None:
        raise RuntimeError("the model is not here")

    runner.register("boom", boom)
    try:
        runner.enqueue("boom", "a", {})
        runner.enqueue("boom", "b", {})
        assert runner.run_pending(threading.Event()) == 1  # the failure ends the pass
        with services.db.read() as conn:
            rows = conn.execute(sa.select(jobs).order_by(jobs.c.id)).all()
        assert [(r.key, r.status, r.attempts) for r in rows] == [
            ("a", "queued", 1),
            ("b", "queued", 0),
        ]
        assert rows[0].error == "RuntimeError: the model is not here"
    finally:
        services.close()
