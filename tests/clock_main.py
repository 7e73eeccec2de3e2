"""Run the real `dailypapers` command with a test clock: `python -m tests.clock_main
serve|worker|ingest ...` (`LAUNCHER`). Tests only.

DAILYPAPERS_TEST_CLOCK="START@WALL0@SPEED" (`clock_env`) makes every service's "now" START
plus SPEED times the wall-clock seconds since the Unix time WALL0. Every process computes it
from the same three numbers, so several processes share one simulated day (a scheduled day in
seconds, tests/scale) without sharing memory, and a process can be started at a given time
(past a dead process's lease, tests/ingest) instead of a test sleeping until then. The clock
goes in through `bootstrap(clock=...)`, the one place wiring happens; everything else is the
shipped command.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from datetime import datetime, timedelta

from dailypapers.cli import context, main

LAUNCHER = [sys.executable, "-m", "tests.clock_main"]


def clock_env(start: datetime, speed: float = 1.0, wall0: float | None = None) -> dict[str, str]:
    """The variable that starts a LAUNCHER process's clock at `start` (at Unix time `wall0`,
    by default now) running `speed` times as fast as the wall clock."""
    wall0 = time.time() if wall0 is None else wall0
    return {"DAILYPAPERS_TEST_CLOCK": f"{start.isoformat()}@{wall0}@{speed}"}


def _clock(spec: str):
    start_text, wall0_text, speed_text = spec.split("@")
    start, wall0, speed = datetime.fromisoformat(start_text), float(wall0_text), float(speed_text)

    def now() -> datetime:
        return start + timedelta(seconds=(time.time() - wall0) * speed)

    return now


if __name__ == "__main__":
    context.bootstrap = functools.partial(  # type: ignore[assignment]
        context.bootstrap, clock=_clock(os.environ["DAILYPAPERS_TEST_CLOCK"])
    )
    main()
