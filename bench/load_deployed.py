"""Load benchmark of the reference deployment, under issue 13's conditions (on demand; not a
test): the 74.7k arXiv corpus plus the HF demo data on PostgreSQL 16 + pgvector (pgserver) and
on SQLite, `dailypapers serve --workers 4` behind Debian's nginx (deploy/nginx.conf: gzip,
static files, X-Forwarded-For set by the proxy), and wrk on loopback.

    .venv/bin/python bench/load_deployed.py                  # short: 10 s a row
    .venv/bin/python bench/load_deployed.py --seconds 60     # the issue's figures
        [--databases postgresql,sqlite] [--workers 4] [--clients 20] [--mix-seconds S]
        [--side-seconds S] [--cache-dir bench/.cache/load-deployed] [--rebuild]
        [--only search] [--vectors] [--settle S] [--set NAME=VALUE ...]

`--vectors` gives every paper its vectors first, as on a site after `dailypapers index` (else
only the demo's 1,219 papers have any, and the 74.7k are found by keywords alone): copied
from bench/search_bench.py's cache, 3,000 real and the rest noisy copies of those.

Rows, each for `--seconds` with `--clients` connections (all send Accept-Encoding: gzip, as
browsers do):
- day page `/date/2026-08-21`, daily API `/api/daily_papers?date=2026-08-21`,
  search `/search?q=chain+of+thought`, paper page `/papers/<the day's top paper>`: one URL
  each, as the issue measured them (an anonymous visitor, so the page cache serves repeats);
- day page and paper page (logged in): the same URLs with a voter's session cookie, which
  the page cache passes by; they reuse the page's viewer-independent part
  (web/view_cache.py) and add the viewer's votes;
- search (varied): a different query on almost every request (title bigrams of the corpus),
  so the page cache misses and the search engine itself is measured (`--side-seconds`, as
  the logged-in rows);
- mix: 95% anonymous reads (day page 40%, daily API 25%, paper pages 20%, search 15%, of
  which half are varied queries) and 5% logged-in voters (`--voter-share`): real users,
  logged in through nginx before the run, who read the day page (45%), a paper page (25%)
  and upvote or take back an upvote with the form's POST and CSRF token (30%). Every vote
  bumps the data version, so it also shows what writes cost the anonymous cache. The
  per-route figures of the mix come from nginx's access log ($request_time, the time nginx
  spent on the request), grouped by route and by logged-in or not.

Setup: the loaded databases are kept in `--cache-dir` (the PostgreSQL data folder and the
SQLite file) and reused while the migrations and the corpus are unchanged; `--rebuild`
loads them again (demo data with its vectors, then a bulk import of the 74.7k papers, which
features each on its listing day; without `--vectors` they have no vectors, so they are found
by keywords).
Everything listens on 127.0.0.1 only and is stopped at the end. Needs /usr/sbin/nginx and
/usr/bin/wrk (apt-get install nginx-light wrk).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import httpx

from support import search_queries

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "arxiv_daily_cs" / "papers.jsonl.gz"
MIGRATIONS = ROOT / "src" / "dailypapers" / "storage" / "migrations" / "versions"
STATIC = ROOT / "src" / "dailypapers" / "web" / "static"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
DAY = "2026-08-21"
SEARCH = "/search?q=chain+of+thought"
SEARCH_BENCH_DB = ROOT / "bench" / ".cache" / "search_bench.db"
VOTERS = 20
PASSWORD = "load bench password 1"
ANON_MIX = (("day page", 40), ("daily API", 25), ("paper page", 20), ("search", 15))
VOTER_MIX = (("read day", 45), ("read paper", 25), ("vote", 30))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def env_for(url: str, data_dir: Path, proxy_port: int = 0) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    env.update(
        {
            "DAILYPAPERS_DATABASE_URL": url,
            "DAILYPAPERS_DATA_DIR": str(data_dir),
            "DAILYPAPERS_SERVE_RUNS_SCHEDULER": "false",
            "DAILYPAPERS_INGEST_SOURCES": "",
            "DAILYPAPERS_MAIL_BACKEND": "console",
            "DAILYPAPERS_TRUSTED_PROXIES": "127.0.0.1",
            "DAILYPAPERS_BASE_URL": f"http://127.0.0.1:{proxy_port}",
        }
    )
    return env


def cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "dailypapers", *args], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"dailypapers {' '.join(args)}: {done.stderr[-2000:]}")
    return done.stdout


# --- the loaded databases, kept between runs ---------------------------------------------
def stamp(vectors: Path | None) -> str:
    migrations = sorted(p.name for p in MIGRATIONS.glob("*.py"))
    made = vectors.stat().st_size if vectors is not None else None
    return json.dumps({"migrations": migrations, "corpus": CORPUS.stat().st_size, "vectors": made})


def export_vectors(source: Path, target: Path) -> None:
    """search_bench.py's vectors of the 74.7k papers (3,000 real, the rest noisy copies of
    those: its docstring) as a vectors file, which `EmbeddingService.import_vectors` takes for
    the papers whose text they were made from, as it takes the demo's."""
    from dailypapers.search.recipe import MODEL as model
    from dailypapers.search.recipe import text_hash
    from dailypapers.search.vector_files import write_vectors
    from dailypapers.storage.database import Database as Db
    from dailypapers.storage.embeddings import EmbeddingRecord, EmbeddingStore
    from dailypapers.storage.keyword_index import KeywordIndex

    db = Db(f"sqlite:///{source}")
    store, papers = EmbeddingStore(db), KeywordIndex(db)
    loaded = store.load(model)
    records = []
    for start in range(0, len(loaded.arxiv_ids), 2000):
        ids = loaded.arxiv_ids[start : start + 2000]
        sentences, texts = store.sentences(model, ids), papers.papers(ids)
        for arxiv_id, vector in zip(ids, loaded.matrix[start : start + 2000], strict=True):
            paper, found = texts.get(arxiv_id), sentences.get(arxiv_id)
            if paper is None or found is None:
                continue
            digest = text_hash(model, paper.title, paper.abstract)
            records.append(EmbeddingRecord(arxiv_id, digest, vector, found.matrix, found.spans))
    write_vectors(target, model, records, compact=True)
    print(f"  {len(records)} papers' vectors from {source.name}", flush=True)


