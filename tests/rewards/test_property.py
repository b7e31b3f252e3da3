"""Property test over random sequences of events: the ledger's invariants always hold."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forum import events
from forum.extensions import db
from forum.models import User
from rewards.models import RewardAccount
from rewards.services.ledger import ledger_sum
from rewards.services.titles import title_for

USERS = 3
# (kind, author index, other index, object id, flag)
EVENT = st.tuples(
    st.sampled_from(["post", "like", "accept", "remove", "idea", "vote", "idea_state"]),
    st.integers(0, USERS - 1), st.integers(0, USERS - 1), st.integers(1, 6), st.booleans())


def send(kind: str, author: int, other: int, obj: int, flag: bool) -> None:
    if kind == "post":
        events.post_created.send(None, post_id=obj, topic_id=obj, tribe_id=None,
                                 author_id=author, is_first=flag, mentions=[])
    elif kind == "like":
        events.post_liked.send(None, post_id=obj, topic_id=obj, tribe_id=None, author_id=author,
                               user_id=other, liked=flag)
    elif kind == "accept":
        events.answer_accepted.send(None, topic_id=obj, tribe_id=None, post_id=obj + 100,
                                    post_author_id=author, topic_author_id=other,
                                    accepted_by_id=other, previous_post_id=obj + 101 if flag else None)
    elif kind == "remove":
        events.post_removed.send(None, post_id=obj, topic_id=obj, tribe_id=None, author_id=author,
                                 removed_by_id=other, is_first=flag, by_moderator=True)
    elif kind == "idea":
        events.idea_submitted.send(None, idea_id=obj, author_id=author, category="x")
    elif kind == "vote":
        events.idea_voted.send(None, idea_id=obj, author_id=author, voter_id=other, voted=flag)
    else:
        state = ["in_arena", "funded", "implemented"][obj % 3]
        events.idea_state_changed.send(None, idea_id=obj, author_id=author, previous="x",
                                       state=state, by_id=other, reason=None)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(EVENT, min_size=1, max_size=25))
def test_balance_is_the_ledger_sum_lifetime_never_falls_title_follows_lifetime(
        make_user, sequence):
    ids = [u.id for u in db.session.scalars(db.select(User).order_by(User.id)).all()]
    while len(ids) < USERS:
        ids.append(make_user().id)
    ids = ids[:USERS]
    lifetimes = {uid: _lifetime(uid) for uid in ids}
    for kind, author, other, obj, flag in sequence:
        send(kind, ids[author], ids[other], obj, flag)
        db.session.expire_all()
        for uid in ids:
            user = db.session.get(User, uid)
            assert user.points == ledger_sum(uid)
            lifetime = _lifetime(uid)
            assert lifetime >= lifetimes[uid]
            lifetimes[uid] = lifetime
            expected = title_for(lifetime)
            assert user.title == (expected.name if expected else None)


def _lifetime(uid: int) -> int:
    account = db.session.get(RewardAccount, uid)
    return account.lifetime if account else 0
