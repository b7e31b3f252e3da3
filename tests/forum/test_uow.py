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


def test_every_view_is_an_edge_and_a_view_that_raises_commits_nothing(app, make_user):
    from werkzeug.exceptions import NotFound

    assert all(getattr(view, "_huzhu_atomic", False)
               for endpoint, view in app.view_functions.items() if endpoint != "static")
    admin = make_user("boss", roles=("admin",))
    before = _committed_tribes()

    @uow.atomic
    def view():
        tribes.save_tribe(admin, slug="kuandai", name="宽带", description="宽带问题")
        raise NotFound()

    with pytest.raises(NotFound):
        view()
    assert _committed_tribes() == before


def test_a_nested_block_that_fails_is_undone_alone_and_its_events_never_sent(make_user):
    admin = make_user("boss", roles=("admin",))
    sent = []
    before = _committed_tribes()
    with uow.unit_of_work(strict=False):
        tribes.save_tribe(admin, slug="kuandai", name="宽带", description="宽带问题")
        with pytest.raises(RuntimeError), uow.unit_of_work():
            tribes.save_tribe(admin, slug="huafei", name="话费", description="话费问题")
            uow.on_commit(lambda: sent.append("nested"))
            raise RuntimeError("the action's second step fails")
        uow.on_commit(lambda: sent.append("outer"))
    assert _committed_tribes() == before + 1
    assert sent == ["outer"]


def test_a_savepoint_undoes_its_writes_and_never_commits(make_user):
    from rewards.models import LedgerEntry
    from rewards.services.ledger import Award, award

    def committed_entries() -> int:
        with db.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(LedgerEntry)).scalar()

    user = make_user("giver")
    db.session.commit()
    with pytest.raises(RuntimeError), uow.savepoint():
        award(Award(user.id, "bonus", "test", 1, amount=5))  # flushes, never commits
        raise RuntimeError("refused")
    with uow.savepoint():
        award(Award(user.id, "bonus", "test", 2, amount=7))
    assert committed_entries() == 0  # the caller is the edge
    db.session.commit()
    assert committed_entries() == 1
