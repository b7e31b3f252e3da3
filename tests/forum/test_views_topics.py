"""Topic pages through the test client: create, reply, edit with revisions, delete, likes,
accepted answers, personal-data masking, 404/403, view counting."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from forum.extensions import db
from forum.models import Post, Topic
from forum.services import topics
from tests.conftest import csrf_token, login, post_form


def post_bodies(html: str) -> list[str]:
    return re.findall(r'<div class="post-body">(.*?)</div>\s*<footer', html, re.S)


@pytest.fixture
def forum(make_user, make_tribe):
    """alice asks in 流量管家, bob answers; mod moderates the tribe; carol is a bystander."""
    alice = make_user("alice", display_name="爱丽丝")
    bob = make_user("bob", display_name="鲍勃")
    make_user("carol")
    make_user("mod")
    tribe = make_tribe("liuliang", "流量管家", moderators=["mod"])
    topic = topics.create_topic(alice, tribe, "流量用超了怎么办", "月底还有一周，流量用完了")
    reply = topics.create_reply(bob, topic, "可以订一个流量加油包")
    return {"alice": alice, "bob": bob, "tribe": tribe, "topic": topic, "reply": reply}


def fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


# --- create -------------------------------------------------------------------------------

def test_create_topic_and_see_it(client, make_user, make_tribe):
    make_user("alice")
    make_tribe("liuliang", "流量管家")
    login(client, "alice")
    assert client.get("/t/liuliang/new").status_code == 200
    resp = post_form(client, "/t/liuliang/new", {
        "title": "怎么查询本月剩余流量", "body": "用的是 **58 元**套餐", "tags": "流量, 查询"})
    assert resp.status_code == 302
    topic_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    html = client.get(f"/topic/{topic_id}").get_data(as_text=True)
    assert "怎么查询本月剩余流量" in html
    assert "<strong>58 元</strong>" in html
    assert "#流量" in html and "#查询" in html
    assert "发帖成功" in html
    assert "怎么查询本月剩余流量" in client.get("/t/liuliang").get_data(as_text=True)


INVALID_TOPICS = [
    ({"title": "短", "body": "我输入的正文", "tags": "流量"},
     "title", "标题须为 4–80 个字（当前 1 个）"),
    ({"title": "长" * 81, "body": "我输入的正文", "tags": "流量"},
     "title", "标题须为 4–80 个字（当前 81 个）"),
    ({"title": "我输入的标题", "body": "   ", "tags": "流量"}, "body", "正文不能为空"),
    ({"title": "我输入的标题", "body": "字" * 20_001, "tags": "流量"},
     "body", "正文最多 20000 字（当前 20001 字）"),
    ({"title": "我输入的标题", "body": "我输入的正文", "tags": "a b c d e f"},
     "tags", "最多 5 个标签"),
]


@pytest.mark.parametrize(("data", "field", "message"), INVALID_TOPICS)
def test_invalid_topic_shows_error_and_keeps_what_was_typed(client, make_user, make_tribe,
                                                           data, field, message):
    make_user("alice")
    make_tribe("liuliang")
    login(client, "alice")
    resp = post_form(client, "/t/liuliang/new", data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert f'<p class="error" id="{field}-error">{message}</p>' in html  # next to its field
    assert f'value="{data["title"]}"' in html
    assert re.search(rf">\s*{re.escape(data['body'])}</textarea>", html)
    assert f'value="{data["tags"]}"' in html
    assert db.session.query(Topic).count() == 0


def test_new_topic_in_unknown_tribe_is_404(client, make_user):
    make_user("alice")
    login(client, "alice")
    assert client.get("/t/nope/new").status_code == 404


# --- reply --------------------------------------------------------------------------------

def test_reply_appears_and_redirects_to_its_anchor(client, forum):
    login(client, "alice")
    resp = post_form(client, f"/topic/{forum['topic'].id}/reply", {"body": "谢谢，我试试"})
    assert resp.status_code == 302
    post_id = db.session.query(Post).order_by(Post.id.desc()).first().id
    assert resp.headers["Location"].endswith(f"/topic/{forum['topic'].id}#post-{post_id}")
    html = client.get(f"/topic/{forum['topic'].id}").get_data(as_text=True)
    assert "谢谢，我试试" in html and "2 条回复" in html and f'id="post-{post_id}"' in html


def test_empty_reply_is_refused_and_too_long_reply_keeps_text(client, forum):
    login(client, "bob")
    resp = post_form(client, f"/topic/{forum['topic'].id}/reply", {"body": " "})
    assert resp.status_code == 422 and "正文不能为空" in resp.get_data(as_text=True)
    long_text = "很长的回复" * 4001
    resp = post_form(client, f"/topic/{forum['topic'].id}/reply", {"body": long_text})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "正文最多 20000 字" in html and long_text in html
    assert fresh(Topic, forum["topic"].id).reply_count == 1


def test_anonymous_sees_login_prompt_instead_of_reply_form(client, forum):
    html = client.get(f"/topic/{forum['topic'].id}").get_data(as_text=True)
    assert "后参与回复" in html and 'name="body"' not in html
    resp = post_form(client, f"/topic/{forum['topic'].id}/reply", {"body": "匿名回复"})
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_replies_are_paginated_and_new_reply_links_to_last_page(client, forum, app,
                                                                monkeypatch):
    monkeypatch.setitem(app.config, "REPLIES_PER_PAGE", 3)
    for i in range(4):
        topics.create_reply(forum["bob"], forum["topic"], f"第{i}条补充回复")
    topic_id = forum["topic"].id
    page1 = client.get(f"/topic/{topic_id}").get_data(as_text=True)
    assert "第1条补充回复" in page1 and "第2条补充回复" not in page1
    assert f'href="/topic/{topic_id}?page=2"' in page1
    page2 = client.get(f"/topic/{topic_id}?page=2").get_data(as_text=True)
    assert "第2条补充回复" in page2 and "第3条补充回复" in page2
    login(client, "alice")
    resp = post_form(client, f"/topic/{topic_id}/reply", {"body": "最后一条"})
    assert f"/topic/{topic_id}?page=2#post-" in resp.headers["Location"]


# --- edit and revisions ---------------------------------------------------------------------

def test_edit_keeps_revision_and_shows_edited_marker(client, forum):
    first_id = forum["topic"].first_post_id
    login(client, "alice")
    form = client.get(f"/post/{first_id}/edit").get_data(as_text=True)
    assert 'value="流量用超了怎么办"' in form and "月底还有一周，流量用完了</textarea>" in form
    resp = post_form(client, f"/post/{first_id}/edit", {
        "title": "流量用超了怎么办？（已补充）", "body": "补充：我用的是 58 元套餐", "tags": "流量"})
    assert resp.status_code == 302
    html = client.get(f"/topic/{forum['topic'].id}").get_data(as_text=True)
    assert "流量用超了怎么办？（已补充）" in html and "补充：我用的是 58 元套餐" in html
    assert f'href="/post/{first_id}/revisions"' in html and "已编辑" in html
    assert "#流量" in html
    history = client.get(f"/post/{first_id}/revisions").get_data(as_text=True)
    assert "月底还有一周，流量用完了" in history and "流量用超了怎么办" in history
    assert "补充：我用的是 58 元套餐" in history


def test_edit_reply_has_no_title_and_invalid_edit_keeps_text(client, forum):
    reply_id = forum["reply"].id
    login(client, "bob")
    form = client.get(f"/post/{reply_id}/edit").get_data(as_text=True)
    assert 'name="title"' not in form
    resp = post_form(client, f"/post/{reply_id}/edit", {"body": ""})
    assert resp.status_code == 422 and "正文不能为空" in resp.get_data(as_text=True)
    assert fresh(Post, reply_id).body == "可以订一个流量加油包"
    assert fresh(Post, reply_id).edit_count == 0


def test_editing_anothers_post_is_403(client, forum):
    reply_id = forum["reply"].id
    login(client, "carol")
    html = client.get(f"/topic/{forum['topic'].id}").get_data(as_text=True)
    assert f"/post/{reply_id}/edit" not in html
    assert client.get(f"/post/{reply_id}/edit").status_code == 403
    resp = post_form(client, f"/post/{reply_id}/edit", {"body": "篡改"})
    assert resp.status_code == 403 and "你只能编辑自己的帖子" in resp.get_data(as_text=True)
    assert fresh(Post, reply_id).body == "可以订一个流量加油包"


def test_tribe_moderator_may_edit_others_posts(client, forum):
    login(client, "mod")
    resp = post_form(client, f"/post/{forum['reply'].id}/edit", {"body": "版主修正后的内容"})
    assert resp.status_code == 302
    assert fresh(Post, forum["reply"].id).body == "版主修正后的内容"


# --- delete -------------------------------------------------------------------------------

def test_delete_reply_asks_first_then_soft_deletes(client, forum):
    reply_id = forum["reply"].id
    login(client, "bob")
    confirm = client.get(f"/post/{reply_id}/delete")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "删除这条回复？" in html and "确认删除" in html
    assert fresh(Post, reply_id).deleted_at is None  # looking at the page deletes nothing
    resp = post_form(client, f"/post/{reply_id}/delete")
    assert resp.status_code == 302 and resp.headers["Location"] == f"/topic/{forum['topic'].id}"
    post = fresh(Post, reply_id)
    assert post.deleted_at is not None and post.body == "可以订一个流量加油包"  # kept, hidden
    html = client.get(f"/topic/{forum['topic'].id}").get_data(as_text=True)
    assert "可以订一个流量加油包" not in html and "0 条回复" in html


def test_deleting_opening_post_deletes_topic_and_returns_to_tribe(client, forum):
    topic_id = forum["topic"].id
    login(client, "alice")
    html = client.get(f"/post/{forum['topic'].first_post_id}/delete").get_data(as_text=True)
    assert "删除整个帖子？" in html
    resp = post_form(client, f"/post/{forum['topic'].first_post_id}/delete")
    assert resp.status_code == 302 and resp.headers["Location"] == "/t/liuliang"
    assert fresh(Topic, topic_id).deleted_at is not None
    assert client.get(f"/topic/{topic_id}").status_code == 404
    assert "流量用超了怎么办" not in client.get("/t/liuliang").get_data(as_text=True)


def test_deleting_anothers_post_is_403(client, forum):
    login(client, "carol")
    assert client.get(f"/post/{forum['reply'].id}/delete").status_code == 403
    assert post_form(client, f"/post/{forum['reply'].id}/delete").status_code == 403
    assert fresh(Post, forum["reply"].id).deleted_at is None


# --- likes --------------------------------------------------------------------------------

def test_like_form_toggles_and_redirects_to_post(client, forum):
    first_id = forum["topic"].first_post_id
    login(client, "bob")
    resp = post_form(client, f"/post/{first_id}/like", {
        "like": "1", "next": f"/topic/{forum['topic'].id}#post-{first_id}"})
    assert resp.status_code == 302
    assert resp.headers["Location"] == f"/topic/{forum['topic'].id}#post-{first_id}"
    assert fresh(Topic, forum["topic"].id).like_count == 1
    html = client.get(f"/topic/{forum['topic'].id}").get_data(as_text=True)
    assert '<span class="like-label">已赞</span> <span class="like-count">1</span>' in html
    post_form(client, f"/post/{first_id}/like", {"like": "1"})  # double submit: still liked
    assert fresh(Post, first_id).like_count == 1
    post_form(client, f"/post/{first_id}/like", {"like": "0"})
    assert fresh(Post, first_id).like_count == 0
    post_form(client, f"/post/{first_id}/like")  # no explicit intent: toggles
    assert fresh(Post, first_id).like_count == 1


def test_like_via_fetch_returns_json(client, forum):
    reply_id = forum["reply"].id
    login(client, "alice")
    headers = {"Accept": "application/json", "X-CSRFToken": csrf_token(client, "/")}
    resp = client.post(f"/post/{reply_id}/like", data={"like": "1"}, headers=headers)
    assert resp.status_code == 200 and resp.get_json() == {"liked": True, "like_count": 1}
    resp = client.post(f"/post/{reply_id}/like", data={"like": "0"}, headers=headers)
    assert resp.get_json() == {"liked": False, "like_count": 0}


def test_liking_own_post_is_refused(client, forum):
    first_id = forum["topic"].first_post_id
    login(client, "alice")
    html = client.get(f"/topic/{forum['topic'].id}").get_data(as_text=True)
    assert f'action="/post/{first_id}/like"' not in html  # no button on one's own post
    resp = post_form(client, f"/post/{first_id}/like", {"like": "1"})
    assert resp.status_code == 409 and "不能给自己的帖子点赞" in resp.get_data(as_text=True)
    headers = {"Accept": "application/json", "X-CSRFToken": csrf_token(client, "/")}
    resp = client.post(f"/post/{first_id}/like", data={"like": "1"}, headers=headers)
    assert resp.status_code == 409
    assert resp.get_json()["error"]["message"] == "不能给自己的帖子点赞"
    assert fresh(Post, first_id).like_count == 0


def test_like_needs_login_and_csrf(client, forum):
    first_id = forum["topic"].first_post_id
    resp = post_form(client, f"/post/{first_id}/like", {"like": "1"})
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    login(client, "bob")
    resp = client.post(f"/post/{first_id}/like", data={"like": "1"},
                       headers={"Accept": "application/json"})
    assert resp.status_code == 400
    assert fresh(Post, first_id).like_count == 0


# --- accepted answer ------------------------------------------------------------------------

def test_author_accepts_answer_and_topic_shows_solved(client, forum):
    topic_id, reply_id = forum["topic"].id, forum["reply"].id
    login(client, "alice")
    html = client.get(f"/topic/{topic_id}").get_data(as_text=True)
    assert "已解决" not in html and "采纳为最佳答案" in html
    resp = post_form(client, f"/topic/{topic_id}/accept/{reply_id}",
                     {"next": f"/topic/{topic_id}#post-{reply_id}"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"#post-{reply_id}")
    html = client.get(f"/topic/{topic_id}").get_data(as_text=True)
    assert "已解决" in html and "最佳答案" in html
    assert f'id="accepted-{reply_id}"' in html
    assert html.index(f'id="accepted-{reply_id}"') < html.index("条回复</h2>")  # shown first
    assert "已解决" in client.get("/t/liuliang").get_data(as_text=True)


def test_tribe_moderator_may_accept_others_may_not(client, forum, make_user, app):
    topic_id, reply_id = forum["topic"].id, forum["reply"].id
    login(client, "carol")
    assert "采纳为最佳答案" not in client.get(f"/topic/{topic_id}").get_data(as_text=True)
    resp = post_form(client, f"/topic/{topic_id}/accept/{reply_id}")
    assert resp.status_code == 403 and "只有提问者或版主可以采纳答案" in resp.get_data(as_text=True)
    answerer = app.test_client()  # the answerer is not the asker either
    login(answerer, "bob")
    assert post_form(answerer, f"/topic/{topic_id}/accept/{reply_id}").status_code == 403
    assert not fresh(Topic, topic_id).solved

    moderator = app.test_client()
    login(moderator, "mod")
    assert "采纳为最佳答案" in moderator.get(f"/topic/{topic_id}").get_data(as_text=True)
    assert post_form(moderator, f"/topic/{topic_id}/accept/{reply_id}").status_code == 302
    assert fresh(Topic, topic_id).accepted_post_id == reply_id


def test_accepting_a_post_of_another_topic_is_refused(client, forum):
    other = topics.create_topic(forum["alice"], forum["tribe"], "另一个问题标题", "正文")
    login(client, "alice")
    resp = post_form(client, f"/topic/{other.id}/accept/{forum['reply'].id}")
    assert resp.status_code == 422
    assert not fresh(Topic, other.id).solved


# --- personal data ----------------------------------------------------------------------------

def test_personal_data_masked_for_others_but_not_author_or_moderator(client, make_user,
                                                                     make_tribe, app):
    make_user("alice")
    make_user("bob")
    make_user("mod")
    make_tribe("liuliang", "流量管家", moderators=["mod"])
    login(client, "alice")
    resp = post_form(client, "/t/liuliang/new", {
        "title": "停机了 13812345678", "body": "请联系 13812345678 或 zhang.san@example.com"})
    topic_path = resp.headers["Location"]
    html = client.get(topic_path).get_data(as_text=True)
    assert "您的帖子包含手机号、电子邮箱，已对其他用户隐藏显示" in html
    assert "13812345678" in html and "zhang.san@example.com" in html  # the author sees it all

    for viewer in ("bob", None):
        other = app.test_client()
        if viewer:
            login(other, viewer)
        html = other.get(topic_path).get_data(as_text=True)
        assert "13812345678" not in html and "zhang.san@example.com" not in html
        assert "138****5678" in html and "z***@example.com" in html
        assert "13812345678" not in other.get("/t/liuliang").get_data(as_text=True)
        assert "13812345678" not in other.get("/").get_data(as_text=True)

    moderator = app.test_client()
    login(moderator, "mod")
    assert "13812345678" in moderator.get(topic_path).get_data(as_text=True)


def test_personal_data_in_reply_warns_author_and_stays_masked_in_history(client, forum, app):
    login(client, "bob")
    resp = post_form(client, f"/topic/{forum['topic'].id}/reply",
                     {"body": "我的身份证 110101199003071234"})
    html = client.get(resp.headers["Location"].split("#")[0]).get_data(as_text=True)
    assert "您的帖子包含身份证号" in html and "110101199003071234" in html
    post_id = db.session.query(Post).order_by(Post.id.desc()).first().id
    post_form(client, f"/post/{post_id}/edit", {"body": "已删除个人信息"})
    carol = app.test_client()
    login(carol, "carol")
    history = carol.get(f"/post/{post_id}/revisions").get_data(as_text=True)
    assert "110101199003071234" not in history and "110101********1234" in history
    assert "110101199003071234" in client.get(f"/post/{post_id}/revisions").get_data(as_text=True)


# --- XSS --------------------------------------------------------------------------------------

XSS_BODY = "\n\n".join([
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[点我](javascript:alert(1))",
    "[数据](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<svg onload=alert(1)></svg>",
    "<style>body{display:none}</style>",
    '<a href="javascript:alert(1)" onclick="alert(1)">x</a>',
    "[嵌套](JaVaScRiPt:alert(1))",
    "![图](javascript:alert(1))",
])
FORBIDDEN = ("<script", "onerror=", "javascript:", "<svg", "<style", "onload=", "onclick=",
             "data:text/html", "<img")


class MarkupCollector(HTMLParser):
    """The markup of a fragment (tags with their attributes), without its text."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(self.get_starttag_text())

    handle_startendtag = handle_starttag


