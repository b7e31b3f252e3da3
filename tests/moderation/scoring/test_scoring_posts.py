"""Posts are scored in the background after commit; failures never block posting."""

from __future__ import annotations

import sqlalchemy as sa

from forum.extensions import db
from forum.services.topics import create_reply, create_topic, edit_post
from moderation.scoring import services, tasks
from moderation.scoring.models import PostScore
from moderation.scoring.signals import post_scored


def _score_of(post_id: int) -> PostScore | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(PostScore).where(PostScore.post_id == post_id))


def test_new_topic_is_scored_in_the_background_with_title_and_body(make_user, make_tribe):
    author, tribe = make_user(), make_tribe()
    topic = create_topic(author, tribe, "垃圾电信宽带", "断网一周了，报修多次没人处理，我要投诉到工信部！")
    row = _score_of(topic.first_post_id)
    assert row is not None
    assert row.negative and row.score >= services.negative_threshold()
    assert "工信部" in row.keywords and "垃圾" in row.keywords
    assert row.model_version
    assert row.scored_at is not None


def test_reply_is_scored_and_edit_rescores_the_same_row(make_user, make_tribe):
    author, tribe = make_user(), make_tribe()
    topic = create_topic(author, tribe, "请教一个问题", "请问如何办理流量套餐变更？")
    reply = create_reply(author, topic, "谢谢客服，已经办好了")
    first = _score_of(reply.id)
    assert first is not None and not first.negative
    edit_post(author, reply, "又乱扣我20块钱，坑爹的客服，退钱！")
    second = _score_of(reply.id)
    assert second.id == first.id and second.negative
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PostScore)
                             .where(PostScore.post_id == reply.id)) == 1


def test_post_scored_signal_reports_previous_negative(make_user, make_tribe):
    author, tribe = make_user(), make_tribe()
    seen = []

    def listener(_sender, **kwargs):
        seen.append(kwargs)

    post_scored.connect(listener)
    try:
        topic = create_topic(author, tribe, "宽带故障", "宽带断网三天，垃圾服务，我要投诉！")
        services.score_post(topic.first_post_id)
    finally:
        post_scored.disconnect(listener)
    assert [s["previous_negative"] for s in seen] == [None, True]
    assert all(s["post_id"] == topic.first_post_id and s["negative"] for s in seen)


def test_scoring_twice_is_idempotent(make_user, make_tribe):
    topic = create_topic(make_user(), make_tribe(), "信号很差", "家里没信号，打不通电话")
    a = services.score_post(topic.first_post_id)
    b = services.score_post(topic.first_post_id)
    assert a.id == b.id and a.score == b.score


def test_scoring_a_missing_post_returns_none():
    assert services.score_post(987654) is None


def test_failing_scorer_does_not_block_posting_and_periodic_rescore_picks_it_up(
        make_user, make_tribe, monkeypatch):
    author, tribe = make_user(), make_tribe()

    def broken(_text):
        raise RuntimeError("model file corrupted")

    monkeypatch.setattr("moderation.scoring.services.scoring.score_text", broken)
    topic = create_topic(author, tribe, "宽带又断了", "垃圾宽带，又断网了，投诉！")
    post_id = topic.first_post_id
    assert _score_of(post_id) is None  # the post exists, its score does not
    assert services.unscored_post_ids() == [post_id]
    monkeypatch.undo()
    assert tasks.rescore_missing.apply().result == 1
    row = _score_of(post_id)
    assert row is not None and row.negative
    assert services.unscored_post_ids() == []


def test_periodic_rescore_is_registered_with_beat():
    from forum.jobs import BEAT_SCHEDULE

    assert BEAT_SCHEDULE["moderation.rescore_missing"]["task"] == "moderation.rescore_missing"


def test_cli_rescore_scores_unscored_posts(app, make_user, make_tribe, monkeypatch):
    monkeypatch.setattr("moderation.scoring.handlers.enqueue_after_commit",
                        lambda *a, **k: None)
    topic = create_topic(make_user(), make_tribe(), "怎么查话费", "请问怎么查询本月话费？")
    assert _score_of(topic.first_post_id) is None
    result = app.test_cli_runner().invoke(args=["moderation", "rescore"])
    assert result.exit_code == 0, result.output
    assert "scored 1 posts" in result.output
    assert _score_of(topic.first_post_id) is not None