def load(env: dict[str, str], vectors: Path | None) -> None:
    started = time.perf_counter()
    cli(env, "db", "upgrade")
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from dailypapers.services.bootstrap import bootstrap\n"
            "s = bootstrap()\ns.load_demo()\n"
            f"for n in range({VOTERS}):\n"
            "    s.community.accounts.create_user("
            f"f'voter{{n}}', f'voter{{n}}@example.org', {PASSWORD!r}, verified=True)\n"
            "s.close()",
        ],
        env=env,
        check=True,
    )
    cli(env, "import", "arxiv-snapshot", "--bulk", str(CORPUS))
    if vectors is not None:
        code = "from dailypapers.services.bootstrap import bootstrap\ns = bootstrap()\n"
        code += f"print(s.embedding.import_vectors({str(vectors)!r}), 'vectors stored')\ns.close()"
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
    print(f"  loaded in {time.perf_counter() - started:.0f} s", flush=True)


class Database:
    """A loaded database in the cache folder: its URL while open."""

    def __init__(self, kind: str, cache: Path, rebuild: bool, vectors: Path | None) -> None:
        self.kind = kind
        self.folder = cache / (f"{kind}-vectors" if vectors is not None else kind)
        self.pg = None
        stamp_file = self.folder / "stamp.json"
        fresh = rebuild or not stamp_file.is_file() or stamp_file.read_text() != stamp(vectors)
        if fresh:
            shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)
        if kind == "sqlite":
            self.url = f"sqlite:///{self.folder / 'bench.db'}"
        else:
            import pgserver

            self.pg = pgserver.get_server(self.folder / "pg", cleanup_mode="stop")
            if fresh:
                self.pg.psql("CREATE DATABASE bench;")
            self.url = self.pg.get_uri("bench")
        if fresh:
            print(f"== loading {kind} into {self.folder}", flush=True)
            load(env_for(self.url, self.folder), vectors)
            stamp_file.write_text(stamp(vectors))
        else:
            print(f"== {kind}: reusing {self.folder}", flush=True)

    def close(self) -> None:
        if self.pg is not None:
            self.pg.cleanup()


