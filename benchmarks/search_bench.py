"""Search performance at 100k posts: whoosh (embedded default, SQLite) and PostgreSQL full
text (production) side by side.

    .venv/bin/python benchmarks/search_bench.py \\
        --pg-url postgresql://postgres@127.0.0.1:5432/bench_search      # both backends
    .venv/bin/python benchmarks/search_bench.py --posts 20000             # whoosh only, smaller

The PostgreSQL database's public schema is dropped and recreated: give it one of its own.

Material: real Chinese text from ../shared/data — the customer and helpdesk turns of the
Weibo customer-service dialogues, the labelled telecom posts, phone and hotel reviews —
combined at random (fixed seed) into topics (a customer's post, title from its start) and
replies (helpdesk and customer turns). The same posts go into both databases.

Measured, per backend:
* bulk index: ``rebuild()`` of every post, posts/s (whoosh with 1 and with ``--procs``
  processes);
* add one: a reply created through the forum service (event → task → index, in-process as
  in the embedded default) until a search finds it; the same for an edit;
* queries: 2-word queries (two words of a random post) with a tribe filter, through the whole
  search service — parsing, synonyms, backend, permission re-check, highlighted snippets —
  page 1 and page 5 (20 per page), p50 / p95 over ``--queries`` queries;
* 3-word queries where few posts have all three (two words of a post, one of another), so
  the relaxed stages run — page 1;
* similar questions: ``similar_topics`` for new-topic titles (four words of a post, reversed);
* for whoosh also the naive setup the issue measured: a fresh searcher per query and exact
  total counts (backend query only).
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("HUZHU_DEMO_DATA_DIR", ROOT.parent / "shared" / "data"))
TRIBES = [("liuliang", "流量管家"), ("youxiang", "移动邮箱"), ("5g-taocan", "5G与套餐"),
          ("kuandai", "宽带与家庭网络"), ("huafei", "话费与账单")]
REPLIES_PER_TOPIC = 5


def load_texts() -> tuple[list[str], list[str]]:
    """(customer-like texts, helpdesk-like texts) from the shared data files."""
    customer, helpdesk = [], []
    with open(DATA / "telecom_weibo_dialogues.jsonl", encoding="utf-8") as fh:
        for line in fh:
            for turn in json.loads(line)["turns"]:
                text = turn["text"].strip()
                if len(text) >= 6:
                    (helpdesk if turn["sender"] == "helpdesk" else customer).append(text)
    for name, column in (("telecom_posts_labelled.csv", "text"),
                         ("phone_reviews_sentiment.csv", "review")):
        with open(DATA / name, encoding="utf-8-sig") as fh:
            customer += [row[column].strip() for row in csv.DictReader(fh) if row.get(column)]
    with open(DATA / "chnsenticorp_test.tsv", encoding="utf-8") as fh:
        customer += [line.split("\t", 1)[1].strip() for line in fh.readlines()[1:] if "\t" in line]
    return customer, helpdesk


def generate(n_posts: int, seed: int = 20240501):
    """Users, topics and posts as plain rows (the same for every database)."""
    rnd = random.Random(seed)
    customer, helpdesk = load_texts()
    n_topics = max(1, -(-n_posts // (REPLIES_PER_TOPIC + 1)))
    start = datetime(2024, 1, 1, tzinfo=UTC)
    topics, posts = [], []
    post_id = 0
    for topic_id in range(1, n_topics + 1):
        body = "".join(rnd.sample(customer, rnd.choice((1, 1, 2, 3))))
        title = body[:24].strip() or "求助"
        created = start + timedelta(minutes=topic_id * 3)
        tribe_id = rnd.randrange(len(TRIBES)) + 1
        topics.append({"id": topic_id, "tribe_id": tribe_id, "author_id": rnd.randrange(50) + 1,
                       "title": title[:80], "created_at": created, "last_activity_at": created,
                       "solved": rnd.random() < 0.25})
        for n in range(REPLIES_PER_TOPIC + 1):
            if post_id >= n_posts:
                break
            post_id += 1
            text = body if n == 0 else rnd.choice(helpdesk if n % 2 else customer)
            posts.append({"id": post_id, "topic_id": topic_id, "is_first": n == 0,
                          "author_id": rnd.randrange(50) + 1, "body": text,
                          "created_at": created + timedelta(minutes=n)})
        if post_id >= n_posts:
            break
    return topics, posts


def load_database(app, topics, posts) -> None:
    """Bulk rows straight into the tables (the forum services would take hours)."""
    import sqlalchemy as sa

    from forum.extensions import db
    from forum.models import Post, Topic, Tribe, User

    def html_of(text: str) -> str:
        return f"<p>{html.escape(text)}</p>"

    with app.app_context():
        now = datetime.now(UTC)
        db.session.execute(sa.insert(User), [
            {"id": i, "username": f"bench{i}", "display_name": f"用户{i}", "password_hash": "x",
             "bio": "", "created_at": now} for i in range(1, 51)])
        db.session.execute(sa.insert(Tribe), [
            {"id": i, "slug": slug, "name": name, "created_at": now}
            for i, (slug, name) in enumerate(TRIBES, 1)])
        first_post = {}
        for p in posts:
            if p["is_first"]:
                first_post[p["topic_id"]] = p["id"]
        accepted = {}
        for p in posts:
            if not p["is_first"] and p["topic_id"] not in accepted:
                accepted[p["topic_id"]] = p["id"]
        db.session.execute(sa.insert(Topic), [
            {k: v for k, v in t.items() if k != "solved"} | {
                "accepted_post_id": None} for t in topics])
        for start in range(0, len(posts), 5000):
            db.session.execute(sa.insert(Post), [
                p | {"body_html": html_of(p["body"]), "body_html_public": html_of(p["body"])}
                for p in posts[start:start + 5000]])
        db.session.flush()
        for t in topics:
            values = {"first_post_id": first_post.get(t["id"])}
            if t["solved"] and t["id"] in accepted:
                values["accepted_post_id"] = accepted[t["id"]]
            t["values"] = values
        table = Topic.__table__
        db.session.connection().execute(
            sa.update(table).where(table.c.id == sa.bindparam("tid")).values(
                first_post_id=sa.bindparam("fp"), accepted_post_id=sa.bindparam("ap")),
            [{"tid": t["id"], "fp": t["values"]["first_post_id"],
              "ap": t["values"].get("accepted_post_id")} for t in topics])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            for table in ("users", "tribes", "topics", "posts"):
                db.session.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"))
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))


def make_app(url: str, instance: Path, procs: int, fresh: bool = True):
    import sqlalchemy as sa

    from forum import create_app
    from forum.extensions import db

    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": str(instance),
                      "HUZHU_PACKAGES": ["search"], "SEARCH_INDEX_PROCS": procs,
                      "LOG_LEVEL": "WARNING"})
    if not fresh:
        return app
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        from flask_migrate import upgrade

        upgrade()
    return app


def pick_queries(posts, tribe_of_topic, count: int, seed: int = 7):
    """Two words of a random post (so something matches) and that post's tribe."""
    from search.analysis import STOPWORDS, _cut, fold

    rnd = random.Random(seed)
    queries = []
    while len(queries) < count:
        post = rnd.choice(posts)
        words = list(dict.fromkeys(w for w, _ in _cut(fold(post["body"]))
                                   if len(w) >= 2 and w not in STOPWORDS and not w.isascii()))
        if len(words) >= 2:
            a, b = rnd.sample(words, 2)
            queries.append((f"{a} {b}", TRIBES[tribe_of_topic[post["topic_id"]] - 1][0]))
    return queries


