#!/usr/bin/env python
"""Socket.IO delivery: N clients on one topic, R replies posted, latency of ``reply_created``.

    .venv/bin/python benchmarks/socket_delivery.py                    # 1,000 clients, embedded
    .venv/bin/python benchmarks/socket_delivery.py --redis redis://127.0.0.1:6379/1
    .venv/bin/python benchmarks/socket_delivery.py --redis redis://127.0.0.1:6379/1 --web-procs 2
    .venv/bin/python benchmarks/socket_delivery.py --clients 200 --replies 20

Starts the production command (``gunicorn -w 1 --threads T -k gthread 'forum:create_app()'``)
on a fresh temporary SQLite database, connects N python-socketio clients over websocket
(spread over several client processes, each client a separate connection authenticated by its
own user's API token) and joins them all to one topic, then posts R replies over HTTP one
after the other through the API and records, per reply and client, the time from just before
the POST to the arrival of its ``reply_created`` event. Reports p50/p95/max latency, missed
deliveries and the server process's resident memory (idle, with clients, after the run).

With ``--redis`` the web process has REDIS_URL: the reply's broadcast runs in a Celery worker
process for the ``realtime`` queue (a second worker takes the ``celery`` queue: search
indexing …) and reaches the clients through the Redis message queue — the production path. Without it (embedded default) the broadcast
runs inline in the web process after the commit. ``--web-procs N`` (with ``--redis``) starts N
web processes and spreads the clients over them, as behind a sticky balancer; replies are
posted to the first. Loopback only; every wait is bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


# --- client processes ---------------------------------------------------------------------


def client_process(base: str, topic_id: int, tokens: list[str], replies: int,
                   timeout: float) -> None:
    """Connect one client per token (asyncio clients: no thread per connection on this side),
    join the topic, record reply_created arrival times; print one JSON line when every
    client has all replies (or the timeout passed)."""
    import asyncio

    import socketio

    arrivals: dict[int, list[float]] = {}
    expected = len(tokens) * replies

    async def run() -> None:
        done = asyncio.Event()
        got = [0]
        clients: list = []
        limit = asyncio.Semaphore(20)  # connect a few at a time, like users arriving

        async def make(token: str):
            client = socketio.AsyncClient(reconnection=False, request_timeout=60)

            async def on_reply(data):
                arrivals.setdefault(data["reply"]["id"], []).append(time.time())
                got[0] += 1
                if got[0] >= expected:
                    done.set()

            client.on("reply_created", on_reply)
            async with limit:
                for attempt in range(3):
                    try:
                        await client.connect(base, auth={"token": token},
                                             transports=["websocket"], wait_timeout=60)
                        break
                    except Exception as exc:
                        if attempt == 2:
                            raise RuntimeError(f"connect failed: {exc!r}") from exc
                        await asyncio.sleep(1)
                answer = await client.call("join_topic", {"topic_id": topic_id}, timeout=60)
            assert answer and answer.get("ok"), answer
            clients.append(client)

        await asyncio.gather(*(make(token) for token in tokens))
        print(json.dumps({"ready": len(clients)}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # "go"
        try:
            await asyncio.wait_for(done.wait(), timeout)
        except TimeoutError:
            pass
        print(json.dumps({"arrivals": arrivals}), flush=True)
        await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)

    asyncio.run(run())
    os._exit(0)


# --- the run ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def threads_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


def gunicorn_worker_pid(master: int, timeout: float = 20) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children")
        if children.exists() and children.read_text().split():
            return int(children.read_text().split()[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def _cpu_sample() -> tuple[int, int]:
    """(total, idle + iowait) jiffies of all CPUs from /proc/stat."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return 0, 0
    return sum(fields), fields[3] + fields[4]


def cpu_busy(seconds: float = 2.0) -> float:
    """Share of all CPUs busy over ``seconds`` (0.0 where /proc/stat is unavailable)."""
    total1, idle1 = _cpu_sample()
    time.sleep(seconds)
    total2, idle2 = _cpu_sample()
    return 1 - (idle2 - idle1) / max(1, total2 - total1) if total2 > total1 else 0.0