# --- the deployment: serve --workers N behind nginx ---------------------------------------
def nginx_conf(work: Path, upstream: int, listen: int) -> str:
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = re.sub(
        r"    server 127\.0\.0\.1:8001;\n    server 127\.0\.0\.1:8002;\n",
        f"    server 127.0.0.1:{upstream};\n",
        site,
    )
    site = site.replace("listen 80;", f"listen 127.0.0.1:{listen} backlog=4096;")
    site = site.replace("/opt/dailypapers/static/", f"{STATIC}/")
    assert f":{upstream};" in site and f":{listen} " in site, "deploy/nginx.conf changed shape"
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes auto;\npid {work}/nginx.pid;\nerror_log {work}/error.log;\n"
        "events { worker_connections 4096; }\n"
        "http {\n  include /etc/nginx/mime.types;\n"
        "  log_format bench '$msec $request_time $status $request_method $uri $cookie_dp_voter "
        "$upstream_http_x_page_cache';\n"
        f"  access_log {work}/access.log bench buffer=256k flush=1s;\n"
        f"  client_body_temp_path {work}/body; proxy_temp_path {work}/proxy;\n"
        f"  fastcgi_temp_path {work}/fcgi; uwsgi_temp_path {work}/uwsgi;"
        f" scgi_temp_path {work}/scgi;\n"
        f"{site}}}\n"
    )


class Deployment:
    def __init__(self, db: Database, workers: int, settings: list[str]) -> None:
        self.work = Path(tempfile.mkdtemp(prefix="load-deployed-"))
        self.port = free_port()
        self.proxy_port = free_port()
        self.base = f"http://127.0.0.1:{self.proxy_port}"
        env = env_for(db.url, db.folder, self.proxy_port)
        for setting in settings:  # --set NAME=VALUE: the serve processes' settings
            name, _, value = setting.partition("=")
            env[f"DAILYPAPERS_{name.upper()}"] = value
        self.serve = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dailypapers",
                "serve",
                "--no-migrate",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.work / "serve.log", "wb"),  # noqa: SIM115 (closed with the process)
        )
        (self.work / "nginx.conf").write_text(nginx_conf(self.work, self.port, self.proxy_port))
        self.nginx = [
            NGINX,
            "-p",
            str(self.work),
            "-c",
            str(self.work / "nginx.conf"),
            "-e",
            str(self.work / "error.log"),
        ]
        try:
            subprocess.run([*self.nginx, "-t"], check=True, capture_output=True)
            subprocess.run(self.nginx, check=True)
            self._wait(f"http://127.0.0.1:{self.port}/readyz")
            self._wait(f"{self.base}/readyz")
        except BaseException:
            self.stop()
            raise

    def _wait(self, url: str) -> None:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.serve.poll() is not None:
                break
            time.sleep(0.3)
        raise RuntimeError(f"{url} did not come up; see {self.work}/serve.log")

    def rotate_log(self, name: str) -> Path:
        """Move the access log so far aside as `name` (nginx flushes its buffer into it when
        it reopens its logs) and start a new one."""
        kept = self.work / name
        (self.work / "access.log").rename(kept)
        subprocess.run([*self.nginx, "-s", "reopen"], check=True, capture_output=True)
        time.sleep(1)
        return kept

    def stop(self) -> None:
        subprocess.run([*self.nginx, "-s", "stop"], capture_output=True)
        self.serve.send_signal(signal.SIGTERM)
        try:
            self.serve.wait(60)
        except subprocess.TimeoutExpired:
            self.serve.kill()
        shutil.rmtree(self.work, ignore_errors=True)


