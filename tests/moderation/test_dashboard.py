"""Dashboard figures computed from timestamps: percentiles, SLA compliance, negative-post
rate per tribe and week, queue size per day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from moderation.services import actions, dashboard, ratings, tickets


def test_percentile_is_nearest_rank():
    assert dashboard.percentile([], 50) is None
    assert dashboard.percentile([5.0], 90) == 5.0
    values = [float(n) for n in range(1, 11)]
    assert dashboard.percentile(values, 50) == 5.0
    assert dashboard.percentile(values, 90) == 9.0


def test_response_and_resolution_times_and_sla_compliance(scene):
    start = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    made = []
    for hours_to_reply, hours_to_resolve in ((1, 10), (30, 100)):
        with time_machine.travel(start, tick=False):
            t = tickets.create_ticket(scene.moderator, scene.customer, title="x")
            tickets.change_status(scene.moderator, t, "assigned")
        with time_machine.travel(start + timedelta(hours=hours_to_reply), tick=False):
            tickets.add_reply(scene.moderator, t, "您好")
            tickets.change_status(scene.moderator, t, "in_progress")
        with time_machine.travel(start + timedelta(hours=hours_to_resolve), tick=False):
            tickets.change_status(scene.moderator, t, "resolved")
            ratings.rate(scene.customer, t, 3 if made else 5)
        made.append(t)
    data = dashboard.metrics(now=start + timedelta(days=5))
    t = data["tickets"]
    assert t["first_response_hours"] == {"median": 1.0, "p90": 30.0, "count": 2}
    assert t["resolution_hours"] == {"median": 10.0, "p90": 100.0, "count": 2}
    assert t["sla"] == {"evaluated": 2, "compliant": 1, "rate": 0.5}
    assert data["satisfaction"]["average"] == 4.0
    assert "first_response_hours,median,1.0" in dashboard.to_csv(data)


def test_negative_rate_per_tribe_and_queue_size_per_day(scene, flag):
    from forum.services.topics import create_reply

    calm = create_reply(scene.other, scene.topic, "可以查一下账单明细")
    flag(calm, negative=False, score=5)
    flag(scene.post)
    now = datetime.now(UTC)
    data = dashboard.metrics(now=now)
    row = data["negative_rate"]["table"][0]
    assert (row["tribe"], row["scored"], row["negative"], row["rate"]) == ("话费与账单", 2, 1, 0.5)
    assert data["queue"]["sizes"][-1] == 1
    actions.perform(scene.moderator, scene.post.id, "dismiss", {})
    assert dashboard.metrics(now=datetime.now(UTC) + timedelta(seconds=1))["queue"]["sizes"][-1] == 0
