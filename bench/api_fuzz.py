"""The long schemathesis pass: many examples per API operation, on SQLite and PostgreSQL,
with and without a valid token; any 5xx fails it.

    python bench/api_fuzz.py [--examples 300]

It runs tests/community/test_api_fuzz.py (whose short pass runs in `make test`) with
DAILYPAPERS_FUZZ_EXAMPLES set, and prints a table of the outcome per database and mode.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=300)
    args = parser.parse_args()
    env = {**os.environ, "DAILYPAPERS_FUZZ_EXAMPLES": str(args.examples)}
    rows = []
    for test in ("anonymous", "valid_token"):
        for database in ("sqlite", "postgresql"):
            start = time.perf_counter()
            command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
            command += ["tests/community/test_api_fuzz.py", "-k", f"{test} and {database}"]
            out = subprocess.run(
                command,
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            ).stdout
            summary = out.strip().splitlines()[-1] if out.strip() else "no output"
            failed = re.findall(r"(\d+) failed", summary)
            rows.append((test, database, summary, time.perf_counter() - start, failed))
    print(f"schemathesis, {args.examples} examples per operation")
    print(f"{'mode':<12} {'database':<11} {'wall':>7}  outcome")
    for test, database, summary, wall, _ in rows:
        print(f"{test:<12} {database:<11} {wall:>6.0f}s  {summary}")
    sys.exit(1 if any(failed for *_, failed in rows) else 0)


if __name__ == "__main__":
    main()
