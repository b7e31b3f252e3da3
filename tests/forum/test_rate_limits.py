"""Anti-spam limits (forum/ratelimit.py): 429 at the limit and not before, a Chinese
message, Retry-After, and the user's text kept."""

from __future__ import annotations

import time

import pytest
import time_machine

from forum import ratelimit
from forum.services import topics
from tests.conftest import csrf_token, login


@pytest.fixture
def limits(app):
    """Turn the limits on, empty the counters, and let a test set its own limits."""
    saved = {key: app.config[key] for key, _ in ratelimit.LIMITS.values()}
    app.config["RATE_LIMITS_ENABLED"] = True
    ratelimit.reset()

    def _set(**values: str) -> None:
        for name, value in values.items():
            app.config[ratelimit.LIMITS[name][0]] = value

    yield _set
    app.config.update(saved)
    app.config["RATE_LIMITS_ENABLED"] = False
    ratelimit.reset()


@pytest.fixture
def topic(make_user, make_tribe):
    asker = make_user("asker")
    return topics.create_topic(asker, make_tribe("liuliang"), "流量怎么查", "请教大家")


def _reply(client, topic_id: int, body: str):
    token = csrf_token(client, f"/topic/{topic_id}")
    return client.post(f"/topic/{topic_id}/reply", data={"body": body, "csrf_token": token})


def test_replies_are_refused_at_the_limit_not_before_and_keep_the_text(
        client, make_user, topic, limits):
    limits(post="3 per minute")
    make_user("fast_replier")
    login(client, "fast_replier")
    for n in range(3):
        assert _reply(client, topic.id, f"第 {n} 条回复，内容足够长").status_code == 302
    refused = _reply(client, topic.id, "第四条回复：这段文字不能丢")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    page = refused.get_data(as_text=True)
    assert "发帖和回复太快了" in page
    assert "第四条回复：这段文字不能丢" in page  # still in the textarea


def test_the_posting_limit_is_per_user(client, make_user, topic, limits):
    limits(post="1 per minute")
    for name in ("user_a", "user_b"):
        make_user(name)
        login(client, name)
        assert _reply(client, topic.id, f"{name} 的回复内容").status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client)})


def test_api_topic_creation_answers_429_json_with_retry_after(
        client, make_user, make_tribe, api_token, limits):
    limits(post="2 per minute")
    user = make_user("api_poster")
    make_tribe("kuandai")
    headers = api_token(user)
    statuses = [client.post("/api/v1/tribes/kuandai/topics", headers=headers,
                            json={"title": f"宽带问题 {n}", "body": "宽带老掉线怎么办"}).status_code
                for n in range(3)]
    assert statuses == [201, 201, 429]
    refused = client.post("/api/v1/tribes/kuandai/topics", headers=headers,
                          json={"title": "宽带问题", "body": "宽带老掉线怎么办"})
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert "请" in refused.get_json()["error"]["message"]
    assert int(refused.headers["Retry-After"]) >= 1


def test_failed_logins_lock_the_account_but_successful_ones_do_not_count(
        client, make_user, limits):
    limits(login_account="3 per 15 minutes", login_ip="100 per 15 minutes")
    make_user("target")
    make_user("other")
    for _ in range(5):  # successful logins are never counted
        assert login(client, "target").status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client)})
    for _ in range(3):
        assert login(client, "target", password="wrong-password").status_code == 422
    locked = login(client, "target")  # even the right password waits now
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.get_data(as_text=True)
    assert int(locked.headers["Retry-After"]) > 60
    assert login(client, "other").status_code == 302  # another account is not affected


def test_account_lock_ends_when_the_window_passes(client, make_user, limits):
    limits(login_account="2 per 15 minutes", login_ip="100 per 15 minutes")
    make_user("patient")
    with time_machine.travel(time.time(), tick=False) as traveller:
        for _ in range(2):
            login(client, "patient", password="wrong-password")
        assert login(client, "patient").status_code == 429
        traveller.shift(15 * 60 + 1)
        assert login(client, "patient").status_code == 302


def test_failed_logins_from_one_ip_are_limited_across_accounts(client, make_user, limits):
    limits(login_account="100 per 15 minutes", login_ip="4 per 15 minutes")
    for n in range(4):
        assert login(client, f"nobody{n}", password="x-wrong").status_code == 422
    assert login(client, "nobody9", password="x-wrong").status_code == 429


def test_api_token_requests_count_failures_and_tokens(client, make_user, limits):
    limits(login_account="2 per 15 minutes", token="2 per hour")
    make_user("tokener")
    good = {"username": "tokener", "password": "password123"}
    assert [client.post("/api/v1/auth/token", json=good).status_code
            for _ in range(3)] == [200, 200, 429]
    make_user("guesser")
    bad = {"username": "guesser", "password": "nope-nope"}
    assert [client.post("/api/v1/auth/token", json=bad).status_code
            for _ in range(3)] == [401, 401, 429]


def test_registrations_per_ip_are_limited_and_the_form_is_kept(client, limits):
    limits(register_ip="2 per hour")

    def register(name: str):
        token = csrf_token(client, "/register")
        response = client.post("/register", data={
            "username": name, "display_name": "新用户", "password": "password123",
            "password_confirm": "password123", "csrf_token": token})
        client.post("/logout", data={"csrf_token": csrf_token(client)})
        return response

    assert register("newbie_one").status_code == 302
    assert register("newbie_two").status_code == 302
    refused = register("newbie_three")
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "注册过于频繁" in page
    assert 'value="newbie_three"' in page


def test_private_messages_are_limited_and_keep_the_text(client, make_user, limits):
    limits(message="2 per minute")
    make_user("chatty")
    make_user("friend")
    login(client, "chatty")
    token = csrf_token(client, "/messages/friend")
    for n in range(2):
        response = client.post("/messages/friend", data={"body": f"你好 {n}",
                                                         "csrf_token": token})
        assert response.status_code == 302
    refused = client.post("/messages/friend", data={"body": "第三条私信不能丢",
                                                    "csrf_token": token})
    assert refused.status_code == 429
    assert "私信发送太频繁" in refused.get_data(as_text=True)
    assert "第三条私信不能丢" in refused.get_data(as_text=True)
    assert refused.headers["Retry-After"]


def test_limits_can_be_switched_off(client, make_user, topic, app, limits):
    limits(post="1 per minute")
    app.config["RATE_LIMITS_ENABLED"] = False
    make_user("unlimited")
    login(client, "unlimited")
    assert [_reply(client, topic.id, f"回复 {n} 内容").status_code
            for n in range(3)] == [302, 302, 302]
