"""The composer's live preview (POST /preview) and @mention suggestions (GET /users/suggest)."""

from __future__ import annotations

import pytest

from forum.extensions import db
from forum.services import drafts, topics
from tests.conftest import csrf_token, login
from tests.html_safety import unsafe_parts

XSS_VECTORS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[点我](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    "![x](javascript:alert(1))",
    '<p style="position:fixed">覆盖</p>',
]


def preview(client, body, token=None):
    token = token if token is not None else csrf_token(client, "/")
    return client.post("/preview", json={"body": body}, headers={"X-CSRFToken": token})


@pytest.fixture
def writer(client, make_user):
    user = make_user("alice", display_name="爱丽丝")
    login(client, "alice")
    return user


def test_preview_renders_markdown_like_a_post(client, writer, make_tribe):
    body = "**加粗** 和 *斜体*\n\n- 一\n- 二\n\n> 引用\n\n`code`"
    resp = preview(client, body)
    assert resp.status_code == 200
    html = resp.get_json()["html"]
    assert "<strong>加粗</strong>" in html and "<em>斜体</em>" in html
    assert "<li>一</li>" in html and "<blockquote>" in html and "<code>code</code>" in html
    # Exactly what the published post shows to its author.
    topic = topics.create_topic(writer, make_tribe(), "预览和发布一致", body)
    assert html == topic.first_post.body_html


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_preview_output_is_inert(client, writer, vector):
    resp = preview(client, f"前文 {vector} 后文")
    assert resp.status_code == 200
    html = resp.get_json()["html"]
    assert unsafe_parts(html) == []
    assert "前文" in html and "后文" in html


def test_preview_links_mentions_of_existing_users_only(client, writer, make_user):
    make_user("bobby")
    html = preview(client, "你好 @bobby 和 @nobody").get_json()["html"]
    assert '<a href="/u/bobby" class="mention"' in html or 'class="mention" href="/u/bobby"' in html
    assert "/u/nobody" not in html


def test_preview_shows_the_author_their_own_personal_data(client, writer):
    html = preview(client, "我的号码 13812345678").get_json()["html"]
    assert "13812345678" in html


def test_preview_is_limited_to_a_posts_length(client, writer):
    assert preview(client, "字" * topics.BODY_MAX).status_code == 200
    resp = preview(client, "字" * (topics.BODY_MAX + 1))
    assert resp.status_code == 422
    assert "最多" in resp.get_json()["error"]["message"]


def test_preview_needs_a_csrf_token_and_a_login(client, make_user):
    make_user("alice")
    token = csrf_token(client, "/")
    assert preview(client, "x", token).status_code == 401
    login(client, "alice")
    resp = client.post("/preview", json={"body": "x"})
    assert resp.status_code == 400


def test_preview_without_a_body_is_422(client, writer):
    token = csrf_token(client, "/")
    resp = client.post("/preview", json={"text": "x"}, headers={"X-CSRFToken": token})
    assert resp.status_code == 422


# --- @mention suggestions -------------------------------------------------------------------


def suggest(client, q):
    resp = client.get("/users/suggest", query_string={"q": q})
    return resp


def names(resp):
    return [u["username"] for u in resp.get_json()["users"]]


def test_suggestions_match_username_or_display_name_prefix(client, writer, make_user):
    make_user("bobby", display_name="鲍比")
    make_user("bob_li", display_name="李波")
    make_user("zhang", display_name="鲍勃张")
    make_user("xbob", display_name="不是前缀")
    assert names(suggest(client, "bo")) == ["bob_li", "bobby"]
    assert names(suggest(client, "鲍")) == ["bobby", "zhang"]
    assert names(suggest(client, "BOB")) == ["bob_li", "bobby"]  # case-insensitive
    users = suggest(client, "bobb").get_json()["users"]
    assert users == [{"username": "bobby", "display_name": "鲍比"}]


def test_usernames_that_match_come_before_display_names(client, writer, make_user):
    make_user("zzz", display_name="kefu 小王")
    make_user("kefu01", display_name="客服一号")
    assert names(suggest(client, "kefu")) == ["kefu01", "zzz"]


def test_suggestions_are_limited_to_eight(client, writer, make_user):
    for i in range(12):
        make_user(f"user{i:02d}")
    assert len(names(suggest(client, "us"))) == drafts.SUGGEST_LIMIT == 8


def test_inactive_users_and_oneself_are_not_suggested(client, writer, make_user):
    gone = make_user("alina")
    gone.is_active_account = False
    db.session.commit()
    make_user("alfred")
    assert names(suggest(client, "al")) == ["alfred"]


def test_like_wildcards_are_taken_literally(client, writer, make_user):
    make_user("bobby")
    assert names(suggest(client, "%")) == []
    assert names(suggest(client, "_o")) == []
    assert names(suggest(client, "")) == []


def test_suggestions_require_login(client, make_user):
    make_user("bobby")
    resp = suggest(client, "bo")
    assert resp.status_code == 401
    assert "bobby" not in resp.get_data(as_text=True)
