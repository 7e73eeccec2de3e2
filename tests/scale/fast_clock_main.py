"""Run the real `dailypapers` command with a test clock: `python -m tests.scale.fast_clock_main
serve|worker ...`. Tests only.

DAILYPAPERS_TEST_CLOCK="START@WALL0@SPEED" makes every service's "now" START plus SPEED times
the wall-clock seconds since the Unix time WALL0. Every process computes it from the same three
numbers, so several processes share one simulated day (a scheduled day in seconds) without
sharing memory. The clock goes in through `bootstrap(clock=...)`, the one place wiring
happens; everything else is the shipped command.
"""

from __future__ import annotations

import functools
import os
import time
from datetime import datetime, timedelta

from dailypapers.cli import context, main


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
