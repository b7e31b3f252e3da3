"""The unit of work: ``on_commit`` callbacks run after the commit and vanish on rollback; an
edge's ``unit_of_work()`` makes the services inside commit together or not at all."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum import events, uow
from forum.extensions import db
from forum.models import Tribe
from forum.services import tribes


def _committed_tribes() -> int:
    with db.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(Tribe)).scalar()


def test_on_commit_runs_after_the_commit_in_order_and_never_after_a_rollback(app):
    ran = []
    uow.on_commit(lambda: ran.append("first"))
    uow.on_commit(lambda: ran.append("second"))
    assert ran == []
    db.session.commit()
    assert ran == ["first", "second"]
    uow.on_commit(lambda: ran.append("rolled back"))
    db.session.rollback()
    db.session.commit()
    assert ran == ["first", "second"]


def test_a_callback_may_queue_more_work_and_a_failing_one_stops_no_other(app):
    ran = []

    def boom():
        raise RuntimeError("broken callback")

    uow.on_commit(lambda: uow.on_commit(lambda: ran.append("queued by a callback")))
    uow.on_commit(boom)
    uow.on_commit(lambda: ran.append("after the failure"))
    uow.commit()
    assert ran == ["after the failure", "queued by a callback"]


def test_event_payloads_arrive_as_they_would_through_the_broker(app):
    got = []

    def handler(_sender, **payload):
        got.append(payload)

    events.user_followed.connect(handler)
    try:
        events.emit(events.user_followed, follower_id=1, followed_id=2, following=True,
                    extra=(1, 2))
        db.session.commit()
    finally:
        events.user_followed.disconnect(handler)
    assert got == [{"follower_id": 1, "followed_id": 2, "following": True, "extra": [1, 2]}]


def test_services_inside_a_unit_of_work_commit_together(make_user):
    admin = make_user("boss", roles=("admin",))
    before = _committed_tribes()
    with uow.unit_of_work():
        tribes.save_tribe(admin, slug="kuandai", name="宽带", description="宽带问题")
        assert _committed_tribes() == before  # the service's commit only flushed
        tribes.save_tribe(admin, slug="huafei", name="话费", description="话费问题")
    assert _committed_tribes() == before + 2


def test_a_failure_inside_a_unit_of_work_commits_nothing(make_user):
    admin = make_user("boss", roles=("admin",))
    before = _committed_tribes()
    with pytest.raises(RuntimeError), uow.unit_of_work():
        tribes.save_tribe(admin, slug="kuandai", name="宽带", description="宽带问题")
        raise RuntimeError("the second step fails")
    assert _committed_tribes() == before


def test_a_rollback_inside_a_unit_of_work_refuses_to_commit_the_rest(make_user):
    admin = make_user("boss", roles=("admin",))
    before = _committed_tribes()
    with pytest.raises(uow.UnitOfWorkBroken), uow.unit_of_work():
        tribes.save_tribe(admin, slug="kuandai", name="宽带", description="宽带问题")
        db.session.rollback()
        tribes.save_tribe(admin, slug="huafei", name="话费", description="话费问题")
    assert _committed_tribes() == before