def markup_of(fragment: str) -> str:
    collector = MarkupCollector()
    collector.feed(fragment)
    return " ".join(collector.tags).lower()


def test_xss_vectors_are_inert_in_topic_and_reply(client, make_user, make_tribe):
    make_user("alice")
    make_tribe("liuliang")
    login(client, "alice")
    resp = post_form(client, "/t/liuliang/new", {"title": "<script>alert('t')</script>标题",
                                                 "body": XSS_BODY})
    topic_path = resp.headers["Location"]
    topic_id = int(topic_path.rsplit("/", 1)[1])
    post_form(client, f"/topic/{topic_id}/reply", {"body": XSS_BODY})
    html = client.get(topic_path).get_data(as_text=True)
    bodies = post_bodies(html)
    assert len(bodies) == 2
    for body in bodies:
        # The vectors survive only as escaped, inert text ("&lt;img src=x onerror=…&gt;"):
        # no live tag, handler or dangerous URL is left in the markup of the post area.
        markup = markup_of(body)
        lowered = body.lower()
        for needle in FORBIDDEN:
            assert needle not in markup, needle
            if needle.startswith("<"):
                assert needle not in lowered, needle
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert('t')" not in html  # the title is escaped
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;标题" in html
    tribe_html = client.get("/t/liuliang").get_data(as_text=True)
    assert "<script>alert('t')" not in tribe_html