# --- what the clients ask for -------------------------------------------------------------
def log_in_voters(base: str) -> list[dict[str, str]]:
    """Each voter logs in through nginx as a browser would: their cookie and CSRF token."""
    voters = []
    csrf = re.compile(r'name="csrf_token" value="([^"]+)"')
    for n in range(VOTERS):
        with httpx.Client(base_url=base, timeout=30) as browser:
            token = csrf.search(browser.get("/login").text).group(1)
            answer = browser.post(
                "/login", data={"login": f"voter{n}", "password": PASSWORD, "csrf_token": token}
            )
            if answer.status_code != 303:
                raise RuntimeError(f"voter{n} could not log in: {answer.status_code}")
            page = browser.get(f"/date/{DAY}").text
            cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
            voters.append({"cookie": f"{cookie}; dp_voter=1", "csrf": csrf.search(page).group(1)})
    return voters


def lua_list(values: list[str]) -> str:
    return "{" + ",".join(json.dumps(v) for v in values) + "}"


def mix_script(
    paths: dict[str, str], papers: list[str], queries: list[str], voters: list, voter_share: float
) -> str:
    anon = [(route, weight) for route, weight in ANON_MIX]
    day, api, search = (json.dumps(p) for p in (paths["day page"], paths["daily API"], SEARCH))
    return f"""
local papers = {lua_list(papers)}
local queries = {lua_list(queries)}
local cookies = {lua_list([v["cookie"] for v in voters])}
local tokens = {lua_list([v["csrf"] for v in voters])}
local day, api, search = {day}, {api}, {search}
local gz = {{["Accept-Encoding"] = "gzip"}}
local weights = {{{",".join(str(w) for _, w in anon)}}}
local names = {lua_list([r for r, _ in anon])}
math.randomseed(os.time() + math.floor(os.clock() * 1000000))

local function pick(ws)
  local total = 0
  for _, w in ipairs(ws) do total = total + w end
  local r = math.random() * total
  for i, w in ipairs(ws) do r = r - w; if r <= 0 then return i end end
  return #ws
end

request = function()
  if math.random() < {voter_share} then
    local u = math.random(#cookies)
    local h = {{Cookie = cookies[u], ["Accept-Encoding"] = "gzip"}}
    local what = pick({{{",".join(str(w) for _, w in VOTER_MIX)}}})
    if what == 1 then return wrk.format("GET", day, h) end
    local paper = papers[math.random(#papers)]
    if what == 2 then return wrk.format("GET", "/papers/" .. paper, h) end
    h["Content-Type"] = "application/x-www-form-urlencoded"
    local body = "vote=" .. math.random(0, 1) .. "&csrf_token=" .. tokens[u] .. "&next=/"
    return wrk.format("POST", "/papers/" .. paper .. "/upvote", h, body)
  end
  local name = names[pick(weights)]
  if name == "day page" then return wrk.format("GET", day, gz) end
  if name == "daily API" then return wrk.format("GET", api, gz) end
  if name == "paper page" then
    return wrk.format("GET", "/papers/" .. papers[math.random(#papers)], gz)
  end
  if math.random() < 0.5 then return wrk.format("GET", search, gz) end
  return wrk.format("GET", "/search?q=" .. queries[math.random(#queries)], gz)
end
"""


def varied_search_script(queries: list[str]) -> str:
    return f"""
local queries = {lua_list(queries)}
local i = 0
local gz = {{["Accept-Encoding"] = "gzip"}}
math.randomseed(os.time() + math.floor(os.clock() * 1000000))
init = function(args) i = math.random(#queries) end
request = function()
  i = i % #queries + 1
  return wrk.format("GET", "/search?q=" .. queries[i], gz)
end
"""


# --- running wrk and reading its figures ---------------------------------------------------
def wrk(
    url: str,
    seconds: float,
    clients: int,
    script: Path | None = None,
    headers: tuple[str, ...] = (),
) -> dict:
    command = [
        WRK,
        f"-t{min(2, clients)}",
        f"-c{clients}",
        f"-d{seconds:g}s",
        "--latency",
        "--timeout",
        "10s",
        "-H",
        "Accept-Encoding: gzip",
    ]
    for header in headers:
        command += ["-H", header]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout

    def pct(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": pct("50"),
        "p99": pct("99"),
        "errors": errors,
    }


