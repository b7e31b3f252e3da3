"""Ids beyond the columns' range and text no database can store are refused at the edge
(forum/inputs.py) with the usual error body, on every route: never a 500."""

from __future__ import annotations

import pytest

from forum.inputs import MAX_ID

TOO_BIG = [MAX_ID + 1, 2**63, 10**20]

ID_PATHS = [
    ("get", "/api/v1/topics/{n}"),
    ("post", "/api/v1/replies/{n}/like"),
    ("get", "/api/v1/ideas/{n}"),
    ("get", "/ideas/rounds/{n}"),
    ("get", "/messages/c/{n}"),
    ("post", "/settings/tokens/{n}/revoke"),
    ("post", "/review/{n}/approve"),
    ("get", "/topic/{n}"),
]


@pytest.fixture
def bob(make_user, api_token):
    return api_token(make_user("bob", roles=("customer", "employee")))


@pytest.mark.parametrize("method, template", ID_PATHS)
@pytest.mark.parametrize("n", TOO_BIG)
def test_ids_beyond_the_column_range_are_404(client, bob, method, template, n):
    resp = client.open(template.format(n=n), method=method.upper(), headers=bob)
    assert resp.status_code == 404
    if template.startswith("/api/"):
        assert resp.get_json()["error"]["code"] == "not_found"


def test_the_largest_id_is_still_looked_up(client, bob):
    resp = client.get(f"/api/v1/topics/{MAX_ID}", headers=bob)
    assert resp.status_code == 404  # routed, looked up, absent
    assert resp.get_json()["error"]["message"] != ""


@pytest.mark.parametrize("path", ["/tag/%00", "/uploads/%00.png", "/tag/a%00b",
                                  "/api/v1/users/a%00b", "/api/v1/tribes/%00"])
def test_nul_in_a_path_is_404(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/tribes?q=%00", "/?tab=%00", "/search?q=a%00"])
def test_nul_in_a_query_string_is_dropped(client, path):
    assert client.get(path).status_code in (200, 404)


def test_nul_in_the_admin_user_search_is_dropped(client, make_user):
    from tests.conftest import login

    make_user("boss", roles=("admin",))
    login(client, "boss")
    assert client.get("/admin/users?q=%00").status_code == 200


SURROGATE = "a\ud800"
JSON_BODIES = [
    ("post", "/api/v1/auth/token", {"username": SURROGATE, "password": "password123"},
     "username"),
    ("post", "/api/v1/auth/register", {"username": "newbie", "display_name": SURROGATE,
                                       "password": "password123"}, "display_name"),
    ("post", "/api/v1/tribes/t/topics", {"title": "正常标题", "body": SURROGATE}, "body"),
    ("post", "/api/v1/messages/bob", {"body": SURROGATE}, "body"),
    ("put", "/api/v1/me/drafts/topic:1", {"body": SURROGATE}, "body"),
    ("post", "/api/v1/ideas/1/comments", {"body": SURROGATE}, "body"),
    ("post", "/api/v1/tribes/t/topics", {"title": "正常标题", "body": "x", "tags": ["a\x00"]},
     "tags[0]"),
    ("post", "/api/v1/tribes/t/topics", {"title": "标题\x00注入", "body": "a\x00b"}, "title"),
]


@pytest.mark.parametrize("method, path, body, field", JSON_BODIES)
def test_unstorable_text_in_json_is_422_naming_the_field(client, bob, method, path, body,
                                                          field):
    resp = client.open(path, method=method.upper(), headers=bob, json=body)
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert field in error["fields"]


def test_nul_in_a_form_is_422(client, make_user):
    from tests.conftest import login

    make_user("carol")
    login(client, "carol")
    resp = client.post("/settings/tokens", data={"name": "a\x00b"})
    assert resp.status_code == 422
    assert "空字符" in resp.get_data(as_text=True)


@pytest.mark.parametrize("method, path, field", [
    ("post", "/api/v1/topics/1/accept", "reply_id"),
    ("post", "/api/v1/ideas/1/comments", "parent_id"),
])
@pytest.mark.parametrize("n", [MAX_ID + 1, 2**63, -1, 0])
def test_ids_out_of_range_in_json_are_422(client, bob, make_user, make_tribe, method, path,
                                          field, n):
    from forum.services import topics

    topic = topics.create_topic(make_user("asker"), make_tribe(), "采纳编号测试", "正文")
    path = path.replace("/topics/1/", f"/topics/{topic.id}/")
    body = {field: n, "body": "追评"} if field == "parent_id" else {field: n}
    resp = client.open(path, method=method.upper(), headers=bob, json=body)
    assert resp.status_code in (403, 404, 422)
    if resp.status_code == 422:
        assert field in resp.get_json()["error"]["fields"]
