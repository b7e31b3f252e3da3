"""Model versions: retrain on moderators' decisions (refusing too few labels and worse
candidates), every version kept with its figures, rollback, processes follow the active
version, rescoring the open queue after a change, the dashboard's versions table."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from forum.extensions import db
from forum.services.topics import create_topic
from moderation.models import AuditEntry, QueueItem
from moderation.scoring import learning
from moderation.scoring import services as scoring
from moderation.scoring.models import ModelVersion
from moderation.scoring.services.engine import Model
from moderation.services import actions, model_versions
from tests.conftest import csrf_token, login

SHIPPED = Model.load().version


@pytest.fixture(autouse=True)
def _fresh_model(app):
    """Versions live in the database, which every test empties: start and end on the
    shipped model."""
    scoring.forget_model()
    yield
    scoring.forget_model()


def _label_posts(scene, flag, n: int) -> None:
    """``n`` decided posts: alternately dismissed and turned into tickets."""
    for i in range(n):
        post = create_topic(scene.other, scene.tribe, f"第{i}个帖子",
                            f"上个月被扣了{i + 10}元，不知道为什么" if i % 2 else f"请问套餐{i}怎么办理？"
                            ).first_post
        flag(post)
        actions.perform(scene.moderator, post.id, "ticket" if i % 2 else "dismiss")


def _constant_model(version: str, bias: float) -> Model:
    """A model that calls everything negative (bias > 0) or nothing (bias < 0)."""
    return Model(version, {"bias": bias}, {}, {})


def _evaluator(figures: dict[str, dict[str, float]]):
    return lambda m: figures.get(m.version, figures["*"])


def _versions() -> list[tuple[str, str, bool]]:
    db.session.expire_all()
    return [(v.version, v.source, v.active) for v in db.session.scalars(
        sa.select(ModelVersion).order_by(ModelVersion.id))]


def test_retrain_with_too_few_labels_says_so_and_changes_nothing(app, scene, flag):
    _label_posts(scene, flag, learning.MIN_SITE_LABELS - 1)
    result = app.test_cli_runner().invoke(args=["moderation", "retrain"])
    assert result.exit_code == 1
    assert f"站内标注只有 {learning.MIN_SITE_LABELS - 1} 条" in result.output
    assert f"至少需要 {learning.MIN_SITE_LABELS} 条" in result.output and "未做任何改动" in result.output
    assert _versions() == []
    assert scoring.model().version == SHIPPED


def test_retrain_end_to_end_with_the_real_trainer(app, scene, flag):
    _label_posts(scene, flag, learning.MIN_SITE_LABELS)
    result = app.test_cli_runner().invoke(args=["moderation", "retrain"])
    assert result.exit_code == 0, result.output
    assert f"on {learning.MIN_SITE_LABELS} site label(s)" in result.output
    rows = list(db.session.scalars(sa.select(ModelVersion).order_by(ModelVersion.id)))
    assert [r.source for r in rows[:1]] == ["shipped"] and rows[0].version == SHIPPED
    candidate = rows[1]
    assert candidate.version.startswith("site-")
    assert candidate.label_count == learning.MIN_SITE_LABELS
    assert set(candidate.metrics) == set(rows[0].metrics) and candidate.metrics
    worse = learning.worse_than(candidate.metrics, rows[0].metrics)
    assert candidate.active == (not worse) == (candidate.source == "retrain")
    assert rows[0].active == bool(worse)
    expected = candidate.version if not worse else SHIPPED
    assert scoring.model().version == expected
    assert "activated" in result.output if not worse else "kept the active model" in result.output
    # The stored model is the trained one, and it scores.
    assert Model.from_dict(__import__("json").loads(candidate.model_json)).version == \
        candidate.version
    assert scoring.score_text("又乱扣我话费，再不退钱就去工信部投诉！").negative


def test_retrain_refuses_a_worse_candidate_and_keeps_the_active_model(scene, flag):
    _label_posts(scene, flag, learning.MIN_SITE_LABELS)
    before = scoring.score_text("谢谢客服，问题解决了")
    result = model_versions.retrain(
        trainer=lambda examples, name: _constant_model(name, 30.0),
        evaluator=_evaluator({SHIPPED: {"f1": 0.9, "specificity": 0.9},
                              "*": {"f1": 0.95, "specificity": 0.5}}))
    assert not result.activated and result.worse == ["specificity"]
    versions = _versions()
    assert versions == [(SHIPPED, "shipped", True), (result.candidate.version, "rejected", False)]
    assert result.candidate.metrics == {"f1": 0.95, "specificity": 0.5}
    assert scoring.model().version == SHIPPED
    assert scoring.score_text("谢谢客服，问题解决了") == before


def test_activation_rollback_and_other_processes_following(app, scene, flag):
    _label_posts(scene, flag, learning.MIN_SITE_LABELS)
    same = _evaluator({"*": {"f1": 0.9}})
    result = model_versions.retrain(trainer=lambda ex, name: _constant_model(name, 30.0),
                                    evaluator=same)
    assert result.activated
    assert scoring.model().version == result.candidate.version
    assert scoring.score_text("谢谢，今天天气不错").negative  # the stored model scores now
    assert db.session.scalar(sa.select(AuditEntry.action).where(
        AuditEntry.target_type == "model_version")) == "model_activate"

    cli = app.test_cli_runner()
    back = cli.invoke(args=["moderation", "rollback"])
    assert back.exit_code == 0 and f"activated {SHIPPED}" in back.output
    assert scoring.model().version == SHIPPED
    assert not scoring.score_text("谢谢，今天天气不错").negative
    again = cli.invoke(args=["moderation", "rollback"])
    assert again.exit_code == 1 and "没有可回滚到的更早版本" in again.output
    unknown = cli.invoke(args=["moderation", "rollback", "nope-1"])
    assert unknown.exit_code == 1 and "没有名为 nope-1 的模型版本" in unknown.output

    # Another process activates the candidate: this one follows at its next check.
    app.config["MODERATION_MODEL_CHECK_SECONDS"] = 3600
    try:
        db.session.execute(sa.update(ModelVersion).values(
            active=ModelVersion.version == result.candidate.version))
        db.session.commit()
        assert scoring.model().version == SHIPPED  # not due yet
        app.config["MODERATION_MODEL_CHECK_SECONDS"] = 0
        assert scoring.model().version == result.candidate.version
    finally:
        app.config["MODERATION_MODEL_CHECK_SECONDS"] = 30


def test_rescore_open_after_a_model_change_dismisses_what_is_no_longer_negative(
        app, scene, flag):
    _label_posts(scene, flag, learning.MIN_SITE_LABELS)
    open_post = create_topic(scene.customer, scene.tribe, "又被乱扣费了", "又扣费了，退钱").first_post
    handled_post = create_topic(scene.customer, scene.tribe, "宽带又断网了", "断网三天了").first_post
    flag(open_post)
    flag(handled_post)
    actions.perform(scene.moderator, handled_post.id, "ticket")
    model_versions.retrain(trainer=lambda ex, name: _constant_model(name, -30.0),
                           evaluator=_evaluator({"*": {"f1": 0.9}}))
    result = app.test_cli_runner().invoke(args=["moderation", "rescore", "--open"])
    assert result.exit_code == 0 and "scored 1 posts" in result.output
    db.session.expire_all()
    items = {i.post_id: i for i in db.session.scalars(sa.select(QueueItem))}
    assert (items[open_post.id].status, items[open_post.id].last_action) == (
        "dismissed", "model_dismiss")
    assert items[handled_post.id].status == "handled"
    assert db.session.scalar(sa.select(AuditEntry.actor_id).where(
        AuditEntry.action == "model_dismiss")) is None
    reopened = actions.perform(scene.moderator, open_post.id, "reopen")
    assert reopened.item.status == "open"


def test_dashboard_shows_versions_with_figures_and_rollback_for_admins(app, scene, flag):
    _label_posts(scene, flag, learning.MIN_SITE_LABELS)
    result = model_versions.retrain(
        trainer=lambda ex, name: _constant_model(name, 30.0),
        evaluator=_evaluator({"*": {"f1": 0.912, "specificity": 0.88}}))
    mod, admin = app.test_client(), app.test_client()
    login(mod, "kefu")
    login(admin, "boss")
    html = mod.get("/moderation/dashboard").get_data(as_text=True)
    assert result.candidate.version in html and SHIPPED in html and "0.912" in html
    assert "使用中" in html and "回滚到此版本" not in html
    token = csrf_token(mod, "/moderation/dashboard")
    assert mod.post("/moderation/models/rollback",
                    data={"csrf_token": token, "version": SHIPPED}).status_code == 403
    html = admin.get("/moderation/dashboard").get_data(as_text=True)
    assert "回滚到此版本" in html and "data-confirm" in html
    assert admin.post("/moderation/models/rollback", data={"version": SHIPPED}).status_code == 400
    assert scoring.model().version == result.candidate.version
    token = csrf_token(admin, "/moderation/dashboard")
    resp = admin.post("/moderation/models/rollback", data={"csrf_token": token,
                                                            "version": SHIPPED},
                      follow_redirects=True)
    assert f"已改用模型 {SHIPPED}" in resp.get_data(as_text=True)
    assert scoring.model().version == SHIPPED
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "model_rollback"))
    assert entry.actor_id == scene.admin.id and entry.after == {"active": SHIPPED}
    csv = admin.get("/moderation/dashboard/export.csv").get_data(as_text=True)
    assert f"model_{result.candidate.version},f1,0.912" in csv


def test_monthly_retrain_is_off_by_default_and_registered_when_asked(app):
    from forum.jobs import BEAT_SCHEDULE
    from moderation import tasks

    assert "moderation.retrain_scorer" not in BEAT_SCHEDULE
    app.config["MODERATION_MONTHLY_RETRAIN"] = True
    try:
        tasks.register_monthly_retrain(app)
        assert BEAT_SCHEDULE["moderation.retrain_scorer"]["task"] == "moderation.retrain_scorer"
    finally:
        app.config["MODERATION_MONTHLY_RETRAIN"] = False
        BEAT_SCHEDULE.pop("moderation.retrain_scorer", None)
    assert tasks.retrain_scorer.run().startswith("站内标注只有 0 条")
