"""举报 (reports): any signed-in member reports a post with a reason and an optional note.

One open report per member and post (a partial unique index stands behind the check, so two
racing submissions leave one row). A report emits ``post_reported``; the moderation package
hears it and queues the post as a 举报 item with the number of open reports. Reports close
when a moderator handles or dismisses the post (``close_open_reports``); the member may then
report it again.
"""

from __future__ import annotations

import sqlalchemy as sa

from forum import events
from forum.errors import Conflict, NotFound, ValidationError
from forum.extensions import db
from forum.models import Post, User, utcnow
from forum.models.threads import REPORT_CLOSED, REPORT_OPEN, PostReport
from forum.permissions import can_view_post, can_view_topic

REASONS = {
    "spam": "垃圾广告",
    "abuse": "辱骂、人身攻击",
    "fraud": "诈骗、虚假信息",
    "porn": "色情低俗",
    "illegal": "违法违规",
    "privacy": "泄露他人隐私",
    "other": "其他",
}
NOTE_MAX = 500
DUPLICATE = "你已经举报过这条帖子，版主处理前无需重复举报"


def validate(reason: str | None, note: str | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    note = (note or "").strip()
    if not reason:
        errors["reason"] = "请选择举报原因"
    elif reason not in REASONS:
        errors["reason"] = "举报原因须为：" + "、".join(REASONS.values())
    elif reason == "other" and not note:
        errors["note"] = "选择“其他”时请写明原因"
    if len(note) > NOTE_MAX:
        errors["note"] = f"补充说明最多 {NOTE_MAX} 字（当前 {len(note)} 字）"
    elif "\x00" in note:
        errors["note"] = "内容包含无效字符"
    return errors


def has_open_report(user: User | None, post: Post) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(sa.select(sa.func.count()).select_from(PostReport).where(
        PostReport.post_id == post.id, PostReport.reporter_id == user.id,
        PostReport.status == REPORT_OPEN)) > 0


def open_report_count(post_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(PostReport).where(
        PostReport.post_id == post_id, PostReport.status == REPORT_OPEN)) or 0


def report_post(reporter: User, post: Post, reason: str | None, note: str | None = "") -> PostReport:
    if post.is_deleted or not can_view_topic(reporter, post.topic) \
            or not can_view_post(reporter, post):
        raise NotFound("帖子不存在或已被删除")
    errors = validate(reason, note)
    if errors:
        raise ValidationError(next(iter(errors.values())), errors)
    if post.author_id == reporter.id:
        raise Conflict("不能举报自己的帖子")
    if has_open_report(reporter, post):
        raise Conflict(DUPLICATE)
    report = PostReport(post_id=post.id, reporter_id=reporter.id, reason=reason,
                        note=(note or "").strip(), status=REPORT_OPEN, created_at=utcnow())
    try:
        with db.session.begin_nested():  # a savepoint: the unit of work survives a race
            db.session.add(report)
    except sa.exc.IntegrityError:
        raise Conflict(DUPLICATE) from None
    events.emit(events.post_reported, report_id=report.id, post_id=post.id,
                topic_id=post.topic_id, tribe_id=post.topic.tribe_id,
                author_id=post.author_id, reporter_id=reporter.id, reason=reason,
                open_reports=open_report_count(post.id))
    events.commit()
    return report


def close_open_reports(post_id: int) -> int:
    """A moderator dealt with the post: its open reports close (not committed here)."""
    return db.session.execute(
        sa.update(PostReport).where(PostReport.post_id == post_id,
                                    PostReport.status == REPORT_OPEN)
        .values(status=REPORT_CLOSED, closed_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount or 0
