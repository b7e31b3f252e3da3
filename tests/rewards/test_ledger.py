"""The points ledger: idempotent awards, daily caps, reversals, the forum's events."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from forum import events
from forum.extensions import db
from forum.models import User
from forum.services import topics
from rewards.models import LedgerEntry, PointRule, RewardAccount
from rewards.services import points
from rewards.services.ledger import Award, award, award_many, ledger_sum, shanghai_day
from tests.rewards.conftest import assert_consistent, points_of


def entries(user_id: int, rule: str | None = None) -> list[LedgerEntry]:
    query = sa.select(LedgerEntry).where(LedgerEntry.user_id == user_id)
    if rule:
        query = query.where(LedgerEntry.rule_code == rule)
    return list(db.session.scalars(query.order_by(LedgerEntry.id)))


def test_creating_a_topic_and_a_reply_awards_the_default_points(forum_content):
    topic = forum_content.topic()
    forum_content.reply(topic)
    assert points_of(forum_content.asker.id) == 5
    assert points_of(forum_content.helper.id) == 2
    assert entries(forum_content.asker.id, "topic_created")[0].tribe_id == forum_content.tribe.id
    assert_consistent(forum_content.asker.id)


def test_the_same_event_delivered_three_times_awards_once(forum_content):
    topic = forum_content.topic()
    payload = dict(post_id=topic.first_post_id, topic_id=topic.id, tribe_id=topic.tribe_id,
                   author_id=forum_content.asker.id, is_first=True, mentions=[])
    for _ in range(3):
        events.post_created.send(None, **payload)
    assert len(entries(forum_content.asker.id, "topic_created")) == 1
    assert points_of(forum_content.asker.id) == 5


def test_a_like_awards_the_author_and_an_unlike_compensates(forum_content):
    topic = forum_content.topic()
    post = db.session.get(topics.Post, topic.first_post_id)
    topics.set_like(forum_content.fan, post, True)
    assert points_of(forum_content.asker.id) == 6
    topics.set_like(forum_content.fan, post, False)
    assert points_of(forum_content.asker.id) == 5
    # Liking again does not farm a second point: that liker's award was already used.
    topics.set_like(forum_content.fan, post, True)
    assert points_of(forum_content.asker.id) == 5
    assert_consistent(forum_content.asker.id)


def test_cap_the_50th_point_of_a_day_counts_and_the_51st_does_not(make_user):
    user = make_user()
    day = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
    awards = [Award(user.id, points.POST_LIKED, "like", 1, actor_id=i, at=day)
              for i in range(1, 52)]
    done = award_many(awards[:50])
    assert sum(a.amount for a in done) == 50
    assert points_of(user.id) == 50
    late = award(awards[50])
    assert late is not None and late.amount == 0  # recorded, but worth nothing
    assert points_of(user.id) == 50
    # The next Shanghai day starts a fresh cap (16:00 UTC is midnight in Shanghai).
    nxt = award(Award(user.id, points.POST_LIKED, "like", 1, actor_id=99,
                      at=datetime(2026, 3, 1, 16, 0, tzinfo=UTC)))
    assert nxt.amount == 1
    assert_consistent(user.id)


def test_an_award_crossing_the_cap_is_cut_to_what_is_left(make_user):
    user = make_user()
    rule = db.session.get(PointRule, points.REPLY_CREATED)
    rule.daily_cap = 5
    db.session.commit()
    done = award_many([Award(user.id, points.REPLY_CREATED, "post", i) for i in range(1, 5)])
    assert [a.amount for a in done] == [2, 2, 1, 0]
    assert points_of(user.id) == 5


def test_removal_by_a_moderator_reverses_exactly_what_the_post_earned(forum_content):
    topic = forum_content.topic()
    reply = forum_content.reply(topic)
    other = forum_content.reply(topic, body="另一条回复，也来帮忙")
    topics.set_like(forum_content.fan, reply, True)
    topics.set_like(forum_content.asker, reply, True)
    topics.accept_answer(forum_content.asker, topic, reply)
    helper = forum_content.helper.id
    assert points_of(helper) == 2 + 2 + 1 + 1 + 15
    topics.delete_post(forum_content.mod, db.session.get(topics.Post, reply.id))
    # What the other reply earned stays; everything the removed one earned is gone.
    assert points_of(helper) == 2
    reversals = entries(helper, "reversal")
    assert sorted(e.amount for e in reversals) == [-15, -2, -1, -1]
    # Delivered again: nothing more is reversed.
    events.post_removed.send(None, post_id=reply.id, topic_id=topic.id, tribe_id=topic.tribe_id,
                             author_id=helper, removed_by_id=forum_content.mod.id,
                             is_first=False, by_moderator=True)
    assert points_of(helper) == 2
    assert other.id
    assert_consistent(helper)


def test_removal_by_the_author_keeps_the_points(forum_content):
    topic = forum_content.topic()
    reply = forum_content.reply(topic)
    topics.delete_post(forum_content.helper, reply)
    assert points_of(forum_content.helper.id) == 2


def test_accepting_awards_both_and_moving_the_mark_compensates(forum_content):
    topic = forum_content.topic()
    first = forum_content.reply(topic)
    second = forum_content.reply(topic, author=forum_content.fan, body="我也来回答这个问题")
    topics.accept_answer(forum_content.asker, topic, first)
    assert points_of(forum_content.helper.id) == 2 + 15
    assert points_of(forum_content.asker.id) == 5 + 2
    topics.accept_answer(forum_content.asker, topic, second)
    assert points_of(forum_content.helper.id) == 2
    assert points_of(forum_content.fan.id) == 2 + 15
    assert points_of(forum_content.asker.id) == 5 + 2  # the asker's +2 is once per topic
    account = db.session.get(RewardAccount, forum_content.helper.id)
    assert account.lifetime == 2 + 15  # lifetime never decreases


def test_accepting_ones_own_reply_earns_nothing(forum_content):
    topic = forum_content.topic()
    own = forum_content.reply(topic, author=forum_content.asker, body="我自己找到答案了")
    topics.accept_answer(forum_content.asker, topic, own)
    assert points_of(forum_content.asker.id) == 5 + 2


def test_idea_events_award_their_rules_and_unvotes_compensate(make_user):
    author, voter = make_user(), make_user()
    events.idea_submitted.send(None, idea_id=7, author_id=author.id, category="x")
    events.idea_voted.send(None, idea_id=7, author_id=author.id, voter_id=voter.id, voted=True)
    assert points_of(author.id) == 6
    events.idea_voted.send(None, idea_id=7, author_id=author.id, voter_id=voter.id, voted=False)
    assert points_of(author.id) == 5
    for state, total in (("in_arena", 55), ("funded", 155), ("implemented", 355),
                         ("implemented", 355), ("rejected", 355)):
        events.idea_state_changed.send(None, idea_id=7, author_id=author.id, previous="x",
                                       state=state, by_id=voter.id, reason=None)
        assert points_of(author.id) == total
    from rewards.services.badges import badges_of

    assert [b.badge_code for b in badges_of(author.id)] == ["first_idea_implemented"]


def test_a_rule_switched_off_awards_nothing(forum_content):
    rule = db.session.get(PointRule, points.TOPIC_CREATED)
    rule.active = False
    db.session.commit()
    forum_content.topic()
    assert points_of(forum_content.asker.id) == 0


def test_checkin_once_a_day_builds_a_streak(make_user, app):
    import time_machine

    user = make_user()
    with time_machine.travel(datetime(2026, 5, 1, 1, 0, tzinfo=UTC), tick=False):
        first = points.checkin(user)
        again = points.checkin(user)
    assert (first.new, first.awarded, first.streak) == (True, 2, 1)
    assert (again.new, again.awarded) == (False, 0)
    for day in range(2, 8):
        with time_machine.travel(datetime(2026, 5, day, 15, 59, tzinfo=UTC), tick=False):
            result = points.checkin(db.session.get(User, user.id))
    assert result.streak == 7
    from rewards.services.badges import badges_of

    assert "checkin_streak_7" in [b.badge_code for b in badges_of(user.id)]
    with time_machine.travel(datetime(2026, 5, 9, 3, 0, tzinfo=UTC), tick=False):
        broken = points.checkin(db.session.get(User, user.id))
    assert broken.streak == 1
    assert points_of(user.id) == 2 * 8 == ledger_sum(user.id)


def test_shanghai_day_changes_at_16_utc():
    assert shanghai_day(datetime(2026, 1, 1, 15, 59, tzinfo=UTC)).day == 1
    assert shanghai_day(datetime(2026, 1, 1, 16, 0, tzinfo=UTC)).day == 2
