"""Rough edges of issue 17: 隐藏 and 冷处理 read differently and only hiding tells the author;
a customer's ticket page has no staff status dropdown; an expert cannot score their own reply."""

from __future__ import annotations

import re

import sqlalchemy as sa

from forum.errors import PermissionDenied
from forum.extensions import db
from forum.models import Notification
from forum.services.notifications import text_of
from moderation.models import ExpertReview
from moderation.services import actions, reviews, tickets
from tests.conftest import csrf_token, login


def _client(app, username):
    client = app.test_client()
    login(client, username)
    return client


def _notes(user_id: int, kind: str) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Notification).where(
        Notification.user_id == user_id, Notification.kind == kind)))


def test_hide_and_cold_have_distinct_wordings_on_the_queue_page(app, scene, flag):
    flag(scene.post)
    html = _client(app, "kefu").get(f"/moderation/queue/{scene.post.id}").get_data(as_text=True)
    hide = re.search(r'value="hide">\s*<button[^>]*data-confirm="([^"]+)"', html).group(1)
    cold = re.search(r'value="cold">\s*<button[^>]*data-confirm="([^"]+)"', html).group(1)
    assert hide != cold
    assert "作者会收到通知" in hide and "不会收到通知" in cold


def test_hiding_a_post_notifies_its_author_with_the_reason_and_cold_handling_does_not(
        app, scene, flag):
    flag(scene.post)
    actions.perform(scene.moderator, scene.post.id, "cold", {"reason": "情绪激动"})
    assert _notes(scene.customer.id, "post_hidden") == []
    actions.perform(scene.moderator, scene.post.id, "hide", {"reason": "含辱骂内容"})
    notes = _notes(scene.customer.id, "post_hidden")
    assert len(notes) == 1
    text = text_of(notes[0])
    assert "已被版主隐藏" in text and "含辱骂内容" in text and "又乱扣我话费了" in text
    # The author sees the mark on the post itself; others do not see the post at all.
    author = _client(app, "angry")
    assert "已被版主隐藏" in author.get(f"/topic/{scene.topic.id}").get_data(as_text=True)


def _ticket(scene):
    return tickets.create_ticket(scene.moderator, scene.customer, title="扣费争议",
                                 description="多扣 20 元", category="扣费",
                                 source_post=scene.post)


def test_the_customers_ticket_page_has_no_staff_status_dropdown(app, scene):
    ticket = _ticket(scene)
    customer = _client(app, "angry")
    html = customer.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert 'name="status"' not in html and "更新状态" not in html
    assert "当前状态下没有可执行的操作" not in html
    assert "客服会在承诺时间内处理" in html
    staff = _client(app, "kefu").get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "更新状态" in staff and '<select' in staff


def test_a_resolved_ticket_offers_the_customer_plain_buttons_that_work(app, scene):
    ticket = _ticket(scene)
    for status in ("assigned", "in_progress", "resolved"):
        tickets.change_status(scene.moderator, ticket, status)
    customer = _client(app, "angry")
    html = customer.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "<select" not in html.split("处理进度", 1)[1].split("时间线", 1)[0]
    assert 'name="status" value="closed"' in html and "问题没有解决，重新打开" in html
    token = csrf_token(customer, f"/tickets/{ticket.number}")
    customer.post(f"/tickets/{ticket.number}/status",
                  data={"csrf_token": token, "status": "closed", "note": ""})
    db.session.expire_all()
    assert db.session.get(type(ticket), ticket.id).status == "closed"


def _own_review(scene):
    from forum.services.topics import create_reply

    create_reply(scene.moderator, scene.topic, "您好，已为您登记，请留意私信。")
    reviews.draw_sample(scene.admin)
    return db.session.scalar(sa.select(ExpertReview).where(
        ExpertReview.author_id == scene.moderator.id))


def test_an_expert_cannot_score_their_own_reply(app, scene):
    review = _own_review(scene)
    try:
        reviews.score_review(scene.moderator, review.id, 5, "很好")
    except PermissionDenied as err:
        assert "不能给自己的回复评分" in err.message
    else:
        raise AssertionError("scoring one's own reply was accepted")
    mod = _client(app, "kefu")
    html = mod.get("/moderation/reviews").get_data(as_text=True)
    assert f"/moderation/reviews/{review.id}/score" not in html
    assert "这是你自己的回复" in html
    token = csrf_token(mod, "/moderation/reviews")
    resp = mod.post(f"/moderation/reviews/{review.id}/score",
                    data={"csrf_token": token, "score": "5", "comment": "自评"})
    assert resp.status_code == 403
    assert "不能给自己的回复评分" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ExpertReview, review.id).score is None
    # Another expert may score it.
    reviews.score_review(scene.admin, review.id, 4, "语气得体")
    assert db.session.get(ExpertReview, review.id).score == 4