def pick_relaxing_queries(posts, tribe_of_topic, count: int, seed: int = 11):
    """Two words of a random post and one of another post: few posts have all three, so the
    relaxed stages (most words by coordination, then bigrams) run."""
    plain = pick_queries(posts, tribe_of_topic, count, seed)
    other = pick_queries(posts, tribe_of_topic, count, seed + 1)
    return [(f"{q} {o.split()[0]}", tribe)
            for (q, tribe), (o, _) in zip(plain, other, strict=True)]


def pick_titles(posts, count: int, seed: int = 13) -> list[str]:
    """New-topic titles: four words of a random post in reverse order, as typed anew."""
    from search.analysis import STOPWORDS, _cut, fold

    rnd = random.Random(seed)
    titles = []
    while len(titles) < count:
        words = [w for w, _ in _cut(fold(rnd.choice(posts)["body"])) if w not in STOPWORDS]
        if len(words) >= 4:
            titles.append("".join(reversed(words[:4])))
    return titles


def measure_similar(app, titles) -> dict:
    from search.services.similar import similar_topics

    timings, cpu = [], []
    with app.app_context():
        for title in titles:
            started, cpu_started = time.perf_counter(), time.process_time()
            similar_topics(None, title)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
    return percentiles(timings) | {"cpu": percentiles(cpu)}


