"""Login limits under concurrency and faults: every attempt is counted before its password is
checked, one address cannot lock the owner out, an administrator can lift a global lock, and
the limits still hold while Redis is unreachable."""

from __future__ import annotations

import threading

import pytest
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from forum import ratelimit
from forum.errors import RateLimited, Unauthorized
from tests.conftest import csrf_token, login
from tests.forum.test_rate_limits import limits  # noqa: F401  (fixture)


def _attempts(app, tries: list[tuple[str, str, str]]) -> dict[str, int]:
    """Run (username, password, address) logins at once in threads; outcomes counted."""
    outcomes = {"checked": 0, "refused": 0, "ok": 0, "other": 0}
    lock = threading.Lock()
    barrier = threading.Barrier(len(tries))

    def run(username, password, address):
        with app.test_request_context("/login", environ_base={"REMOTE_ADDR": address}):
            barrier.wait()
            try:
                ratelimit.authenticate(username, password)
                outcome = "ok"
            except Unauthorized:
                outcome = "checked"
            except RateLimited:
                outcome = "refused"
            except Exception:  # reported by the count
                outcome = "other"
            finally:
                from forum.extensions import db
                db.session.remove()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=run, args=t) for t in tries]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def test_twenty_simultaneous_wrong_passwords_check_only_the_limit(app, make_user, limits):  # noqa: F811
    limits(login_account="5 per 15 minutes", login_account_global="30 per hour",
           login_ip="100 per 15 minutes")
    make_user("victim")
    outcomes = _attempts(app, [("victim", "wrong-password", "10.0.0.1")] * 20)
    assert outcomes == {"checked": 5, "refused": 15, "ok": 0, "other": 0}


def test_fifty_wrong_passwords_over_ten_accounts_check_only_the_address_limit(
        app, make_user, limits):  # noqa: F811
    limits(login_account="5 per 15 minutes", login_ip="30 per 15 minutes")
    for n in range(10):
        make_user(f"acct{n}")
    tries = [(f"acct{n % 10}", "wrong-password", "10.0.0.2") for n in range(50)]
    outcomes = _attempts(app, tries)
    assert outcomes["checked"] == 30
    assert outcomes["refused"] == 20


def test_guesses_from_one_address_do_not_lock_the_owner_out(client, app, make_user, limits):  # noqa: F811
    limits(login_account="5 per 15 minutes", login_ip="100 per 15 minutes")
    make_user("admin_owner", roles=("admin",))
    outcomes = _attempts(app, [("admin_owner", "guess", "203.0.113.9")] * 8)
    assert outcomes["checked"] == 5 and outcomes["refused"] == 3
    # The owner, from the test client's own address, is not affected.
    assert login(client, "admin_owner").status_code == 302


def test_a_global_lock_is_lifted_by_an_administrator(client, app, make_user, limits):  # noqa: F811
    limits(login_account="5 per 15 minutes", login_account_global="3 per hour",
           login_ip="100 per 15 minutes")
    make_user("owner")
    make_user("boss", roles=("admin",))
    tries = [("owner", "guess", f"198.51.100.{n}") for n in range(6)]
    assert _attempts(app, tries)["checked"] == 3
    locked = login(client, "owner")
    assert locked.status_code == 429
    assert "联系管理员解锁" in locked.get_data(as_text=True)

    assert login(client, "boss").status_code == 302
    token = csrf_token(client, "/admin/users")
    done = client.post("/admin/users/owner/unlock-login", data={"csrf_token": token})
    assert done.status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert login(client, "owner").status_code == 302


def test_only_administrators_may_unlock(client, make_user, limits):  # noqa: F811
    make_user("owner")
    make_user("nosy")
    login(client, "nosy")
    token = csrf_token(client, "/")
    resp = client.post("/admin/users/owner/unlock-login", data={"csrf_token": token})
    assert resp.status_code == 403


def test_limits_hold_in_memory_while_redis_is_unreachable(app, make_user, limits,  # noqa: F811
                                                          monkeypatch):
    limits(login_account="5 per 15 minutes", login_ip="100 per 15 minutes")
    make_user("victim2")
    unreachable = MovingWindowRateLimiter(RedisStorage("redis://127.0.0.1:1/0",
                                                       socket_connect_timeout=0.2))
    monkeypatch.setattr(ratelimit.limiter, "_limiter", unreachable)
    monkeypatch.setattr(ratelimit.limiter, "_fallback_limiter", None)
    monkeypatch.setattr(ratelimit.limiter, "_storage_dead", False)
    outcomes = _attempts(app, [("victim2", "wrong-password", "10.0.0.3")] * 12)
    assert outcomes == {"checked": 5, "refused": 7, "ok": 0, "other": 0}


@pytest.fixture(autouse=True)
def _fresh_fallback():
    ratelimit.reset()
    yield
    ratelimit.reset()


def test_twenty_simultaneous_wrong_passwords_on_real_redis(app, make_user, limits,  # noqa: F811
                                                           monkeypatch):
    import uuid

    storage = RedisStorage("redis://127.0.0.1:6379/0", key_prefix=f"huzhu-test-{uuid.uuid4()}")
    if not storage.check():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    limits(login_account="5 per 15 minutes", login_ip="100 per 15 minutes")
    make_user("victim3")
    monkeypatch.setattr(ratelimit.limiter, "_limiter", MovingWindowRateLimiter(storage))
    try:
        outcomes = _attempts(app, [("victim3", "wrong-password", "10.0.0.4")] * 20)
    finally:
        storage.reset()
    assert outcomes == {"checked": 5, "refused": 15, "ok": 0, "other": 0}
