"""What HTTP clients receive: bytes on the wire with and without gzip, and 200 vs 304 time.

    python bench/http_bench.py [--repeat 20]

Serves the bundled demo data (HF daily papers, 2026-06..08) over a real socket (uvicorn in a
thread, bench/support.py) and asks each URL as a client would: once with
`Accept-Encoding: identity`, once with `gzip`, then `--repeat` times with the ETag it got
(`If-None-Match`) and without. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from dailypapers.app import create_app
from dailypapers.config import Settings
from dailypapers.services.bootstrap import bootstrap
from support import LiveServer, free_port

URLS = [
    "/api/daily_papers?month=2026-08&limit=100",
    "/api/daily_papers?date=2026-08-21",
    "/month/2026-08",
    "/feeds/daily.atom",
]


def _wire_bytes(client: httpx.Client, path: str, encoding: str) -> int:
    with client.stream("GET", path, headers={"Accept-Encoding": encoding}) as response:
        return sum(len(chunk) for chunk in response.iter_raw())


def _median_ms(client: httpx.Client, path: str, headers: dict[str, str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        services = bootstrap(Settings(data_dir=Path(tmp), base_url=f"http://127.0.0.1:{port}"))
        services.upgrade_schema()
        services.load_demo()
        with (
            LiveServer(create_app(services), port) as base,
            httpx.Client(base_url=base, timeout=30) as client,
        ):
            header = ("url", "identity", "gzip", "ratio", "200 ms", "304 ms")
            print("{:45s} {:>10s} {:>9s} {:>6s} {:>7s} {:>7s}".format(*header))
            for path in URLS:
                plain = _wire_bytes(client, path, "identity")
                zipped = _wire_bytes(client, path, "gzip")
                etag = client.get(path).headers.get("etag")
                full = _median_ms(client, path, {"Accept-Encoding": "gzip"}, args.repeat)
                cond = (
                    _median_ms(client, path, {"If-None-Match": etag}, args.repeat)
                    if etag
                    else float("nan")
                )
                print(
                    f"{path:45s} {plain:10,d} {zipped:9,d} {plain / zipped:6.1f} "
                    f"{full:7.1f} {cond:7.1f}"
                )
        services.close()


if __name__ == "__main__":
    main()