def test_links_in_posts_get_nofollow(client, forum):
    login(client, "bob")
    post_form(client, f"/topic/{forum['topic'].id}/reply",
              {"body": "看这里 [官网](https://www.10086.cn)"})
    html = client.get(f"/topic/{forum['topic'].id}").get_data(as_text=True)
    assert '<a href="https://www.10086.cn" rel="nofollow ugc">官网</a>' in html


# --- 404 and views --------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/topic/999999", "/topic/0", "/post/999999/edit",
                                  "/post/999999/delete", "/post/999999/revisions",
                                  "/topic/99999999999999999999999", "/topic/abc"])
def test_unknown_topics_and_posts_are_404(client, make_user, path):
    make_user("alice")
    login(client, "alice")
    resp = client.get(path)
    assert resp.status_code == 404
    assert "返回首页" in resp.get_data(as_text=True)


def test_topic_views_are_buffered_not_written_per_read(client, forum):
    topic_id = forum["topic"].id
    for _ in range(3):
        client.get(f"/topic/{topic_id}")
    assert fresh(Topic, topic_id).view_count == 0  # nothing written yet
    assert topics.view_counter.pending(topic_id) == 3
    html = client.get(f"/topic/{topic_id}").get_data(as_text=True)
    assert "<span>4 浏览</span>" in html  # the page counts what is still buffered
    topics.view_counter.flush()
    assert fresh(Topic, topic_id).view_count == 4


def test_back_links_and_breadcrumbs(client, forum):
    html = client.get(f"/topic/{forum['topic'].id}").get_data(as_text=True)
    assert '<a class="back-link" href="/t/liuliang">‹ 返回「流量管家」</a>' in html
    assert '<a href="/t/liuliang">流量管家</a>' in html
