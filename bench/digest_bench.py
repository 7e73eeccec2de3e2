"""Digest throughput: N confirmed subscribers, one daily period, to a local SMTP server.

    python bench/digest_bench.py [--subscribers 10000] [--workers 1] [--database-url URL]

The SMTP server (aiosmtpd, counting messages and distinct Message-IDs) runs in its own
process so it doesn't share the sender's interpreter. Subscribers get trending papers from
the bundled demo data. `--workers N` runs N `dailypapers digest send` processes at once
(they split the work through their claims); 1 sends from this process. Prints wall time
and messages/s, and checks every subscriber got exactly one message.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from dailypapers.config import Settings
from dailypapers.domain.digests import DigestPrefs
from dailypapers.services.bootstrap import bootstrap

PERIOD = "2026-08-21"


def _smtp_server(port: int, count, ready) -> None:  # runs in a child process
    from aiosmtpd.controller import Controller

    seen: set[bytes] = set()

    class Counter:
        async def handle_DATA(self, server, session, envelope):
            for line in envelope.content.split(b"\r\n", 40):
                if line.lower().startswith(b"message-id:"):
                    seen.add(line)
                    break
            with count.get_lock():
                count.value += 1
                ready["distinct"] = len(seen)
            return "250 2.0.0 queued"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    ready["up"] = True
    while True:
        time.sleep(3600)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="digest-bench-"))
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    port = _free_port()
    manager = mp.Manager()
    ready = manager.dict()
    count = mp.Value("i", 0)
    server = mp.Process(target=_smtp_server, args=(port, count, ready), daemon=True)
    server.start()
    while not ready.get("up"):
        time.sleep(0.05)

    settings = {
        "data_dir": workdir,
        "database_url": database_url,
        "mail_backend": "smtp",
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": "none",
        "mail_from": "Daily Papers <papers@example.org>",
        "base_url": "https://papers.example.org",
    }
    services = bootstrap(Settings(**settings))
    services.upgrade_schema()
    services.load_demo()
    emails = [f"reader{n}@example.org" for n in range(args.subscribers)]
    started = time.perf_counter()
    services.subscriptions.store.insert_active(
        emails, DigestPrefs(), now=datetime(2026, 1, 1, tzinfo=UTC)
    )
    print(f"{args.subscribers:,} subscribers added in {time.perf_counter() - started:.1f} s")

    started, cpu = time.perf_counter(), time.process_time()
    if args.workers == 1:
        report = services.digests.send_period(PERIOD)
        print(f"sent {report.sent:,}, skipped {report.skipped:,}, failed {report.failed:,}")
    else:
        env = {**os.environ, **{f"DAILYPAPERS_{k.upper()}": str(v) for k, v in settings.items()}}
        command = [sys.executable, "-m", "dailypapers", "digest", "send", "--period", PERIOD]
        workers = [
            subprocess.Popen(
                [*command, "--json", "--no-migrate"], env=env, stdout=subprocess.DEVNULL
            )
            for _ in range(args.workers)
        ]
        for worker in workers:
            worker.wait()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    while count.value < args.subscribers and time.perf_counter() - started < elapsed + 10:
        time.sleep(0.05)
    services.close()
    received, distinct = count.value, ready.get("distinct", 0)
    print(
        f"{received:,} messages ({distinct:,} distinct Message-IDs) in {elapsed:.1f} s: "
        f"{received / elapsed:,.0f} messages/s with {args.workers} worker(s), "
        f"{services.db.dialect}, {os.cpu_count()} cores"
    )
    if args.workers == 1:
        print(f"sender CPU time {cpu:.1f} s ({cpu / max(received, 1) * 1000:.2f} ms a message)")
    if received != args.subscribers or distinct != args.subscribers:
        sys.exit("FAILED: not exactly one message per subscriber")
    server.terminate()


if __name__ == "__main__":
    main()