def route_of(method: str, uri: str, logged_in: bool) -> str:
    if method == "POST":
        name = "vote"
    elif uri.startswith("/date/"):
        name = "day page"
    elif uri.startswith("/api/daily_papers"):
        name = "daily API"
    elif uri.startswith("/search"):
        name = "search"
    elif uri.startswith("/papers/"):
        name = "paper page"
    else:
        name = uri
    return f"mix: {name}" + (" (logged in)" if logged_in else "")


def read_log(log: Path, name: Callable[[str, str, bool], str]) -> dict[str, dict]:
    """Per route (`name(method, uri, logged_in)`): request times (ms), error statuses and
    page-cache tags, from nginx's access log."""
    found: dict[str, dict] = defaultdict(lambda: {"ms": [], "errors": Counter(), "hits": 0})
    for line in log.read_text().splitlines():
        parts = line.split()
        if len(parts) < 7:
            continue
        _, took, status, method, uri, voter, cache = parts[:7]
        row = found[name(method, uri, voter == "1")]
        row["ms"].append(float(took) * 1000)
        # 499: wrk closed the connection when its time was up, before the answer came
        if int(status) >= 400 and status != "499":
            row["errors"][status] += 1
        row["hits"] += cache == "hit"
    return found


def cache_and_errors(found: dict) -> dict:
    statuses = " ".join(f"{n}x{status}" for status, n in sorted(found["errors"].items()))
    return {"hit %": 100 * found["hits"] / max(1, len(found["ms"])), "statuses": statuses}


def mix_rows(log: Path, seconds: float) -> dict[str, dict]:
    rows = {}
    for route, found in sorted(read_log(log, route_of).items()):
        values = sorted(found["ms"])
        quantiles = statistics.quantiles(values, n=100) if len(values) > 1 else values * 99
        rows[route] = {
            "rps": len(values) / seconds,
            "p50": quantiles[49],
            "p99": quantiles[98],
            "errors": sum(found["errors"].values()),
            **cache_and_errors(found),
        }
    return rows


