"""Titles (头衔, PRODUCT §2.2): reached by lifetime points, admin-editable.

``User.title`` (core column, shown next to every author name) is kept in step by
``sync_titles`` whenever lifetime points grow, and by ``resync_all_titles`` after an admin
edits the table. A promotion notifies the user (kind "reward_title").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from forum.errors import NotFound, ValidationError
from forum.extensions import db
from forum.models import User
from forum.services.notifications import notify as notify_user
from rewards.models import RewardAccount, Title
from rewards.services.bulk import in_ids, set_by_key

NAME_MAX = 20
THRESHOLD_MAX = 100_000_000


def list_titles() -> list[Title]:
    return list(db.session.scalars(sa.select(Title).order_by(Title.threshold)))


def title_for(lifetime: int, titles: Sequence[Title] | None = None) -> Title | None:
    """The highest title whose threshold the lifetime points reach."""
    best = None
    for title in titles if titles is not None else list_titles():
        if title.threshold <= lifetime and (best is None or title.threshold > best.threshold):
            best = title
    return best


def next_title(lifetime: int, titles: Sequence[Title] | None = None) -> Title | None:
    above = [t for t in (titles if titles is not None else list_titles())
             if t.threshold > lifetime]
    return min(above, key=lambda t: t.threshold) if above else None


@dataclass
class Progress:
    title: Title | None
    next: Title | None
    lifetime: int

    @property
    def percent(self) -> int:
        """How far from the current title's threshold to the next one (0–100)."""
        if self.next is None:
            return 100
        floor = self.title.threshold if self.title else 0
        span = max(1, self.next.threshold - floor)
        return max(0, min(100, (self.lifetime - floor) * 100 // span))

    @property
    def missing(self) -> int:
        return max(0, self.next.threshold - self.lifetime) if self.next else 0


def progress(lifetime: int) -> Progress:
    titles = list_titles()
    return Progress(title_for(lifetime, titles), next_title(lifetime, titles), lifetime)


def crossed_threshold(changes: list[tuple[int, int, int]]) -> list[int]:
    """Users (from (user_id, old lifetime, new lifetime)) whose title changes."""
    import bisect

    thresholds = sorted(t.threshold for t in list_titles())
    return sorted(uid for uid, old, new in changes
                  if bisect.bisect_right(thresholds, old) != bisect.bisect_right(thresholds, new))


def sync_titles(user_ids: Sequence[int], *, notify: bool = True) -> int:
    """Set ``User.title`` from lifetime points for these users; notify promotions.
    Returns how many titles changed."""
    if not user_ids:
        return 0
    import bisect

    # Plain (threshold, name) pairs: this runs for every batch of awards.
    ladder = sorted((t.threshold, t.name) for t in list_titles())
    thresholds = [threshold for threshold, _ in ladder]
    rank_of = {name: i for i, (_, name) in enumerate(ladder)}
    rows = db.session.execute(
        sa.select(User.id, User.title, sa.func.coalesce(RewardAccount.lifetime, 0))
        .outerjoin(RewardAccount, RewardAccount.user_id == User.id)
        .where(in_ids(User.id, user_ids)))
    changes = []
    for uid, current, lifetime in rows:
        index = bisect.bisect_right(thresholds, lifetime) - 1
        name = ladder[index][1] if index >= 0 else None
        if name != current:
            changes.append((uid, name))
            promoted = index >= 0 and (current is None or rank_of.get(current, -1) < index)
            if notify and promoted:
                notify_user(uid, "reward_title", {"title": name, "user_id": uid})
    set_by_key(User.__table__, "id", "title", changes, "varchar")
    return len(changes)


def resync_all_titles() -> int:
    """After the table changed: every user with a rewards account gets the right title (no
    notifications: nobody earned anything)."""
    ids = list(db.session.scalars(sa.select(RewardAccount.user_id)))
    changed = 0
    for start in range(0, len(ids), 1000):
        changed += sync_titles(ids[start:start + 1000], notify=False)
    return changed


def _check(name: str, threshold: object, exclude_id: int | None) -> tuple[str, int]:
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "请填写头衔名称"
    elif len(name) > NAME_MAX:
        errors["name"] = f"头衔名称最多 {NAME_MAX} 个字"
    if not isinstance(threshold, int) or isinstance(threshold, bool):
        errors["threshold"] = "门槛必须是整数"
    elif threshold < 0 or threshold > THRESHOLD_MAX:
        errors["threshold"] = "门槛必须是 0 或正整数"
    if not errors:
        clash = db.session.scalar(sa.select(Title).where(
            sa.or_(Title.name == name, Title.threshold == threshold), Title.id != (exclude_id or 0)))
        if clash is not None:
            key = "name" if clash.name == name else "threshold"
            errors[key] = "已有同名头衔" if key == "name" else "已有相同门槛的头衔"
    if errors:
        raise ValidationError("头衔有误", errors)
    return name, threshold


def save_title(name: str, threshold: object, title: Title | None = None) -> Title:
    """Create or edit a title, then bring every user's title in line."""
    name, threshold = _check(name, threshold, title.id if title else None)
    if title is None:
        title = Title(name=name, threshold=threshold)
        db.session.add(title)
    else:
        title.name, title.threshold = name, threshold
    db.session.flush()
    resync_all_titles()
    db.session.flush()
    return title


def delete_title(title: Title) -> None:
    if len(list_titles()) <= 1:
        raise ValidationError("至少保留一个头衔")
    db.session.delete(title)
    db.session.flush()
    resync_all_titles()
    db.session.flush()


def get_title_or_404(title_id: int) -> Title:
    title = db.session.get(Title, title_id) if 0 < title_id < 2**31 else None
    if title is None:
        raise NotFound("头衔不存在")
    return title
