"""The embedded default runs the beat schedule in-process (forum/scheduler.py)."""

from datetime import UTC, datetime, timedelta

from forum.jobs import task
from forum.scheduler import InProcessBeat

RUNS: list[int] = []


@task(name="tests.record_periodic_run")
def record_periodic_run(value: int) -> None:
    RUNS.append(value)


def test_interval_entry_runs_once_per_interval_and_not_at_start(app):
    RUNS.clear()
    beat = InProcessBeat({"rec": {"task": "tests.record_periodic_run", "schedule": 60.0,
                                  "args": (7,)}})
    start = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)

    assert beat.tick(start)[0] == []
    assert beat.tick(start + timedelta(seconds=30))[0] == []
    assert beat.tick(start + timedelta(seconds=61))[0] == ["rec"]
    assert beat.tick(start + timedelta(seconds=90))[0] == []
    assert beat.tick(start + timedelta(seconds=125))[0] == ["rec"]
    assert RUNS == [7, 7]


def test_failing_or_unknown_periodic_task_does_not_stop_the_others(app):
    RUNS.clear()
    beat = InProcessBeat({
        "missing": {"task": "tests.no_such_task", "schedule": 1.0},
        "rec": {"task": "tests.record_periodic_run", "schedule": 1.0, "args": (1,)},
    })
    start = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    beat.tick(start)
    ran, wait = beat.tick(start + timedelta(seconds=2))
    assert ran == ["missing", "rec"]
    assert RUNS == [1]
    assert 1.0 <= wait <= 60.0


def test_beat_is_not_started_in_tests(app, client):
    client.get("/")
    assert "huzhu_inprocess_beat" not in app.extensions


def test_crontab_entry_runs_when_its_minute_comes(app):
    from celery.schedules import crontab

    RUNS.clear()
    beat = InProcessBeat({"hourly": {"task": "tests.record_periodic_run",
                                     "schedule": crontab(minute=0), "args": (3,)}})
    start = datetime(2026, 11, 22, 8, 10, tzinfo=UTC)
    beat.tick(start)
    assert beat.tick(start + timedelta(minutes=49))[0] == []
    assert beat.tick(start + timedelta(minutes=51))[0] == ["hourly"]
    assert beat.tick(start + timedelta(minutes=55))[0] == []
    assert RUNS == [3]
