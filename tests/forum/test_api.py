"""The JSON API's happy paths and rules: accounts, tribes, topics, replies, likes, accepted
answers, follows, pagination and PII masking. Every response is also checked against the
OpenAPI document (``documented``)."""

from __future__ import annotations

import pytest

from forum.extensions import db
from forum.models import Topic, Tribe
from forum.services import accounts
from forum.services import topics as topic_service
from tests.forum.test_api_openapi import documented

PHONE = "13812345678"
MASKED_PHONE = "138****5678"


def api(client, method: str, path: str, template: str | None = None, headers=None,
        json=None, **kwargs):
    """Call /api/v1{path}; when ``template`` is given, check the answer against the document."""
    resp = client.open("/api/v1" + path, method=method.upper(), headers=headers or {},
                       json=json, **kwargs)
    if template is not None:
        documented(resp, method, template)
    return resp


@pytest.fixture
def world(make_user, make_tribe, api_token):
    """A tribe with a moderator, an author, a helper, a bystander and a site moderator."""
    users = {name: make_user(name) for name in ("alice", "bob", "carol", "tmod")}
    users["smod"] = make_user("smod", roles=("moderator",))
    tribe = make_tribe("liuliang", "流量管家", moderators=["tmod"])
    other = make_tribe("youxiang", "移动邮箱")
    headers = {name: api_token(user) for name, user in users.items()}
    return type("World", (), {"users": users, "tribe": tribe, "other": other, "h": headers})


def new_topic(client, headers, slug="liuliang", title="流量怎么查询", body="请问怎么查流量？",
              **extra):
    resp = api(client, "post", f"/tribes/{slug}/topics", "/tribes/{slug}/topics",
               headers=headers, json={"title": title, "body": body, **extra})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def new_reply(client, headers, topic_id, body="发送 CXLL 到 10086 即可"):
    resp = api(client, "post", f"/topics/{topic_id}/replies", "/topics/{topic_id}/replies",
               headers=headers, json={"body": body})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def get_topic(client, topic_id, headers=None, query=""):
    resp = api(client, "get", f"/topics/{topic_id}{query}", "/topics/{topic_id}",
               headers=headers)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


# --- accounts -----------------------------------------------------------------------------


def test_register_creates_a_customer_and_returns_a_working_token(client):
    resp = api(client, "post", "/auth/register", "/auth/register",
               json={"username": "新用户_01", "password": "s3cret-pass", "display_name": "小王"})
    assert resp.status_code == 201
    data = resp.get_json()
    assert data["user"]["username"] == "新用户_01"
    assert data["user"]["display_name"] == "小王"
    assert data["user"]["roles"] == ["customer"]
    assert data["user"]["avatar_initials"] == "小"
    me = api(client, "get", "/me", "/me", headers={"Authorization": f"Bearer {data['token']}"})
    assert me.status_code == 200
    assert me.get_json()["username"] == "新用户_01"


def test_register_reports_every_invalid_field(client, make_user):
    make_user("taken")
    resp = api(client, "post", "/auth/register", "/auth/register",
               json={"username": "taken", "password": "short", "display_name": "  "})
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"username", "password", "display_name"}
    assert "已被注册" in error["fields"]["username"]


def test_register_refuses_a_malformed_username(client):
    resp = api(client, "post", "/auth/register", "/auth/register",
               json={"username": "a b<script>", "password": "password123", "display_name": "x"})
    assert resp.status_code == 422
    assert "username" in resp.get_json()["error"]["fields"]


def test_token_is_issued_for_the_right_password_only(client, make_user):
    make_user("alice", password="correct-horse")
    resp = api(client, "post", "/auth/token", "/auth/token",
               json={"username": "alice", "password": "correct-horse", "name": "我的手机"})
    assert resp.status_code == 200
    token = resp.get_json()["token"]
    me = api(client, "get", "/me", "/me", headers={"Authorization": f"Bearer {token}"})
    assert me.get_json()["username"] == "alice"
    user = accounts.get_user_by_username("alice")
    assert [t.name for t in accounts.list_tokens(user)] == ["我的手机"]

    wrong = api(client, "post", "/auth/token", "/auth/token",
                json={"username": "alice", "password": "wrong-horse"})
    assert wrong.status_code == 401
    assert wrong.get_json()["error"]["code"] == "unauthorized"
    nobody = api(client, "post", "/auth/token", "/auth/token",
                 json={"username": "nobody", "password": "whatever1"})
    assert nobody.status_code == 401


def test_deactivated_account_gets_no_token(client, make_user):
    user = make_user("gone")
    user.is_active_account = False
    db.session.commit()
    resp = api(client, "post", "/auth/token", "/auth/token",
               json={"username": "gone", "password": "password123"})
    assert resp.status_code == 403
    assert resp.get_json()["error"]["code"] == "forbidden"


def test_me_needs_authentication(client):
    resp = api(client, "get", "/me", "/me")
    assert resp.status_code == 401
    assert resp.get_json()["error"]["code"] == "unauthorized"


