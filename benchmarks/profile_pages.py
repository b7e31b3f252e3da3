#!/usr/bin/env python
"""Where does a page's time go? In-process timing, SQL statements and a profile per page.

    .venv/bin/python benchmarks/profile_pages.py                 # ms/request and queries
    .venv/bin/python benchmarks/profile_pages.py --profile /topic/97
    .venv/bin/python benchmarks/profile_pages.py --queries /t/liuliang   # print the SQL

Runs the app with the Flask test client against the benchmark database (seed it first with
benchmarks/seed_bulk.py), so the figures are pure server CPU per request without HTTP or
gunicorn. ``--profile`` uses pyinstrument when installed (``.venv/bin/pip install
pyinstrument``), else cProfile.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import seed_bulk  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from load import find_targets  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="default: the four benchmarked pages")
    parser.add_argument("--database-url", default=seed_bulk.default_url())
    parser.add_argument("-n", type=int, default=300, help="requests per timing run")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--queries", action="store_true", help="print each page's SQL")
    args = parser.parse_args()

    from forum import create_app
    from forum.extensions import db

    url = args.database_url
    paths = args.paths or [path for _name, path in find_targets(url, 50)]
    app = create_app({"SQLALCHEMY_DATABASE_URI": seed_bulk.sqlalchemy_url(url),
                      "INSTANCE_DIR": tempfile.mkdtemp(prefix="huzhu-profile-"),
                      # Profile the render itself, not the anonymous page cache.
                      "ANON_CACHE_SECONDS": 0})
    client = app.test_client()
    statements: list[str] = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute",
                        lambda _c, _cur, statement, *_a: statements.append(statement))

    for path in paths:
        for _ in range(20):  # warm caches (templates, hot topics, statement cache)
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        statements.clear()
        client.get(path)
        queries = list(statements)
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            for _ in range(args.n):
                client.get(path)
            runs.append((time.perf_counter() - started) / args.n * 1000)
        print(f"{path:<24} {min(runs):6.2f} ms/request (best of 3 × {args.n})  "
              f"{len(queries)} queries  {len(response.data) // 1024} KiB")
        if args.queries:
            for statement in queries:
                print("    " + " ".join(statement.split())[:200])
        if args.profile:
            _profile(client, path, args.n)


def _profile(client, path: str, n: int) -> None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            client.get(path)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        return
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(n):
        client.get(path)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False))


if __name__ == "__main__":
    main()