def bench_database(db: Database, args: argparse.Namespace, queries: list[str]) -> dict:
    deployment = Deployment(db, args.workers, args.set)
    rows: dict[str, dict] = {}
    try:
        base = deployment.base
        daily = httpx.get(f"{base}/api/daily_papers?date={DAY}&limit=30", timeout=60).json()
        papers = [item["paper"]["id"] for item in daily]
        paths = {
            "day page": f"/date/{DAY}",
            "daily API": f"/api/daily_papers?date={DAY}",
            "search": SEARCH,
            "paper page": f"/papers/{papers[0]}",
        }
        for path in paths.values():  # every process's first queries and page-cache entries
            wrk(base + path, 3, args.clients)
        # What a process starts in the background after its first search (an HNSW graph
        # past vector_index_exact_limit on SQLite) ends before the measured rows.
        time.sleep(args.settle)
        scripts = Path(deployment.work)
        deployment.rotate_log("warm.log")

        def row(name: str, seconds: float, url: str, **options: object) -> None:
            print(f"  {db.kind}: {name} ({seconds:g} s)", flush=True)
            rows[name] = wrk(url, seconds, args.clients, **options)
            log = deployment.rotate_log(f"{len(rows)}.log")
            everything = read_log(log, lambda *_: "all")
            rows[name].update(cache_and_errors(everything["all"]) if everything else {})

        for route, path in paths.items():
            if args.only != "search" or route == "search":
                row(route, args.seconds, base + path)
        varied = scripts / "varied.lua"
        varied.write_text(varied_search_script(queries))
        row("search (varied)", args.side_seconds, base + "/", script=varied)
        if args.only == "search":
            return rows
        voters = log_in_voters(base)
        deployment.rotate_log("log-in.log")
        cookie = (f"Cookie: {voters[0]['cookie']}",)
        for route in ("day page", "paper page"):  # one logged-in viewer, no page cache
            row(f"{route} (logged in)", args.side_seconds, base + paths[route], headers=cookie)
        mix = scripts / "mix.lua"
        mix.write_text(mix_script(paths, papers, queries, voters, args.voter_share))
        print(f"  {db.kind}: mix ({args.mix_seconds:g} s)", flush=True)
        rows["mix: all"] = wrk(base + "/", args.mix_seconds, args.clients, mix)
        mixed = deployment.rotate_log("mix.log")
        rows["mix: all"].update(cache_and_errors(read_log(mixed, lambda *_: "all")["all"]))
        rows.update(mix_rows(mixed, args.mix_seconds))
    finally:
        deployment.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="per route (issue: 60)")
    parser.add_argument("--mix-seconds", type=float, default=None, help="default: --seconds")
    parser.add_argument(
        "--side-seconds",
        type=float,
        default=None,
        help="the varied-query search and logged-in rows (default: --seconds, at most 20)",
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--voter-share", type=float, default=0.05)
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument(
        "--cache-dir", type=Path, default=ROOT / "bench" / ".cache" / "load-deployed"
    )
    parser.add_argument("--rebuild", action="store_true", help="load the databases again")
    parser.add_argument(
        "--settle",
        type=float,
        default=0,
        help="seconds to wait after the warm-up (e.g. for each process's HNSW graph: 75k "
        "vectors take ~7 s of a core per process)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the serve processes (docs/settings.md), e.g. "
        "vector_index_exact_limit=50000; repeatable",
    )
    parser.add_argument(
        "--vectors",
        action="store_true",
        help="every paper has vectors, as on a site after `dailypapers index` (copied from "
        "bench/search_bench.py's cache; its own cache folders, --cache-dir/KIND-vectors)",
    )
    parser.add_argument(
        "--only",
        choices=("all", "search"),
        default="all",
        help="search: only the two search rows (one query, varied queries)",
    )
    args = parser.parse_args()
    args.mix_seconds = args.mix_seconds or args.seconds
    args.side_seconds = args.side_seconds or min(args.seconds, 20)
    queries = search_queries()
    vectors = None
    if args.vectors:
        if not SEARCH_BENCH_DB.is_file():
            sys.exit(f"--vectors: {SEARCH_BENCH_DB} is missing (bench/search_bench.py makes it)")
        vectors = args.cache_dir / "vectors.npz"
        if not vectors.is_file() or vectors.stat().st_mtime < SEARCH_BENCH_DB.stat().st_mtime:
            export_vectors(SEARCH_BENCH_DB, vectors)
    load_before = os.getloadavg()[0]
    results: dict[str, dict[str, dict]] = {}
    for kind in args.databases.split(","):
        db = Database(kind, args.cache_dir.resolve(), args.rebuild, vectors)
        try:
            results[kind] = bench_database(db, args, queries)
        finally:
            db.close()

    print(
        f"\nload through nginx: wrk -t2 -c{args.clients}, {args.seconds:g} s a route, "
        f"mix {args.mix_seconds:g} s ({args.voter_share:.0%} logged-in voters), "
        f"serve --workers {args.workers}, {os.cpu_count()} CPUs, load average "
        f"{load_before:.1f} before the run (other work on the machine skews every figure)"
        + (", every paper with vectors" if args.vectors else "")
        + "".join(f", {setting}" for setting in args.set)
    )
    print(
        f"{'database':<11}{'route':<32}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
        f"{'hit %':>7}  statuses"
    )
    for kind, rows in results.items():
        for route, row in rows.items():
            print(
                f"{kind:<11}{route:<32}{row['rps']:>9.0f}{row['p50']:>9.1f}"
                f"{row['p99']:>9.1f}{row['errors']:>8}{row.get('hit %', 0):>7.0f}"
                f"  {row.get('statuses', '')}"
            )


if __name__ == "__main__":
    main()