def wait_until_quiet(limit: float, busy_below: float = 0.25) -> float:
    """Wait up to ``limit`` seconds for the machine to be mostly idle; returns the busy share."""
    deadline = time.monotonic() + limit
    busy = cpu_busy()
    while busy >= busy_below and time.monotonic() < deadline:
        busy = cpu_busy()
    return busy


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def setup_database(db_url: str, instance: str, users: int) -> tuple[int, list[str], str]:
    """Users (one API token each), a tribe and a topic; returns (topic_id, tokens, poster)."""
    from forum import create_app
    from forum.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "INSTANCE_DIR": instance,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        from forum.models import ApiToken, User
        from forum.services import accounts, topics, tribes

        admin = accounts.register_user("bench_admin", "管理员", "bench-password-1", ["admin"])
        tribe = tribes.save_tribe(admin, slug="bench", name="压测部落", description="benchmark")
        asker = accounts.register_user("bench_asker", "提问者", "bench-password-1")
        poster = accounts.register_user("bench_poster", "回复者", "bench-password-1")
        topic = topics.create_topic(asker, tribe, "一千人同时在看的帖子", "压测用的帖子")
        # Readers in bulk: one INSERT, not a thousand services calls (nothing to test there).
        # (They sign in with their API token only: "!" matches no password.)
        db.session.execute(User.__table__.insert(), [
            {"username": f"reader{i}", "display_name": f"读者{i}", "password_hash": "!"}
            for i in range(users)])
        db.session.commit()
        ids = list(db.session.scalars(
            db.select(User.id).where(User.username.like("reader%")).order_by(User.id)))
        tokens = []
        rows = []
        for user_id in ids:
            token = uuid.uuid4().hex + uuid.uuid4().hex
            tokens.append(token)
            rows.append({"user_id": user_id, "token_hash": accounts._hash_token(token),
                         "name": "bench"})
        db.session.execute(ApiToken.__table__.insert(), rows)
        db.session.commit()
        return topic.id, tokens, accounts.issue_token(poster)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--replies", type=int, default=50)
    parser.add_argument("--client-procs", type=int, default=4)
    parser.add_argument("--threads", type=int, default=0,
                        help="gunicorn threads per process (default: its clients + 50)")
    parser.add_argument("--web-procs", type=int, default=1,
                        help="web processes sharing the clients (needs --redis when > 1)")
    parser.add_argument("--redis", default="", help="REDIS_URL: worker + message queue path")
    parser.add_argument("--warmup", type=int, default=1,
                        help="replies posted first and not measured")
    parser.add_argument("--gap", type=float, default=0.2, help="seconds between replies")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--wait-idle", type=float, default=0,
                        help="first wait up to this many seconds for the CPUs to be idle")
    parser.add_argument("--client-proc", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    parser.add_argument("--topic", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.client_proc:
        tokens = json.loads(sys.stdin.readline())
        client_process(args.base, args.topic, tokens, args.replies, args.timeout)
        return

    import requests

    busy_before = wait_until_quiet(args.wait_idle) if args.wait_idle else cpu_busy()
    print(f"CPU busy before the run: {busy_before:.0%}", flush=True)
    instance = tempfile.mkdtemp(prefix="huzhu-sockbench-")
    db_url = f"sqlite:///{instance}/bench.db"
    print(f"setting up {args.clients} users and a topic in {db_url} …", flush=True)
    topic_id, tokens, poster_token = setup_database(db_url, instance, args.clients)

    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    channel = f"hz-bench-{uuid.uuid4().hex[:8]}"
    env.update(DATABASE_URL=db_url, HUZHU_INSTANCE_DIR=instance, SECRET_KEY="bench-secret",
               HUZHU_LOG_LEVEL="WARNING", HUZHU_SOCKETIO_CHANNEL=channel,
               HUZHU_REDIS_PREFIX=f"{channel}:")
    if args.redis:
        env["REDIS_URL"] = args.redis
    elif args.web_procs > 1:
        parser.error("--web-procs > 1 needs --redis (the processes share the message queue)")
    per_server = -(-args.clients // args.web_procs)
    threads = args.threads or per_server + 50
    logs = Path(instance)
    procs: list[subprocess.Popen] = []
    servers: list[tuple[subprocess.Popen, str]] = []
    for n in range(args.web_procs):
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "1", "--threads", str(threads),
             "-k", "gthread",
             # gthread refuses connections past --worker-connections (default 1000), and
             # every websocket is one connection held open: the threads plus some headroom.
             "--worker-connections", str(threads + 100),
             "-b", f"127.0.0.1:{port}", "--timeout", "120", "forum:create_app()"],
            cwd=ROOT, env=env, stdout=(logs / f"gunicorn{n}.log").open("w"),
            stderr=subprocess.STDOUT)
        procs.append(server)
        servers.append((server, f"http://127.0.0.1:{port}"))
    if args.redis:
        # As in docs/deploy.md: a worker for the live queue, another for everything else.
        for queue in ("realtime", "celery"):
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "forum.celery_worker", "worker", "-Q",
                 queue, "-n", f"{queue}@%h", "--pool=solo", "--without-mingle",
                 "--without-gossip", "-l", "info"],
                cwd=ROOT, env=env, stdout=(logs / f"worker-{queue}.log").open("w"),
                stderr=subprocess.STDOUT))
    base = servers[0][1]  # replies are posted here
    clients: list[subprocess.Popen] = []
    worker_pids: list[int] = []
    try:
        for _server, url in servers:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if requests.get(url + "/api/v1/openapi.json", timeout=2).ok:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{url} did not start; logs in {logs}")
                time.sleep(0.2)
        deadline = time.monotonic() + 60
        while args.redis and not all("ready." in (logs / f"worker-{q}.log").read_text()
                                     for q in ("realtime", "celery")):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the Celery worker did not start; logs in {logs}")
            time.sleep(0.2)
        worker_pids = [gunicorn_worker_pid(server.pid) for server, _url in servers]
        idle_rss = sum(rss_mb(pid) for pid in worker_pids)

        started = time.monotonic()
        procs_count = max(args.client_procs, args.web_procs)
        per_proc = [tokens[i::procs_count] for i in range(procs_count)]
        for i, chunk in enumerate(per_proc):
            url = servers[i % len(servers)][1]  # spread the clients over the web processes
            proc = subprocess.Popen(
                [sys.executable, __file__, "--client-proc", "--base", url, "--topic",
                 str(topic_id), "--replies", str(args.warmup + args.replies),
                 "--timeout", str(args.timeout)],
                cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            proc.stdin.write(json.dumps(chunk) + "\n")
            proc.stdin.flush()
            clients.append(proc)
        ready = 0
        for proc in clients:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError("a client process failed to connect its clients")
            ready += json.loads(line)["ready"]
        connect_seconds = time.monotonic() - started
        connected_rss = sum(rss_mb(pid) for pid in worker_pids)
        server_threads = sum(threads_of(pid) for pid in worker_pids)
        print(f"{ready} clients connected and joined in {connect_seconds:.1f} s; server RSS "
              f"{connected_rss:.0f} MB, {server_threads} threads", flush=True)

        for proc in clients:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        sent: dict[int, float] = {}
        post_ms: list[float] = []
        stat_before = _cpu_sample()
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {poster_token}"
        for n in range(args.warmup + args.replies):
            t0 = time.time()
            if n < args.warmup:
                # Not measured: the first render compiles templates and warms caches.
                session.post(f"{base}/api/v1/topics/{topic_id}/replies",
                             json={"body": f"预热回复 {n + 1}"}, timeout=30).raise_for_status()
                time.sleep(args.gap)
                continue
            resp = session.post(f"{base}/api/v1/topics/{topic_id}/replies",
                                json={"body": f"第 {n + 1} 条压测回复"}, timeout=30)
            post_ms.append((time.time() - t0) * 1000)
            resp.raise_for_status()
            sent[resp.json()["id"]] = t0
            time.sleep(args.gap)

        stat_after = _cpu_sample()
        busy_during = 1 - (stat_after[1] - stat_before[1]) / max(1, stat_after[0] - stat_before[0])
        latencies: list[float] = []
        per_reply: dict[int, list[float]] = {}
        received = 0
        for proc in clients:
            line = proc.stdout.readline()
            arrivals = json.loads(line)["arrivals"] if line else {}
            for reply_id, stamps in arrivals.items():
                t0 = sent.get(int(reply_id))
                if t0 is None:
                    continue
                received += len(stamps)
                ms = [(stamp - t0) * 1000 for stamp in stamps]
                latencies.extend(ms)
                per_reply.setdefault(int(reply_id), []).extend(ms)
        after_rss = sum(rss_mb(pid) for pid in worker_pids)
        expected = ready * args.replies
        figures = {
            "mode": "redis + celery worker" if args.redis else "embedded (inline broadcast)",
            "web_processes": args.web_procs,
            "clients": ready,
            "replies": args.replies,
            "warmup_replies": args.warmup,
            "deliveries": received,
            "missed": expected - received,
            "p50_ms": round(percentile(latencies, 50), 1),
            "p95_ms": round(percentile(latencies, 95), 1),
            "max_ms": round(max(latencies), 1) if latencies else None,
            "post_p50_ms": round(statistics.median(post_ms), 1),
            # Each reply's last delivery, in posting order: shows stragglers and trends.
            "last_delivery_ms_per_reply": [round(max(per_reply.get(rid, [0]))) for rid in sent],
            "connect_seconds": round(connect_seconds, 1),
            "server_rss_mb": {"idle": round(idle_rss), "connected": round(connected_rss),
                              "after": round(after_rss)},
            "server_threads": server_threads,
            "gunicorn_threads_per_process": threads,
                        "cpu_busy_before": round(busy_before, 2),
            "cpu_busy_during_posting": round(busy_during, 2),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
                       f"{platform.python_version()}",
        }
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        if args.json:
            Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
    finally:
        for proc in clients:
            if proc.poll() is None:
                proc.kill()
        for pid in worker_pids:
            try:
                os.kill(pid, 15)  # the master's graceful stop may outlast our wait
            except ProcessLookupError:
                pass
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
