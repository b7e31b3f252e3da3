"""Composer drafts (草稿): the service, the page endpoints composer.js calls, the JSON API,
"我的草稿", the draft restored into the textarea by the server, and discarding on publish."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.errors import NotFound, ValidationError
from forum.extensions import db
from forum.models.drafts import Draft
from forum.services import drafts, messages, topics
from tests.conftest import csrf_token, login, run_concurrently
from tests.forum.test_api_openapi import documented


@pytest.fixture
def forum(make_user, make_tribe):
    alice = make_user("alice", display_name="爱丽丝")
    bob = make_user("bobby", display_name="鲍比")
    tribe = make_tribe("liuliang", "流量管家")
    topic = topics.create_topic(bob, tribe, "流量用超了怎么办", "月底还有一周，流量用完了")
    return {"alice": alice, "bob": bob, "tribe": tribe, "topic": topic}


def draft_count(user_id: int | None = None) -> int:
    stmt = sa.select(sa.func.count()).select_from(Draft)
    if user_id is not None:
        stmt = stmt.where(Draft.user_id == user_id)
    return db.session.scalar(stmt)


def put_draft(client, key: str, json: dict, token: str | None = None):
    token = token or csrf_token(client, "/")
    return client.put(f"/drafts/{key}", json=json, headers={"X-CSRFToken": token})


# --- service ------------------------------------------------------------------------------


def test_saving_twice_keeps_one_draft_per_user_and_key(forum):
    key = f"reply:{forum['topic'].id}"
    drafts.save_draft(forum["alice"], key, body="第一版")
    saved = drafts.save_draft(forum["alice"], key, body="第二版")
    assert saved.body == "第二版"
    assert draft_count() == 1
    assert drafts.get_draft(forum["alice"], key).body == "第二版"


def test_each_user_and_composer_has_its_own_draft(forum):
    key = f"reply:{forum['topic'].id}"
    drafts.save_draft(forum["alice"], key, body="爱丽丝的")
    drafts.save_draft(forum["bob"], key, body="鲍比的")
    drafts.save_draft(forum["alice"], f"topic:{forum['tribe'].id}", title="新帖标题", body="正文",
                      tags="流量")
    assert drafts.get_draft(forum["alice"], key).body == "爱丽丝的"
    assert drafts.get_draft(forum["bob"], key).body == "鲍比的"
    topic_draft = drafts.get_draft(forum["alice"], f"topic:{forum['tribe'].id}")
    assert (topic_draft.title, topic_draft.tags) == ("新帖标题", "流量")


def test_reply_and_message_drafts_keep_no_title_or_tags(forum):
    saved = drafts.save_draft(forum["alice"], f"reply:{forum['topic'].id}", body="回复",
                              title="不该有标题", tags="x")
    assert (saved.title, saved.tags) == ("", "")


def test_draft_as_long_as_a_post_may_be_is_saved_and_one_more_character_is_refused(forum):
    key = f"reply:{forum['topic'].id}"
    assert drafts.save_draft(forum["alice"], key, body="字" * topics.BODY_MAX) is not None
    with pytest.raises(ValidationError) as err:
        drafts.save_draft(forum["alice"], key, body="新" * (topics.BODY_MAX + 1))
    assert "正文最多" in err.value.fields["body"]
    assert drafts.get_draft(forum["alice"], key).body == "字" * topics.BODY_MAX  # kept


def test_message_drafts_are_limited_like_private_messages(forum):
    key = "message:bobby"
    assert drafts.save_draft(forum["alice"], key, body="字" * messages.BODY_MAX)
    with pytest.raises(ValidationError) as err:
        drafts.save_draft(forum["alice"], key, body="字" * (messages.BODY_MAX + 1))
    assert "私信最多" in err.value.fields["body"]


def test_over_long_title_is_refused(forum):
    with pytest.raises(ValidationError) as err:
        drafts.save_draft(forum["alice"], f"topic:{forum['tribe'].id}",
                          title="题" * (topics.TITLE_MAX + 1), body="正文")
    assert "title" in err.value.fields


def test_saving_an_empty_draft_discards_it(forum):
    key = f"reply:{forum['topic'].id}"
    drafts.save_draft(forum["alice"], key, body="写了一半")
    assert drafts.save_draft(forum["alice"], key, body="  \n ") is None
    assert draft_count() == 0


@pytest.mark.parametrize("key", ["", "reply:", "reply:0", "reply:abc", "post:1", "topic:1:2",
                                 "message:a", "message:has space", "reply:12345678901"])
def test_malformed_keys_name_no_composer(forum, key):
    with pytest.raises(NotFound):
        drafts.save_draft(forum["alice"], key, body="x")


def test_draft_for_a_missing_target_or_oneself_is_refused(forum):
    for key in ("reply:999", "topic:999", "edit:999", "message:nobody", "message:alice"):
        with pytest.raises(NotFound):
            drafts.save_draft(forum["alice"], key, body="x")


def test_only_the_author_may_keep_an_edit_draft_of_a_post(forum):
    post_id = forum["topic"].first_post_id
    with pytest.raises(NotFound):
        drafts.save_draft(forum["alice"], f"edit:{post_id}", body="改别人的帖子")
    assert drafts.save_draft(forum["bob"], f"edit:{post_id}", body="改自己的") is not None


def test_concurrent_autosaves_leave_one_row(app, forum):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrency needs PostgreSQL (SQLite serialises writers)")
    from forum.models import User

    user_id, key = forum["alice"].id, f"reply:{forum['topic'].id}"

    def work(i):
        drafts.save_draft(db.session.get(User, user_id), key, body=f"版本 {i}")

    assert run_concurrently(app, 8, work) == []
    db.session.expire_all()
    assert draft_count(user_id) == 1


# --- discarded on publish ------------------------------------------------------------------


def test_publishing_a_topic_discards_the_new_topic_draft(forum):
    key = f"topic:{forum['tribe'].id}"
    drafts.save_draft(forum["alice"], key, title="草稿标题", body="草稿")
    drafts.save_draft(forum["alice"], f"reply:{forum['topic'].id}", body="另一份草稿")
    topics.create_topic(forum["alice"], forum["tribe"], "正式的标题", "正式的正文")
    assert drafts.get_draft(forum["alice"], key) is None
    assert drafts.get_draft(forum["alice"], f"reply:{forum['topic'].id}") is not None


def test_publishing_a_reply_discards_only_the_authors_reply_draft(forum):
    key = f"reply:{forum['topic'].id}"
    drafts.save_draft(forum["alice"], key, body="草稿")
    drafts.save_draft(forum["bob"], key, body="鲍比也在写")
    topics.create_reply(forum["alice"], forum["topic"], "发布了")
    assert drafts.get_draft(forum["alice"], key) is None
    assert drafts.get_draft(forum["bob"], key).body == "鲍比也在写"


def test_saving_an_edit_discards_the_edit_draft(forum):
    post = forum["topic"].first_post
    key = f"edit:{post.id}"
    drafts.save_draft(forum["bob"], key, body="改到一半")
    topics.edit_post(forum["bob"], post, "改好了的正文")
    assert drafts.get_draft(forum["bob"], key) is None


def test_sending_a_message_discards_the_message_draft(forum):
    drafts.save_draft(forum["alice"], "message:bobby", body="草稿")
    messages.send_message(forum["alice"], "bobby", "你好")
    assert drafts.get_draft(forum["alice"], "message:bobby") is None


def test_publishing_through_the_reply_page_discards_the_draft(client, forum):
    key = f"reply:{forum['topic'].id}"
    drafts.save_draft(forum["alice"], key, body="页面上的草稿")
    login(client, "alice")
    token = csrf_token(client, f"/topic/{forum['topic'].id}")
    resp = client.post(f"/topic/{forum['topic'].id}/reply",
                       data={"body": "页面上发布", "csrf_token": token})
    assert resp.status_code == 302
    db.session.expire_all()
    assert drafts.get_draft(forum["alice"], key) is None
    page = client.get(f"/topic/{forum['topic'].id}").get_data(as_text=True)
    assert "页面上的草稿" not in page


def test_a_refused_reply_keeps_the_draft(client, forum):
    key = f"reply:{forum['topic'].id}"
    drafts.save_draft(forum["alice"], key, body="留着")
    login(client, "alice")
    token = csrf_token(client, f"/topic/{forum['topic'].id}")
    resp = client.post(f"/topic/{forum['topic'].id}/reply", data={"body": " ", "csrf_token": token})
    assert resp.status_code == 422
    assert drafts.get_draft(forum["alice"], key).body == "留着"


# --- page endpoints used by composer.js ---------------------------------------------------


def test_put_saves_and_answers_the_time_and_the_page_restores_it(client, forum):
    login(client, "alice")
    topic_id = forum["topic"].id
    resp = put_draft(client, f"reply:{topic_id}", {"body": "自动保存的 <b>文字</b>"})
    assert resp.status_code == 200
    data = resp.get_json()
    assert data["body"] == "自动保存的 <b>文字</b>"
    assert len(data["saved_at_label"]) == 5 and data["saved_at_label"][2] == ":"
    page = client.get(f"/topic/{topic_id}").get_data(as_text=True)
    # Rendered into the textarea, escaped, with the restored notice.
    assert "自动保存的 &lt;b&gt;文字&lt;/b&gt;</textarea>" in page
    assert "保存的草稿" in page
    assert f'data-composer="reply:{topic_id}"' in page


def test_over_long_draft_is_422_with_a_chinese_message(client, forum):
    login(client, "alice")
    resp = put_draft(client, f"reply:{forum['topic'].id}", {"body": "字" * (topics.BODY_MAX + 1)})
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert "正文最多" in error["message"] and "body" in error["fields"]


def test_put_without_csrf_token_is_refused(client, forum):
    login(client, "alice")
    resp = client.put(f"/drafts/reply:{forum['topic'].id}", json={"body": "x"})
    assert resp.status_code == 400
    assert draft_count() == 0


def test_draft_endpoints_require_login(client, forum):
    token = csrf_token(client, "/")
    resp = put_draft(client, f"reply:{forum['topic'].id}", {"body": "x"}, token)
    assert resp.status_code == 401
    assert "登录" in resp.get_json()["error"]["message"]


def test_non_string_body_is_422(client, forum):
    login(client, "alice")
    resp = put_draft(client, f"reply:{forum['topic'].id}", {"body": 42})
    assert resp.status_code == 422


def test_delete_discards_only_ones_own_draft(client, forum):
    key = f"reply:{forum['topic'].id}"
    drafts.save_draft(forum["bob"], key, body="鲍比的")
    login(client, "alice")
    token = csrf_token(client, "/")
    resp = client.delete(f"/drafts/{key}", headers={"X-CSRFToken": token})
    assert resp.status_code == 200 and resp.get_json()["discarded"] is False
    assert drafts.get_draft(forum["bob"], key).body == "鲍比的"


def test_edit_page_prefers_the_draft_over_the_posts_text(client, forum):
    post = forum["topic"].first_post
    drafts.save_draft(forum["bob"], f"edit:{post.id}", title="改过的标题", body="改到一半的正文")
    login(client, "bobby")
    page = client.get(f"/post/{post.id}/edit").get_data(as_text=True)
    assert "改到一半的正文</textarea>" in page
    assert 'data-draft-title="改过的标题"' in page


def test_message_page_restores_the_message_draft(client, forum):
    drafts.save_draft(forum["alice"], "message:bobby", body="私信草稿")
    login(client, "alice")
    page = client.get("/messages/bobby").get_data(as_text=True)
    assert "私信草稿</textarea>" in page


def test_new_topic_page_restores_the_draft(client, forum):
    drafts.save_draft(forum["alice"], f"topic:{forum['tribe'].id}", title="标题草稿",
                      body="新帖草稿")
    login(client, "alice")
    page = client.get("/t/liuliang/new").get_data(as_text=True)
    assert "新帖草稿</textarea>" in page
    assert 'data-draft-title="标题草稿"' in page


# --- 我的草稿 -------------------------------------------------------------------------------


def test_my_drafts_lists_links_back_and_is_in_the_user_menu(client, forum):
    drafts.save_draft(forum["alice"], f"reply:{forum['topic'].id}", body="回复草稿")
    drafts.save_draft(forum["alice"], "message:bobby", body="私信草稿")
    drafts.save_draft(forum["bob"], "message:alice", body="别人的草稿")
    login(client, "alice")
    page = client.get("/drafts").get_data(as_text=True)
    assert "回复 · 流量用超了怎么办" in page and "私信 · 鲍比" in page
    assert "别人的草稿" not in page
    assert f'href="/topic/{forum["topic"].id}#reply"' in page
    assert 'href="/messages/bobby#compose"' in page
    assert 'href="/drafts">我的草稿</a>' in page


def test_my_drafts_is_empty_with_a_hint_and_requires_login(client, forum):
    assert client.get("/drafts").status_code == 302
    login(client, "alice")
    page = client.get("/drafts").get_data(as_text=True)
    assert "还没有草稿" in page


def test_deleting_from_my_drafts_asks_for_confirmation(client, forum):
    key = f"reply:{forum['topic'].id}"
    drafts.save_draft(forum["alice"], key, body="要删掉的")
    login(client, "alice")
    confirm = client.get(f"/drafts/{key}/delete")
    assert confirm.status_code == 200 and "确认删除" in confirm.get_data(as_text=True)
    assert drafts.get_draft(forum["alice"], key) is not None
    resp = client.post(f"/drafts/{key}/delete", data={"csrf_token": csrf_token(client, "/")})
    assert resp.status_code == 302
    assert drafts.get_draft(forum["alice"], key) is None


def test_another_users_draft_cannot_be_deleted_from_the_page(client, forum):
    key = f"reply:{forum['topic'].id}"
    drafts.save_draft(forum["bob"], key, body="鲍比的")
    login(client, "alice")
    assert client.get(f"/drafts/{key}/delete").status_code == 404
    resp = client.post(f"/drafts/{key}/delete", data={"csrf_token": csrf_token(client, "/")})
    assert resp.status_code == 404
    assert drafts.get_draft(forum["bob"], key) is not None


def test_my_drafts_is_paginated(client, forum, make_tribe):
    for i in range(drafts.DRAFTS_PER_PAGE + 1):
        tribe = make_tribe()
        drafts.save_draft(forum["alice"], f"topic:{tribe.id}", body=f"草稿 {i}")
    login(client, "alice")
    first = client.get("/drafts").get_data(as_text=True)
    second = client.get("/drafts?page=2").get_data(as_text=True)
    assert first.count('class="draft-row"') == drafts.DRAFTS_PER_PAGE
    assert second.count('class="draft-row"') == 1


# --- JSON API -----------------------------------------------------------------------------


def api(client, method, path, template, headers, json=None):
    resp = client.open("/api/v1" + path, method=method.upper(), headers=headers, json=json)
    documented(resp, method, template)
    return resp


def test_api_round_trip(client, forum, api_token):
    h = api_token(forum["alice"])
    key = f"reply:{forum['topic'].id}"
    resp = api(client, "put", f"/me/drafts/{key}", "/me/drafts/{key}", h, {"body": "接口草稿"})
    assert resp.status_code == 200 and resp.get_json()["body"] == "接口草稿"
    got = api(client, "get", f"/me/drafts/{key}", "/me/drafts/{key}", h).get_json()
    assert got["key"] == key
    listing = api(client, "get", "/me/drafts", "/me/drafts", h).get_json()
    assert [d["key"] for d in listing["items"]] == [key] and listing["total"] == 1
    assert api(client, "delete", f"/me/drafts/{key}", "/me/drafts/{key}", h).status_code == 204
    assert api(client, "get", f"/me/drafts/{key}", "/me/drafts/{key}", h).status_code == 404


def test_api_another_user_cannot_read_or_delete_your_draft(client, forum, api_token):
    key = f"reply:{forum['topic'].id}"
    drafts.save_draft(forum["bob"], key, body="鲍比的秘密")
    h = api_token(forum["alice"])
    assert api(client, "get", f"/me/drafts/{key}", "/me/drafts/{key}", h).status_code == 404
    assert api(client, "delete", f"/me/drafts/{key}", "/me/drafts/{key}", h).status_code == 404
    assert drafts.get_draft(forum["bob"], key).body == "鲍比的秘密"


def test_api_over_long_and_empty_drafts(client, forum, api_token):
    h = api_token(forum["alice"])
    key = f"reply:{forum['topic'].id}"
    resp = api(client, "put", f"/me/drafts/{key}", "/me/drafts/{key}", h,
               {"body": "x" * (topics.BODY_MAX + 1)})
    assert resp.status_code == 422 and "body" in resp.get_json()["error"]["fields"]
    api(client, "put", f"/me/drafts/{key}", "/me/drafts/{key}", h, {"body": "有内容"})
    resp = api(client, "put", f"/me/drafts/{key}", "/me/drafts/{key}", h, {"body": ""})
    assert resp.status_code == 204
    assert draft_count() == 0


def test_api_requires_authentication(client, forum):
    resp = api(client, "get", "/me/drafts", "/me/drafts", {})
    assert resp.status_code == 401