def test_invalid_and_revoked_tokens_are_401(client, make_user, api_token):
    bad = api(client, "get", "/tribes", "/tribes", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert bad.get_json()["error"]["code"] == "unauthorized"

    user = make_user("alice")
    headers = api_token(user)
    assert api(client, "get", "/me", headers=headers).status_code == 200
    accounts.revoke_token(user, accounts.list_tokens(user)[0].id)
    assert api(client, "get", "/me", "/me", headers=headers).status_code == 401


def test_user_profile_has_counts_roles_and_recent_posts(client, world):
    topic = new_topic(client, world.h["alice"])
    new_reply(client, world.h["alice"], topic["id"], "补充一下")
    resp = api(client, "get", "/users/alice", "/users/{username}")
    assert resp.status_code == 200
    data = resp.get_json()
    assert data["username"] == "alice"
    assert data["topic_count"] == 1 and data["reply_count"] == 1
    assert data["roles"] == ["customer"]
    assert data["following"] is False
    assert [(p["is_reply"], p["topic_id"]) for p in data["recent_posts"]] == [
        (True, topic["id"]), (False, topic["id"])]
    assert data["recent_posts"][0]["topic_title"] == "流量怎么查询"


def test_unknown_user_is_404(client):
    resp = api(client, "get", "/users/nobody", "/users/{username}")
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "not_found"


def test_follow_toggles_and_counts(client, world):
    path, template = "/users/alice/follow", "/users/{username}/follow"
    resp = api(client, "post", path, template, headers=world.h["bob"])
    assert resp.get_json() == {"following": True, "follower_count": 1}
    resp = api(client, "post", path, template, headers=world.h["carol"])
    assert resp.get_json() == {"following": True, "follower_count": 2}
    profile = api(client, "get", "/users/alice", headers=world.h["bob"]).get_json()
    assert profile["following"] is True and profile["follower_count"] == 2
    assert api(client, "get", "/me", headers=world.h["bob"]).get_json()["following_count"] == 1

    resp = api(client, "post", path, template, headers=world.h["bob"])
    assert resp.get_json() == {"following": False, "follower_count": 1}
    assert api(client, "get", "/me", headers=world.h["bob"]).get_json()["following_count"] == 0


def test_follow_can_be_set_explicitly_and_is_idempotent(client, world):
    path, template = "/users/alice/follow", "/users/{username}/follow"
    for _ in range(2):
        resp = api(client, "post", path, template, headers=world.h["bob"],
                   json={"following": True})
        assert resp.get_json() == {"following": True, "follower_count": 1}
    for _ in range(2):
        resp = api(client, "post", path, template, headers=world.h["bob"],
                   json={"following": False})
        assert resp.get_json() == {"following": False, "follower_count": 0}


def test_follow_refuses_oneself_unknown_users_and_anonymous(client, world):
    template = "/users/{username}/follow"
    own = api(client, "post", "/users/alice/follow", template, headers=world.h["alice"])
    assert own.status_code == 409
    assert own.get_json()["error"]["code"] == "conflict"
    assert api(client, "post", "/users/nobody/follow", template,
               headers=world.h["alice"]).status_code == 404
    assert api(client, "post", "/users/alice/follow", template).status_code == 401
    wrong = api(client, "post", "/users/alice/follow", template, headers=world.h["bob"],
                json={"following": "yes"})
    assert wrong.status_code == 422
    assert "following" in wrong.get_json()["error"]["fields"]


# --- tribes -------------------------------------------------------------------------------


def test_tribes_list_shows_counts_moderators_and_membership(client, world):
    anon = api(client, "get", "/tribes", "/tribes").get_json()["items"]
    assert [t["slug"] for t in anon] == ["liuliang", "youxiang"]
    assert anon[0]["name"] == "流量管家"
    assert [m["username"] for m in anon[0]["moderators"]] == ["tmod"]
    assert all(t["joined"] is None for t in anon)

    api(client, "post", "/tribes/liuliang/join", "/tribes/{slug}/join", headers=world.h["bob"])
    mine = api(client, "get", "/tribes", "/tribes", headers=world.h["bob"]).get_json()["items"]
    assert [(t["slug"], t["joined"], t["member_count"]) for t in mine] == [
        ("liuliang", True, 1), ("youxiang", False, 0)]
    one = api(client, "get", "/tribes/liuliang", "/tribes/{slug}", headers=world.h["bob"])
    assert one.get_json()["joined"] is True


def test_join_and_leave_are_idempotent(client, world):
    join, leave = "/tribes/liuliang/join", "/tribes/liuliang/leave"
    for _ in range(2):
        resp = api(client, "post", join, "/tribes/{slug}/join", headers=world.h["bob"])
        assert resp.get_json() == {"joined": True, "member_count": 1}
    resp = api(client, "post", join, "/tribes/{slug}/join", headers=world.h["carol"])
    assert resp.get_json() == {"joined": True, "member_count": 2}
    for _ in range(2):
        resp = api(client, "post", leave, "/tribes/{slug}/leave", headers=world.h["bob"])
        assert resp.get_json() == {"joined": False, "member_count": 1}


def test_membership_needs_a_user_and_a_real_tribe(client, world):
    assert api(client, "post", "/tribes/liuliang/join", "/tribes/{slug}/join"
               ).status_code == 401
    assert api(client, "post", "/tribes/nowhere/join", "/tribes/{slug}/join",
               headers=world.h["bob"]).status_code == 404
    assert api(client, "get", "/tribes/nowhere", "/tribes/{slug}").status_code == 404
    assert api(client, "get", "/tribes/nowhere/topics", "/tribes/{slug}/topics"
               ).status_code == 404


def test_tribe_topics_are_paginated_newest_activity_first(client, world):
    ids = [new_topic(client, world.h["alice"], title=f"第{i}个问题")["id"] for i in range(5)]
    new_reply(client, world.h["bob"], ids[1])  # bumps topic 1 to the top
    path, template = "/tribes/liuliang/topics", "/tribes/{slug}/topics"

    first = api(client, "get", path + "?per_page=2", template).get_json()
    assert (first["page"], first["per_page"], first["total"]) == (1, 2, 5)
    assert [t["id"] for t in first["items"]] == [ids[1], ids[4]]
    last = api(client, "get", path + "?page=3&per_page=2", template).get_json()
    assert [t["id"] for t in last["items"]] == [ids[0]]
    beyond = api(client, "get", path + "?page=4&per_page=2", template).get_json()
    assert beyond["items"] == [] and beyond["total"] == 5

    item = first["items"][0]
    assert item["tribe"] == "liuliang"
    assert item["author"]["username"] == "alice"
    assert item["reply_count"] == 1 and item["solved"] is False
    assert item["created_at"].endswith("Z") and item["last_activity_at"].endswith("Z")
    assert item["last_activity_at"] > item["created_at"]


@pytest.mark.parametrize("query, page, per_page", [
    ("?page=abc", 1, 20),
    ("?page=-3&per_page=0", 1, 1),
    ("?page=1.5&per_page=xyz", 1, 20),
    ("?per_page=100000", 1, 100),
    ("?page=" + "9" * 40, None, 20),
    ("?page=99999999999", None, 20),
    ("?page=" + "9" * 5000, 1, 20),
])
def test_nonsense_page_numbers_never_fail(client, world, query, page, per_page):
    topic = new_topic(client, world.h["alice"])
    resp = api(client, "get", "/tribes/liuliang/topics" + query, "/tribes/{slug}/topics")
    assert resp.status_code == 200
    data = resp.get_json()
    assert data["per_page"] == per_page
    if page is not None:
        assert data["page"] == page
        assert len(data["items"]) == 1
    else:
        assert data["page"] > 1 and data["items"] == []
    detail = api(client, "get", f"/topics/{topic['id']}{query}", "/topics/{topic_id}")
    assert detail.status_code == 200
    assert detail.get_json()["replies"]["items"] == []


# --- topics -------------------------------------------------------------------------------


def test_create_topic_returns_the_topic_with_location(client, world):
    resp = api(client, "post", "/tribes/liuliang/topics", "/tribes/{slug}/topics",
               headers=world.h["alice"],
               json={"title": "  5G 套餐怎么选  ", "body": "**月租**多少合适？",
                     "tags": ["5G", "套餐", "5G"]})
    assert resp.status_code == 201
    data = resp.get_json()
    assert resp.headers["Location"].endswith(f"/api/v1/topics/{data['id']}")
    assert data["title"] == "5G 套餐怎么选"
    assert data["tags"] == ["5G", "套餐"]
    assert "<strong>月租</strong>" in data["body_html"]
    assert data["body"] == "**月租**多少合适？"
    assert data["solved"] is False and data["accepted_reply_id"] is None
    assert data["replies"] == {"items": [], "page": 1, "per_page": 50, "total": 0}
    assert data["can_edit"] is True and data["can_accept"] is True
    tribe = api(client, "get", "/tribes/liuliang").get_json()
    assert tribe["topic_count"] == 1


def test_tags_may_be_a_comma_separated_string(client, world):
    data = new_topic(client, world.h["alice"], tags="流量，查询 套餐")
    assert data["tags"] == ["套餐", "查询", "流量"]


def test_creating_a_topic_needs_a_user_and_a_tribe(client, world):
    body = {"title": "流量怎么查询", "body": "正文"}
    assert api(client, "post", "/tribes/liuliang/topics", "/tribes/{slug}/topics",
               json=body).status_code == 401
    assert api(client, "post", "/tribes/nowhere/topics", "/tribes/{slug}/topics",
               headers=world.h["alice"], json=body).status_code == 404


@pytest.mark.parametrize("title, ok", [("四个字呀", True), ("abc", False), ("x" * 80, True),
                                       ("x" * 81, False), ("   ab   ", False)])
def test_title_must_be_4_to_80_characters(client, world, title, ok):
    resp = api(client, "post", "/tribes/liuliang/topics", "/tribes/{slug}/topics",
               headers=world.h["alice"], json={"title": title, "body": "正文"})
    if ok:
        assert resp.status_code == 201
    else:
        assert resp.status_code == 422
        assert set(resp.get_json()["error"]["fields"]) == {"title"}


@pytest.mark.parametrize("body, ok", [("a", True), ("", False), ("   \n ", False),
                                      ("字" * 20_000, True), ("字" * 20_001, False)])
def test_body_must_be_1_to_20000_characters(client, world, body, ok):
    resp = api(client, "post", "/tribes/liuliang/topics", "/tribes/{slug}/topics",
               headers=world.h["alice"], json={"title": "正常的标题", "body": body})
    assert resp.status_code == (201 if ok else 422)
    if not ok:
        assert set(resp.get_json()["error"]["fields"]) == {"body"}


def test_get_topic_shows_text_state_and_paginated_replies(client, world):
    topic = new_topic(client, world.h["alice"], body="请问 @bob 怎么查流量？")
    replies = [new_reply(client, world.h[name], topic["id"], f"回复{i}")
               for i, name in enumerate(["bob", "carol", "bob", "carol", "bob"])]
    data = get_topic(client, topic["id"], query="?page=2&per_page=2")
    assert data["id"] == topic["id"]
    assert 'href="/u/bob"' in data["body_html"]
    assert data["solved"] is False and data["accepted_reply_id"] is None
    assert data["like_count"] == 0 and data["reply_count"] == 5
    assert data["body"] is None  # the Markdown source is for the author and moderators
    page = data["replies"]
    assert (page["page"], page["per_page"], page["total"]) == (2, 2, 5)
    assert [r["id"] for r in page["items"]] == [replies[2]["id"], replies[3]["id"]]
    assert page["items"][0]["author"]["username"] == "bob"
    assert page["items"][0]["body_html"] == "<p>回复2</p>\n"
    assert page["items"][0]["can_edit"] is False


def test_topic_views_are_counted(client, world):
    topic = new_topic(client, world.h["alice"])
    assert get_topic(client, topic["id"])["view_count"] == 1
    assert get_topic(client, topic["id"])["view_count"] == 2
    listing = api(client, "get", "/tribes/liuliang/topics").get_json()
    assert listing["items"][0]["view_count"] in (0, 2)  # the batched counter writes later
    topic_service.view_counter.flush()
    assert api(client, "get", "/tribes/liuliang/topics").get_json()["items"][0]["view_count"] == 2


def test_unknown_topic_is_404(client, world):
    for topic_id in (999, 0, 10**30):
        resp = api(client, "get", f"/topics/{topic_id}", "/topics/{topic_id}")
        assert resp.status_code == 404, topic_id
        assert resp.get_json()["error"]["code"] == "not_found"


def test_author_edits_title_body_and_tags_keeping_a_revision(client, world):
    topic = new_topic(client, world.h["alice"], tags=["流量"])
    resp = api(client, "patch", f"/topics/{topic['id']}", "/topics/{topic_id}",
               headers=world.h["alice"],
               json={"title": "流量怎么查询（已更新）", "body": "新的正文", "tags": ["查询"]})
    assert resp.status_code == 200
    data = resp.get_json()
    assert data["title"] == "流量怎么查询（已更新）"
    assert data["body_html"] == "<p>新的正文</p>\n"
    assert data["tags"] == ["查询"]
    assert data["edit_count"] == 1 and data["edited_at"] is not None
    post = db.session.get(Topic, topic["id"]).first_post
    [revision] = topic_service.revisions(post)
    assert revision.body == "请问怎么查流量？" and revision.title == "流量怎么查询"


def test_patching_only_some_fields_keeps_the_others(client, world):
    topic = new_topic(client, world.h["alice"], tags=["流量"])
    resp = api(client, "patch", f"/topics/{topic['id']}", "/topics/{topic_id}",
               headers=world.h["alice"], json={"title": "只改一下标题", "body": None})
    data = resp.get_json()
    assert data["title"] == "只改一下标题"
    assert data["body"] == "请问怎么查流量？" and data["tags"] == ["流量"]
    same = api(client, "patch", f"/topics/{topic['id']}", "/topics/{topic_id}",
               headers=world.h["alice"], json={})
    assert same.status_code == 200 and same.get_json()["edit_count"] == 1


def test_editing_another_users_topic_is_403_unless_moderator(client, world):
    topic = new_topic(client, world.h["alice"])
    path, template = f"/topics/{topic['id']}", "/topics/{topic_id}"
    resp = api(client, "patch", path, template, headers=world.h["bob"], json={"body": "改掉"})
    assert resp.status_code == 403
    assert resp.get_json()["error"]["code"] == "forbidden"
    assert api(client, "delete", path, template, headers=world.h["bob"]).status_code == 403
    assert api(client, "patch", path, template, json={"body": "改掉"}).status_code == 401
    for moderator in ("tmod", "smod"):
        resp = api(client, "patch", path, template, headers=world.h[moderator],
                   json={"body": f"{moderator} 整理了格式"})
        assert resp.status_code == 200


def test_edit_validation_errors_are_422(client, world):
    topic = new_topic(client, world.h["alice"])
    resp = api(client, "patch", f"/topics/{topic['id']}", "/topics/{topic_id}",
               headers=world.h["alice"], json={"title": "短", "body": ""})
    assert resp.status_code == 422
    assert set(resp.get_json()["error"]["fields"]) == {"title", "body"}


def test_author_deletes_a_topic(client, world):
    topic = new_topic(client, world.h["alice"])
    resp = api(client, "delete", f"/topics/{topic['id']}", "/topics/{topic_id}",
               headers=world.h["alice"])
    assert resp.status_code == 204 and resp.get_data() == b""
    assert api(client, "get", f"/topics/{topic['id']}", "/topics/{topic_id}").status_code == 404
    listing = api(client, "get", "/tribes/liuliang/topics").get_json()
    assert listing["items"] == [] and listing["total"] == 0
    # still there for moderators (soft delete)
    assert api(client, "get", f"/topics/{topic['id']}", headers=world.h["tmod"]
               ).status_code == 200
    again = api(client, "delete", f"/topics/{topic['id']}", "/topics/{topic_id}",
                headers=world.h["alice"])
    assert again.status_code == 404


# --- replies ------------------------------------------------------------------------------


def test_reply_is_created_and_counted(client, world):
    topic = new_topic(client, world.h["alice"])
    reply = new_reply(client, world.h["bob"], topic["id"], "试试 *短信* 查询")
    assert reply["topic_id"] == topic["id"]
    assert reply["author"]["username"] == "bob"
    assert reply["body_html"] == "<p>试试 <em>短信</em> 查询</p>\n"
    assert reply["body"] == "试试 *短信* 查询"
    assert reply["accepted"] is False and reply["liked"] is False
    assert reply["can_edit"] is True
    assert get_topic(client, topic["id"])["reply_count"] == 1


def test_reply_needs_a_user_a_topic_and_a_body(client, world):
    topic = new_topic(client, world.h["alice"])
    template = "/topics/{topic_id}/replies"
    path = f"/topics/{topic['id']}/replies"
    assert api(client, "post", path, template, json={"body": "x"}).status_code == 401
    assert api(client, "post", "/topics/999/replies", template, headers=world.h["bob"],
               json={"body": "x"}).status_code == 404
    empty = api(client, "post", path, template, headers=world.h["bob"], json={"body": " "})
    assert empty.status_code == 422 and "body" in empty.get_json()["error"]["fields"]
    missing = api(client, "post", path, template, headers=world.h["bob"], json={})
    assert missing.status_code == 422
    assert missing.get_json()["error"]["fields"] == {"body": "必填"}


def test_reply_is_edited_by_its_author_or_a_moderator_only(client, world):
    topic = new_topic(client, world.h["alice"])
    reply = new_reply(client, world.h["bob"], topic["id"])
    path, template = f"/replies/{reply['id']}", "/replies/{reply_id}"
    resp = api(client, "patch", path, template, headers=world.h["bob"], json={"body": "更正"})
    assert resp.status_code == 200
    assert resp.get_json()["body_html"] == "<p>更正</p>\n"
    assert resp.get_json()["edit_count"] == 1
    for name in ("alice", "carol"):  # not even the topic's author
        resp = api(client, "patch", path, template, headers=world.h[name], json={"body": "x"})
        assert resp.status_code == 403
    assert api(client, "patch", path, template, headers=world.h["tmod"],
               json={"body": "版主修改"}).status_code == 200
    bad = api(client, "patch", path, template, headers=world.h["bob"], json={"body": 42})
    assert bad.status_code == 422 and bad.get_json()["error"]["fields"] == {"body": "必须是字符串"}


def test_reply_is_deleted_by_its_author(client, world):
    topic = new_topic(client, world.h["alice"])
    reply = new_reply(client, world.h["bob"], topic["id"])
    path, template = f"/replies/{reply['id']}", "/replies/{reply_id}"
    assert api(client, "delete", path, template, headers=world.h["carol"]).status_code == 403
    assert api(client, "delete", path, template).status_code == 401
    assert api(client, "delete", path, template, headers=world.h["bob"]).status_code == 204
    data = get_topic(client, topic["id"])
    assert data["reply_count"] == 0 and data["replies"]["items"] == []
    assert api(client, "patch", path, template, headers=world.h["bob"],
               json={"body": "x"}).status_code == 404


def test_an_opening_post_is_not_a_reply(client, world):
    topic = new_topic(client, world.h["alice"])
    first_id = topic["first_post_id"]
    for method, path, template, body in [
        ("patch", f"/replies/{first_id}", "/replies/{reply_id}", {"body": "x"}),
        ("delete", f"/replies/{first_id}", "/replies/{reply_id}", None),
        ("post", f"/replies/{first_id}/like", "/replies/{reply_id}/like", None),
    ]:
        resp = api(client, method, path, template, headers=world.h["alice"], json=body)
        assert resp.status_code == 404, (method, path)
    assert get_topic(client, topic["id"])["title"] == "流量怎么查询"


# --- likes --------------------------------------------------------------------------------


def test_topic_like_toggles(client, world):
    topic = new_topic(client, world.h["alice"])
    path, template = f"/topics/{topic['id']}/like", "/topics/{topic_id}/like"
    assert api(client, "post", path, template, headers=world.h["bob"]).get_json() == {
        "liked": True, "like_count": 1}
    assert api(client, "post", path, template, headers=world.h["carol"]).get_json() == {
        "liked": True, "like_count": 2}
    seen_by_bob = get_topic(client, topic["id"], headers=world.h["bob"])
    assert seen_by_bob["liked"] is True and seen_by_bob["like_count"] == 2
    assert get_topic(client, topic["id"])["liked"] is False
    assert api(client, "post", path, template, headers=world.h["bob"]).get_json() == {
        "liked": False, "like_count": 1}
    alice = api(client, "get", "/users/alice").get_json()
    assert alice["like_received_count"] == 1


def test_like_can_be_set_explicitly(client, world):
    topic = new_topic(client, world.h["alice"])
    path, template = f"/topics/{topic['id']}/like", "/topics/{topic_id}/like"
    for _ in range(2):
        resp = api(client, "post", path, template, headers=world.h["bob"], json={"liked": True})
        assert resp.get_json() == {"liked": True, "like_count": 1}
    for _ in range(2):
        resp = api(client, "post", path, template, headers=world.h["bob"], json={"liked": False})
        assert resp.get_json() == {"liked": False, "like_count": 0}
    wrong = api(client, "post", path, template, headers=world.h["bob"], json={"liked": 1})
    assert wrong.status_code == 422
    assert wrong.get_json()["error"]["fields"] == {"liked": "必须是 true 或 false"}
    broken = api(client, "post", path, template, headers=world.h["bob"], data="{liked",
                 content_type="application/json")
    assert broken.status_code == 400


def test_reply_like_toggles_and_shows_per_viewer(client, world):
    topic = new_topic(client, world.h["alice"])
    reply = new_reply(client, world.h["bob"], topic["id"])
    path, template = f"/replies/{reply['id']}/like", "/replies/{reply_id}/like"
    assert api(client, "post", path, template, headers=world.h["alice"]).get_json() == {
        "liked": True, "like_count": 1}
    [item] = get_topic(client, topic["id"], headers=world.h["alice"])["replies"]["items"]
    assert item["liked"] is True and item["like_count"] == 1
    [item] = get_topic(client, topic["id"], headers=world.h["carol"])["replies"]["items"]
    assert item["liked"] is False and item["like_count"] == 1
    assert api(client, "post", path, template, headers=world.h["alice"]).get_json() == {
        "liked": False, "like_count": 0}


def test_liking_ones_own_post_is_409(client, world):
    topic = new_topic(client, world.h["alice"])
    reply = new_reply(client, world.h["bob"], topic["id"])
    own_topic = api(client, "post", f"/topics/{topic['id']}/like", "/topics/{topic_id}/like",
                    headers=world.h["alice"])
    assert own_topic.status_code == 409
    assert own_topic.get_json()["error"]["code"] == "conflict"
    assert own_topic.get_json()["error"]["message"]
    own_reply = api(client, "post", f"/replies/{reply['id']}/like", "/replies/{reply_id}/like",
                    headers=world.h["bob"], json={"liked": True})
    assert own_reply.status_code == 409
    assert get_topic(client, topic["id"])["like_count"] == 0


def test_likes_need_a_user_and_an_existing_post(client, world):
    topic = new_topic(client, world.h["alice"])
    assert api(client, "post", f"/topics/{topic['id']}/like", "/topics/{topic_id}/like"
               ).status_code == 401
    assert api(client, "post", "/topics/999/like", "/topics/{topic_id}/like",
               headers=world.h["bob"]).status_code == 404
    assert api(client, "post", "/replies/999/like", "/replies/{reply_id}/like",
               headers=world.h["bob"]).status_code == 404


# --- accepted answers ---------------------------------------------------------------------


def test_author_accepts_and_changes_the_accepted_answer(client, world):
    topic = new_topic(client, world.h["alice"])
    first = new_reply(client, world.h["bob"], topic["id"], "第一种办法")
    second = new_reply(client, world.h["carol"], topic["id"], "第二种办法")
    path, template = f"/topics/{topic['id']}/accept", "/topics/{topic_id}/accept"

    resp = api(client, "post", path, template, headers=world.h["alice"],
               json={"reply_id": first["id"]})
    assert resp.get_json() == {"solved": True, "accepted_reply_id": first["id"]}
    data = get_topic(client, topic["id"])
    assert data["solved"] is True and data["accepted_reply_id"] == first["id"]
    assert data["accepted_reply"]["id"] == first["id"]
    assert [r["accepted"] for r in data["replies"]["items"]] == [True, False]
    listing = api(client, "get", "/tribes/liuliang/topics").get_json()
    assert listing["items"][0]["solved"] is True

    resp = api(client, "post", path, template, headers=world.h["alice"],
               json={"reply_id": second["id"]})
    assert resp.get_json() == {"solved": True, "accepted_reply_id": second["id"]}
    assert api(client, "get", "/users/bob").get_json()["accepted_count"] == 0
    assert api(client, "get", "/users/carol").get_json()["accepted_count"] == 1
    assert api(client, "get", "/tribes/liuliang").get_json()["solved_count"] == 1


@pytest.mark.parametrize("moderator", ["tmod", "smod"])
def test_a_moderator_may_accept(client, world, moderator):
    topic = new_topic(client, world.h["alice"])
    reply = new_reply(client, world.h["bob"], topic["id"])
    assert get_topic(client, topic["id"], headers=world.h[moderator])["can_accept"] is True
    resp = api(client, "post", f"/topics/{topic['id']}/accept", "/topics/{topic_id}/accept",
               headers=world.h[moderator], json={"reply_id": reply["id"]})
    assert resp.status_code == 200
    assert resp.get_json()["accepted_reply_id"] == reply["id"]


def test_others_may_not_accept(client, world, make_user, api_token):
    other_mod_user = make_user("other_mod")  # moderates another tribe only
    world.other.moderators = [other_mod_user]
    db.session.commit()
    other_mod = api_token(other_mod_user)
    topic = new_topic(client, world.h["alice"])
    reply = new_reply(client, world.h["bob"], topic["id"])
    path, template = f"/topics/{topic['id']}/accept", "/topics/{topic_id}/accept"
    for headers in (world.h["bob"], world.h["carol"], other_mod):
        assert get_topic(client, topic["id"], headers=headers)["can_accept"] is False
        resp = api(client, "post", path, template, headers=headers,
                   json={"reply_id": reply["id"]})
        assert resp.status_code == 403
        assert resp.get_json()["error"]["code"] == "forbidden"
    assert api(client, "post", path, template, json={"reply_id": reply["id"]}
               ).status_code == 401
    assert get_topic(client, topic["id"])["solved"] is False


@pytest.mark.parametrize("reply_id", ["1", True, 1.5, None, 999, 10**30, -1])
def test_accept_refuses_a_bad_reply_id(client, world, reply_id):
    topic = new_topic(client, world.h["alice"])
    new_reply(client, world.h["bob"], topic["id"])
    resp = api(client, "post", f"/topics/{topic['id']}/accept", "/topics/{topic_id}/accept",
               headers=world.h["alice"], json={"reply_id": reply_id})
    assert resp.status_code == 422
    assert "reply_id" in resp.get_json()["error"]["fields"]


def test_accept_refuses_a_reply_of_another_topic_or_the_opening_post(client, world):
    topic = new_topic(client, world.h["alice"])
    other = new_topic(client, world.h["alice"], title="另一个问题")
    foreign = new_reply(client, world.h["bob"], other["id"])
    path, template = f"/topics/{topic['id']}/accept", "/topics/{topic_id}/accept"
    for reply_id in (foreign["id"], topic["first_post_id"]):
        resp = api(client, "post", path, template, headers=world.h["alice"],
                   json={"reply_id": reply_id})
        assert resp.status_code == 422
        assert "reply_id" in resp.get_json()["error"]["fields"]
    assert get_topic(client, topic["id"])["solved"] is False


def test_the_accepted_reply_is_shown_on_every_page(client, world):
    topic = new_topic(client, world.h["alice"])
    replies = [new_reply(client, world.h["bob"], topic["id"], f"回复{i}") for i in range(3)]
    api(client, "post", f"/topics/{topic['id']}/accept", headers=world.h["alice"],
        json={"reply_id": replies[2]["id"]})
    api(client, "post", f"/replies/{replies[2]['id']}/like", headers=world.h["carol"])
    data = get_topic(client, topic["id"], headers=world.h["carol"], query="?per_page=2")
    assert [r["id"] for r in data["replies"]["items"]] == [replies[0]["id"], replies[1]["id"]]
    accepted = data["accepted_reply"]
    assert accepted["id"] == replies[2]["id"] and accepted["accepted"] is True
    assert accepted["liked"] is True and accepted["like_count"] == 1


def test_deleting_the_accepted_reply_unsolves_the_topic(client, world):
    topic = new_topic(client, world.h["alice"])
    reply = new_reply(client, world.h["bob"], topic["id"])
    api(client, "post", f"/topics/{topic['id']}/accept", headers=world.h["alice"],
        json={"reply_id": reply["id"]})
    api(client, "delete", f"/replies/{reply['id']}", headers=world.h["bob"])
    data = get_topic(client, topic["id"])
    assert data["solved"] is False and data["accepted_reply_id"] is None
    assert data["accepted_reply"] is None


# --- privacy: PII masking per viewer ------------------------------------------------------


@pytest.fixture
def pii_topic(client, world):
    topic = new_topic(client, world.h["alice"], title=f"我的号码 {PHONE} 欠费了",
                      body=f"手机号 {PHONE}，邮箱 alice@example.com")
    reply = new_reply(client, world.h["bob"], topic["id"], "请联系 bob.w@example.com")
    return topic, reply


@pytest.mark.parametrize("viewer", [None, "bob", "carol"])
def test_others_see_personal_data_masked(client, world, pii_topic, viewer):
    topic, _ = pii_topic
    headers = world.h[viewer] if viewer else None
    data = get_topic(client, topic["id"], headers=headers)
    assert data["title"] == f"我的号码 {MASKED_PHONE} 欠费了"
    assert MASKED_PHONE in data["body_html"] and PHONE not in data["body_html"]
    assert "a***@example.com" in data["body_html"]
    assert data["body"] is None and data["has_pii"] is None
    listing = api(client, "get", "/tribes/liuliang/topics", headers=headers).get_json()
    assert listing["items"][0]["title"] == f"我的号码 {MASKED_PHONE} 欠费了"
    profile = api(client, "get", "/users/alice", headers=headers).get_json()
    assert {p["topic_title"] for p in profile["recent_posts"]} == {
        f"我的号码 {MASKED_PHONE} 欠费了"}
    [reply] = data["replies"]["items"]
    if viewer == "bob":  # bob wrote the reply
        assert "bob.w@example.com" in reply["body_html"] and reply["has_pii"] is True
    else:
        assert "b***@example.com" in reply["body_html"]
        assert "bob.w@example.com" not in reply["body_html"]


@pytest.mark.parametrize("viewer", ["alice", "tmod", "smod"])
def test_the_author_and_moderators_see_the_original(client, world, pii_topic, viewer):
    topic, _ = pii_topic
    data = get_topic(client, topic["id"], headers=world.h[viewer])
    assert data["title"] == f"我的号码 {PHONE} 欠费了"
    assert PHONE in data["body_html"] and "alice@example.com" in data["body_html"]
    assert data["body"] == f"手机号 {PHONE}，邮箱 alice@example.com"
    assert data["has_pii"] is True
    listing = api(client, "get", "/tribes/liuliang/topics", headers=world.h[viewer]).get_json()
    assert listing["items"][0]["title"] == f"我的号码 {PHONE} 欠费了"
    [reply] = data["replies"]["items"]
    if viewer == "alice":  # the topic's author did not write the reply
        assert "bob.w@example.com" not in reply["body_html"]
    else:
        assert "bob.w@example.com" in reply["body_html"]


def test_created_and_edited_responses_show_the_author_the_original(client, world):
    topic = new_topic(client, world.h["alice"], title=f"号码 {PHONE}", body=f"打 {PHONE}")
    assert topic["title"] == f"号码 {PHONE}" and PHONE in topic["body_html"]
    edited = api(client, "patch", f"/topics/{topic['id']}", headers=world.h["alice"],
                 json={"body": "邮箱 a.b@example.com"}).get_json()
    assert "a.b@example.com" in edited["body_html"]
    masked = get_topic(client, topic["id"], headers=world.h["bob"])
    assert "a***@example.com" in masked["body_html"]


# --- sessions and CSRF --------------------------------------------------------------------


def test_cookie_sessions_need_the_csrf_header_on_unsafe_methods(client, world):
    from tests.conftest import csrf_token, login

    assert login(client, "bob").status_code in (302, 303)
    me = api(client, "get", "/me", "/me")
    assert me.status_code == 200 and me.get_json()["username"] == "bob"

    refused = api(client, "post", "/tribes/liuliang/join", "/tribes/{slug}/join")
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "csrf_error"
    forged = api(client, "post", "/tribes/liuliang/join", headers={"X-CSRFToken": "forged"})
    assert forged.status_code == 400
    assert db.session.get(Tribe, world.tribe.id).member_count == 0

    token = csrf_token(client, "/")
    resp = api(client, "post", "/tribes/liuliang/join", "/tribes/{slug}/join",
               headers={"X-CSRFToken": token})
    assert resp.status_code == 200 and resp.get_json()["joined"] is True


def test_token_requests_need_no_csrf_and_the_token_decides_who_asks(client, world):
    from tests.conftest import login

    login(client, "bob")  # a session cookie for bob rides along
    resp = api(client, "post", "/tribes/liuliang/join", "/tribes/{slug}/join",
               headers=world.h["carol"])
    assert resp.status_code == 200
    assert api(client, "get", "/me", headers=world.h["carol"]).get_json()["username"] == "carol"
    bad = api(client, "get", "/me", "/me", headers={"Authorization": "Bearer revoked"})
    assert bad.status_code == 401  # a bad token is not rescued by the cookie
