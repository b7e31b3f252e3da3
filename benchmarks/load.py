#!/usr/bin/env python
"""Load-test Huzhu's pages under gunicorn on 127.0.0.1: requests/s, p50/p95/p99 per page.

    .venv/bin/python benchmarks/load.py --db sqlite
    .venv/bin/python benchmarks/load.py --db postgres

Seeds the benchmark database with benchmarks/seed_bulk.py (10,000 topics / 100,000 replies)
unless it is already there (SQLite) — PostgreSQL uses a database ``huzhu_bench`` created for
the run and dropped afterwards (``--keep`` keeps it) — counts the SQL queries each page runs
(in-process, with the Flask test client), starts ``gunicorn -w 2`` (sync workers), warms up,
then drives each page with N concurrent keep-alive clients (threads with http.client) for a
fixed time or request budget, and stops the server. Loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import seed_bulk  # noqa: E402
import sqlalchemy as sa  # noqa: E402

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "huzhu_bench"
RESULTS_DIR = ROOT / "benchmarks" / "results"


@dataclass
class Result:
    name: str
    path: str
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    queries: int | None = None
    queries_first_hit: int | None = None
    bytes: int = 0
    foreign_cpu: float = 0.0  # share of all CPUs used by other processes during the run


# ---------------------------------------------------------------- database


def prepare_database(kind: str, url: str | None, reseed: bool, seed_args: list[str]) -> str:
    if kind == "sqlite":
        url = url or f"sqlite:///{seed_bulk.DEFAULT_SQLITE}"
        if reseed or not _seeded(url):
            seed_bulk.main(["--database-url", url, *seed_args])
        return url
    url = url or f"postgresql://postgres@127.0.0.1:5432/{PG_BENCH_DB}"
    name = sa.engine.make_url(url).database
    if name == "test" or "bench" not in name:
        raise SystemExit(f"refusing to use PostgreSQL database {name!r} for the benchmark")
    admin = sa.create_engine(seed_bulk.sqlalchemy_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    seed_bulk.main(["--database-url", url, *seed_args])
    return url


def drop_pg_database(url: str) -> None:
    name = sa.engine.make_url(url).database
    admin = sa.create_engine(seed_bulk.sqlalchemy_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _seeded(url: str) -> bool:
    path = Path(sa.engine.make_url(url).database)
    if not path.exists():
        return False
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT COUNT(*) FROM topics").scalar_one() >= 10_000
    except sa.exc.DBAPIError:
        return False
    finally:
        engine.dispose()


def find_targets(url: str, deep_page: int, per_page: int = 20) -> list[tuple[str, str]]:
    engine = sa.create_engine(seed_bulk.sqlalchemy_url(url))
    with engine.connect() as conn:
        slug, topic_count = conn.execute(sa.text(
            "SELECT slug, topic_count FROM tribes ORDER BY topic_count DESC, id LIMIT 1")).one()
        topic_id = conn.execute(sa.text(
            "SELECT id FROM topics WHERE reply_count >= 50 AND deleted_at IS NULL "
            "ORDER BY id LIMIT 1")).scalar_one()
    engine.dispose()
    pages = max(1, -(-topic_count // per_page))
    deep = min(deep_page, pages)
    return [("home", "/"), ("tribe p1", f"/t/{slug}"), (f"tribe p{deep}", f"/t/{slug}?page={deep}"),
            ("topic 50 replies", f"/topic/{topic_id}")]


# ---------------------------------------------------------------- queries per page


def count_queries(url: str, targets: list[tuple[str, str]]) -> dict[str, tuple[int, int]]:
    """SQL statements per request for each page: (first hit, steady state)."""
    from forum import create_app
    from forum.extensions import db

    # Queries of a real render: the anonymous page cache would answer repeats with none.
    app = create_app({"SQLALCHEMY_DATABASE_URI": seed_bulk.sqlalchemy_url(url),
                      "INSTANCE_DIR": tempfile.mkdtemp(prefix="huzhu-bench-"),
                      "ANON_CACHE_SECONDS": 0})
    counter = {"n": 0}
    out: dict[str, tuple[int, int]] = {}
    with app.app_context():  # only to reach the engine: requests must get their own context
        engine = db.engine

    def _count(*_args, **_kwargs):
        counter["n"] += 1

    sa.event.listen(engine, "before_cursor_execute", _count)
    client = app.test_client()
    for _name, path in targets:
        counts = []
        for _ in range(3):
            counter["n"] = 0
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
            counts.append(counter["n"])
        out[path] = (counts[0], counts[-1])
    sa.event.remove(engine, "before_cursor_execute", _count)
    engine.dispose()
    return out


# ---------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, port: int, workers: int, log_path: Path,
                   app_dir: Path = ROOT, page_cache: bool = True) -> subprocess.Popen:
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    if not gunicorn.exists():
        gunicorn = Path(shutil.which("gunicorn") or "gunicorn")
    env = dict(os.environ, DATABASE_URL=url,
               HUZHU_INSTANCE_DIR=tempfile.mkdtemp(prefix="huzhu-bench-"),
               SECRET_KEY="bench-secret", HUZHU_LOG_LEVEL="WARNING", PYTHONPATH=str(app_dir))
    if not page_cache:
        env["HUZHU_ANON_CACHE_SECONDS"] = "0"
    log = open(log_path, "w")  # noqa: SIM115 - closed by the OS when gunicorn exits
    proc = subprocess.Popen(
        [str(gunicorn), "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "forum:create_app()"],
        cwd=app_dir, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}; see {log_path}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.2)
    stop(proc)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---------------------------------------------------------------- load


def hammer(port: int, path: str, clients: int, seconds: float, max_requests: int):
    """``clients`` threads, each with its own keep-alive connection, GET ``path`` until time
    or the request budget runs out. Returns (latencies in s, errors, elapsed s, bytes)."""
    latencies: list[float] = []
    errors = [0]
    size = [0]
    lock = threading.Lock()
    issued = [0]
    start = time.perf_counter()
    deadline = start + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        bad = 0
        last_size = 0
        while time.perf_counter() < deadline:
            with lock:
                if issued[0] >= max_requests:
                    break
                issued[0] += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
                body = b""
            if ok:
                mine.append(time.perf_counter() - t0)
                last_size = len(body)
            else:
                bad += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad
            size[0] = max(size[0], last_size)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors[0], time.perf_counter() - start, size[0]


def summarise(name: str, path: str, latencies: list[float], errors: int, elapsed: float,
              size: int) -> Result:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return Result(name=name, path=path, requests=len(ordered), errors=errors,
                  seconds=round(elapsed, 2), rps=round(len(ordered) / elapsed, 1),
                  p50_ms=round(pct(0.50), 1), p95_ms=round(pct(0.95), 1),
                  p99_ms=round(pct(0.99), 1),
                  mean_ms=round(statistics.fmean(ordered) * 1000, 1) if ordered else float("nan"),
                  bytes=size)


def cpu_busy(seconds: float = 2.0) -> float:
    """Share of all CPUs busy over ``seconds`` (from /proc/stat; 0.0 where unavailable)."""
    def sample():
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        values = [int(v) for v in fields]
        return sum(values), values[3] + values[4]  # total, idle + iowait

    try:
        total1, idle1 = sample()
        time.sleep(seconds)
        total2, idle2 = sample()
    except (OSError, ValueError, IndexError):
        return 0.0
    return 1 - (idle2 - idle1) / max(1, total2 - total1)


def wait_until_quiet(max_wait: float, threshold: float = 0.15) -> float:
    """Wait (at most ``max_wait`` s) for the machine to be idle; returns the last busy share."""
    deadline = time.monotonic() + max_wait
    busy = cpu_busy()
    quiet = 0
    while time.monotonic() < deadline:
        quiet = quiet + 1 if busy < threshold else 0
        if quiet >= 3:
            break
        busy = cpu_busy()
    return busy


FOREIGN_CPU_LIMIT = 0.05


def _ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (gunicorn's workers)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                out.append(int(entry.name))
    return out


def postgres_backends(database: str | None) -> list[int]:
    """PostgreSQL server processes connected to ``database`` (they work for our server)."""
    if not database:
        return []
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if cmdline.startswith("postgres:") and f" {database} " in cmdline:
                out.append(int(entry.name))
    return out


class ForeignCpu:
    """How much of the machine other processes used between creation and ``share()``: the
    busy CPU time from /proc/stat minus that of the server and this load generator."""

    def __init__(self, ours: list[int]) -> None:
        self.ours = ours
        self.start = self._sample()

    def _sample(self) -> tuple[int, int, int]:
        try:
            values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        except (OSError, ValueError):
            return 0, 0, 0
        total, idle = sum(values), values[3] + values[4]
        return total, total - idle, sum(_ticks(pid) for pid in self.ours)

    def share(self) -> float:
        total1, busy1, ours1 = self.start
        total2, busy2, ours2 = self._sample()
        if total2 <= total1:
            return 0.0
        return max(0.0, ((busy2 - busy1) - (ours2 - ours1)) / (total2 - total1))


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model or platform.processor()}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database-url", help="override the benchmark database URL")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=15.0, help="measured time per page")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds per page")
    parser.add_argument("--max-requests", type=int, default=50_000, help="cap per page")
    parser.add_argument("--deep-page", type=int, default=50)
    parser.add_argument("--reseed", action="store_true", help="rebuild the SQLite bench file")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL bench database")
    parser.add_argument("--only", help="comma-separated page names or paths to run")
    parser.add_argument("--app-dir", type=Path, default=ROOT,
                        help="serve another checkout of Huzhu (e.g. to compare before/after); "
                             "query counts are then not measured")
    parser.add_argument("--label", default="", help="a note stored with the results")
    parser.add_argument("--retries", type=int, default=2,
                        help="measure a page again (up to N times) when other processes used "
                             f"more than {round(FOREIGN_CPU_LIMIT * 100)}%% of the CPUs during its run")
    parser.add_argument("--no-page-cache", action="store_true",
                        help="turn off the anonymous page cache (HUZHU_ANON_CACHE_SECONDS=0): "
                             "every request renders, as for logged-in readers or cache misses")
    parser.add_argument("--wait-idle", type=float, default=0.0, metavar="SECONDS",
                        help="before measuring, wait up to this long for other processes to "
                             "leave the CPUs idle (the figures are meaningless on a busy box)")
    args = parser.parse_args()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    if args.no_page_cache:
        args.label = "-".join(filter(None, ["uncached", args.label]))

    url = prepare_database(args.db, args.database_url, args.reseed, [])
    try:
        targets = find_targets(url, args.deep_page)
        if args.only:
            wanted = set(args.only.split(","))
            targets = [t for t in targets if t[0] in wanted or t[1] in wanted]
        same_code = args.app_dir.resolve() == ROOT
        queries = count_queries(url, targets) if same_code else {}
        port = free_port()
        log_path = Path(tempfile.gettempdir()) / f"huzhu-bench-gunicorn-{port}.log"
        busy_before = wait_until_quiet(args.wait_idle) if args.wait_idle else cpu_busy()
        print(f"CPU busy before the run: {busy_before:.0%}", flush=True)
        proc = start_gunicorn(url, port, args.workers, log_path, args.app_dir.resolve(),
                              page_cache=not args.no_page_cache)
        results: list[Result] = []
        try:
            pg_database = (sa.engine.make_url(url).database
                           if args.db == "postgres" else None)
            for name, path in targets:
                for attempt in range(args.retries + 1):
                    hammer(port, path, args.clients, args.warmup, args.max_requests)
                    # The server, its workers, this client and (PostgreSQL) the database's
                    # backends serving them are "us"; anything else disturbs the figures.
                    meter = ForeignCpu([os.getpid(), proc.pid, *children(proc.pid),
                                        *postgres_backends(pg_database)])
                    lat, errors, elapsed, size = hammer(port, path, args.clients, args.seconds,
                                                        args.max_requests)
                    result = summarise(name, path, lat, errors, elapsed, size)
                    result.foreign_cpu = round(meter.share(), 3)
                    print(f"  {name:<18} {result.rps:>7.1f} req/s  p50 {result.p50_ms:>6.1f} ms  "
                          f"p95 {result.p95_ms:>6.1f} ms  ({result.requests} requests, "
                          f"{result.errors} errors, other processes used "
                          f"{result.foreign_cpu:.0%} of the CPUs)", flush=True)
                    if result.foreign_cpu <= FOREIGN_CPU_LIMIT:
                        break
                    if attempt < args.retries:
                        print("    disturbed by other processes: measuring again", flush=True)
                        if args.wait_idle:
                            wait_until_quiet(args.wait_idle)
                result.queries_first_hit, result.queries = queries.get(path, (None, None))
                results.append(result)
        finally:
            stop(proc)
    finally:
        if args.db == "postgres" and not args.keep and not args.database_url:
            drop_pg_database(url)

    header = (f"{'page':<18} {'path':<24} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} "
              f"{'p99 ms':>7} {'queries':>8} {'errors':>6} {'others':>6}")
    print()
    cache_note = "page cache off" if args.no_page_cache else "anonymous page cache on"
    print(f"Huzhu load test — {args.db}, {cache_note}, gunicorn -w {args.workers} (sync), "
          f"{args.clients} clients, {args.seconds:g} s per page, {machine()}, "
          f"CPU busy before start {busy_before:.0%}")
    print(header)
    print("-" * len(header))
    for r in results:
        print(f"{r.name:<18} {r.path:<24} {r.rps:>8.1f} {r.p50_ms:>7.1f} {r.p95_ms:>7.1f} "
              f"{r.p99_ms:>7.1f} {r.queries if r.queries is not None else '-':>8} {r.errors:>6} "
              f"{r.foreign_cpu:>6.0%}")
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"pages-{args.db}{'-' + args.label if args.label else ''}.json"
    out.write_text(json.dumps({
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "db": args.db,
        "workers": args.workers, "clients": args.clients, "seconds": args.seconds,
        "machine": machine(), "label": args.label, "page_cache": not args.no_page_cache,
        "load_average_at_start": load_at_start, "cpu_busy_before": round(busy_before, 3),
        "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "results": [asdict(r) for r in results],
    }, ensure_ascii=False, indent=2) + "\n")
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