def percentiles(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    return {"p50": round(statistics.median(values), 1),
            "p95": round(values[min(len(values) - 1, int(len(values) * 0.95))], 1),
            "mean": round(statistics.fmean(values), 1)}


def measure_queries(app, queries, page: int) -> dict:
    from search import services

    timings, cpu, hits = [], [], 0
    with app.app_context():
        for q, tribe in queries:
            started, cpu_started = time.perf_counter(), time.process_time()
            results = services.search(None, q, services.parse_filters(tribe=tribe), page=page)
            for item in results.page.items:  # what a page does with them
                str(item.snippet_html)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            hits += bool(results.page.items)
    # CPU time of this process as well: other processes on a busy machine stretch the
    # wall-clock figures, not these (PostgreSQL's own work is not in them, though).
    return percentiles(timings) | {"cpu": percentiles(cpu), "queries_with_results": hits}


def measure_naive_whoosh(app, queries) -> dict:
    """The issue's naive setup: a new searcher per query and exact totals (backend only)."""
    from search import services
    from search.parsing import parse_query

    timings, cpu = [], []
    with app.app_context():
        backend = services.backend()
        ix = backend.index()
        for q, tribe in queries:
            parsed = parse_query(q)
            filters = services.parse_filters(tribe=tribe)
            started, cpu_started = time.perf_counter(), time.process_time()
            with ix.searcher() as searcher:  # a new searcher for every query
                q = backend.build_query(parsed, backend.group_queries(searcher, parsed), filters)
                results = searcher.search(q, limit=20)
                len(results)  # the exact total
                [hit["key"] for hit in results]
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
    return percentiles(timings) | {"cpu": percentiles(cpu)}


def measure_backend_only(app, queries) -> dict:
    """Our whoosh setup without the service around it (the per-thread searcher, estimated
    totals): the same work the naive measurement does."""
    from search import services
    from search.parsing import parse_query

    timings, cpu = [], []
    with app.app_context():
        backend = services.backend()
        scope = services.scope_for(None)
        for q, tribe in queries:
            parsed = parse_query(q)
            filters = services.parse_filters(tribe=tribe)
            started, cpu_started = time.perf_counter(), time.process_time()
            backend.search(parsed, filters, scope, 0, 20)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
    return percentiles(timings) | {"cpu": percentiles(cpu)}


def measure_add_and_edit(app, rounds: int = 15) -> dict:
    import sqlalchemy as sa

    from forum.extensions import db
    from forum.models import Topic, User
    from forum.services import topics as topic_service
    from search import services

    adds, edits = [], []
    with app.app_context():
        user = db.session.get(User, 1)
        topic_ids = list(db.session.scalars(sa.select(Topic.id).order_by(Topic.id).limit(rounds)))
        for n, topic_id in enumerate(topic_ids):
            topic = db.session.get(Topic, topic_id)
            word = f"基准词{n}号甲"
            started = time.perf_counter()
            reply = topic_service.create_reply(user, topic, f"测试{word}的回复")
            while not services.search(None, word).page.items:
                time.sleep(0.001)
            adds.append((time.perf_counter() - started) * 1000)
            new_word = f"修改词{n}号乙"
            started = time.perf_counter()
            topic_service.edit_post(user, reply, f"改成{new_word}了")
            while not services.search(None, new_word).page.items:
                time.sleep(0.001)
            edits.append((time.perf_counter() - started) * 1000)
    return {"add_until_found_ms": percentiles(adds), "edit_until_found_ms": percentiles(edits)}


def wait_idle(max_seconds: float, below: float = 1.5) -> list[float]:
    """Wait (up to ``max_seconds``) for the 1-minute load average to drop below ``below``:
    on a shared 2-core machine other processes stretch every figure. Returns the load."""
    deadline = time.monotonic() + max_seconds
    while os.getloadavg()[0] >= below and time.monotonic() < deadline:
        time.sleep(5)
    return [round(x, 1) for x in os.getloadavg()]


def _bulk_index(services, n_posts: int, name: str, procs: int) -> dict:
    out = {}
    started = time.perf_counter()
    count = services.rebuild()
    elapsed = time.perf_counter() - started
    out["bulk_index"] = {"documents": count, "seconds": round(elapsed, 1),
                         "posts_per_s": round(n_posts / elapsed)}
    if name == "whoosh" and procs > 1:
        backend = services.backend()
        backend.procs = procs
        started = time.perf_counter()
        services.rebuild()
        elapsed = time.perf_counter() - started
        out[f"bulk_index_procs_{procs}"] = {"seconds": round(elapsed, 1),
                                            "posts_per_s": round(n_posts / elapsed)}
        backend.procs = 1
    return out


def run_backend(label: str, url: str, instance: Path, topics, posts, queries, procs: int,
                naive: bool, idle: float = 0.0, relaxing=(), titles=(),
                only_queries: bool = False) -> dict:
    from search import services

    out: dict = {"backend": label}
    ready = instance / "ready"  # --keep: the database and index of an earlier run
    reuse = ready.exists()
    app = make_app(url, instance, procs=1, fresh=not reuse)
    if not reuse:
        load_database(app, topics, posts)
    out["load_before_indexing"] = wait_idle(0 if reuse else idle)
    with app.app_context():
        name = services.backend().name
        out["backend"] = f"{label} ({name})"
        if reuse:
            out["reused"] = str(instance)
        else:
            out |= _bulk_index(services, len(posts), name, procs)
        ready.touch()
    out["load_before_queries"] = wait_idle(idle)
    measure_queries(app, queries[:20], 1)  # warm-up: caches, the per-thread searcher
    out["query_page_1_ms"] = measure_queries(app, queries, 1)
    if not only_queries:
        out["query_page_5_ms"] = measure_queries(app, queries, 5)
    if relaxing:
        out["query_3_words_relaxing_page_1_ms"] = measure_queries(app, relaxing, 1)
    if titles:
        out["similar_ms"] = measure_similar(app, titles)
    if naive and not only_queries:
        out["whoosh_backend_only_page_1_ms"] = measure_backend_only(app, queries)
        out["naive_whoosh_page_1_ms"] = measure_naive_whoosh(app, queries)
    if not reuse:  # (it adds posts)
        out |= measure_add_and_edit(app)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--procs", type=int, default=2, help="whoosh rebuild processes")
    parser.add_argument("--pg-url", help="PostgreSQL database for the production backend "
                        "(its public schema is dropped!)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--no-sqlite", action="store_true",
                        help="PostgreSQL only (with --pg-url)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep the databases and indexes in DIR; a later run with the same "
                             "DIR (and --pg-url) only measures the queries")
    parser.add_argument("--only-queries", action="store_true",
                        help="skip the page-5 and naive measurements")
    parser.add_argument("--wait-idle", type=float, default=0.0, metavar="SECONDS",
                        help="before indexing and before querying, wait up to SECONDS for "
                             "the load average to drop below 1.5")
    args = parser.parse_args()

    started = time.perf_counter()
    topics, posts = generate(args.posts)
    tribe_of_topic = {t["id"]: t["tribe_id"] for t in topics}
    queries = pick_queries(posts, tribe_of_topic, args.queries)
    relaxing = pick_relaxing_queries(posts, tribe_of_topic, args.queries)
    titles = pick_titles(posts, args.queries)
    avg = statistics.fmean(len(p["body"]) for p in posts)
    print(f"{len(posts)} posts ({len(topics)} topics), {avg:.0f} characters on average; "
          f"generated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    report = {"posts": len(posts), "topics": len(topics), "avg_chars": round(avg),
              "queries": len(queries), "cpus": os.cpu_count(),
              "load_average_at_start": [round(x, 1) for x in os.getloadavg()], "results": []}
    with tempfile.TemporaryDirectory(prefix="huzhu-search-bench-") as tmp:
        tmp = args.keep or Path(tmp)
        tmp.mkdir(parents=True, exist_ok=True)
        runs = [] if args.no_sqlite else [
            ("embedded: SQLite + whoosh", f"sqlite:///{tmp / 'bench.db'}", tmp / "sqlite")]
        if args.pg_url:
            runs.append(("production: PostgreSQL", args.pg_url, tmp / "pg"))
        for label, url, instance in runs:
            instance.mkdir(exist_ok=True)
            print(f"== {label}", file=sys.stderr)
            result = run_backend(label, url, instance, topics, posts, queries, args.procs,
                                 naive=url.startswith("sqlite"), idle=args.wait_idle,
                                 relaxing=relaxing, titles=titles,
                                 only_queries=args.only_queries)
            print(json.dumps(result, ensure_ascii=False, indent=2), file=sys.stderr)
            report["results"].append(result)
    report["load_average_at_end"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
