"""Ideas: submit (or keep as a draft), edit while submitted, list, comment (追评).

Every function takes the acting user first and checks it (employees only, see access.py);
errors are forum.errors DomainErrors with Chinese messages per field.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from forum import events
from forum.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import User, utcnow
from forum.pagination import Page, paginate
from forum.rendering import render_markdown
from ideas.models import (
    CATEGORIES,
    MERGED,
    REJECTED,
    STATES,
    SUBMITTED,
    Idea,
    IdeaComment,
    IdeaStateChange,
    IdeaVote,
)
from ideas.services import ranking
from ideas.services.access import can_see_ideas, require_employee

TITLE_MIN, TITLE_MAX = 4, 80
PROBLEM_MIN, PROBLEM_MAX = 10, 5_000
PROPOSAL_MIN, PROPOSAL_MAX = 10, 10_000
COMMENT_MIN, COMMENT_MAX = 2, 2_000
SORTS = ("hot", "new", "top")
SORT_LABELS = {"hot": "热度", "new": "最新", "top": "票数"}
PER_PAGE = 20


def _length_error(label: str, text: str, low: int, high: int, required: bool) -> str | None:
    n = len(text)
    if n == 0:
        return f"请填写{label}" if required else None
    if n > high:
        return f"{label}最多 {high} 个字（当前 {n} 个）"
    if required and n < low:
        return f"{label}至少 {low} 个字（当前 {n} 个）"
    return None


def validate_idea(title: str, problem: str, proposal: str, category: str,
                  draft: bool = False) -> dict[str, str]:
    """Field errors in Chinese. A draft only needs a title; maximum lengths always apply."""
    errors: dict[str, str] = {}
    for name, text in (("title", title), ("problem", problem), ("proposal", proposal)):
        if "\x00" in text:
            errors[name] = "内容包含无效字符"
    checks = (("title", "标题", title, TITLE_MIN, TITLE_MAX, True),
              ("problem", "问题描述", problem, PROBLEM_MIN, PROBLEM_MAX, not draft),
              ("proposal", "改进方案", proposal, PROPOSAL_MIN, PROPOSAL_MAX, not draft))
    for name, label, text, low, high, required in checks:
        if name in errors:
            continue
        message = _length_error(label, text, low, high, required)
        if message:
            errors[name] = message
    if category not in CATEGORIES and (category or not draft):
        errors["category"] = "请选择分类：" + "、".join(CATEGORIES)
    return errors


def _clean(text: str | None) -> str:
    return (text or "").strip()


def submit_idea(author: User, title: str, problem: str, proposal: str, category: str,
                draft: bool = False) -> Idea:
    """Create an idea; ``draft`` keeps it private to its author until submit_draft()."""
    require_employee(author)
    title, problem, proposal, category = map(_clean, (title, problem, proposal, category))
    errors = validate_idea(title, problem, proposal, category, draft)
    if errors:
        raise ValidationError("金点子内容有误", errors)
    now = utcnow()
    idea = Idea(author_id=author.id, title=title, problem=problem, proposal=proposal,
                proposal_html=render_markdown(proposal).html, category=category or "其他",
                state=SUBMITTED, is_draft=draft, created_at=now, updated_at=now,
                submitted_at=None if draft else now, state_changed_at=None if draft else now)
    db.session.add(idea)
    db.session.flush()
    if not draft:
        events.emit(events.idea_submitted, idea_id=idea.id, author_id=author.id,
                    category=idea.category)
    db.session.flush()
    return idea


def can_edit(user: User | None, idea: Idea) -> bool:
    """The author edits a draft, or a submitted idea nobody has triaged yet."""
    return (can_see_ideas(user) and idea.author_id == user.id
            and (idea.is_draft or idea.state == SUBMITTED))


def edit_idea(user: User, idea: Idea, title: str, problem: str, proposal: str, category: str,
              submit: bool = False) -> Idea:
    """Save the author's changes; ``submit`` also publishes a draft."""
    if not can_edit(user, idea):
        raise PermissionDenied("只有作者可以在点子进入评估前修改")
    title, problem, proposal, category = map(_clean, (title, problem, proposal, category))
    publishing = idea.is_draft and submit
    errors = validate_idea(title, problem, proposal, category, idea.is_draft and not submit)
    if errors:
        raise ValidationError("金点子内容有误", errors)
    now = utcnow()
    idea.title, idea.problem, idea.proposal = title, problem, proposal
    idea.category = category or idea.category
    idea.proposal_html = render_markdown(proposal).html
    idea.updated_at = now
    if publishing:
        idea.is_draft = False
        idea.submitted_at = idea.state_changed_at = now
        events.emit(events.idea_submitted, idea_id=idea.id, author_id=idea.author_id,
                    category=idea.category)
    elif not idea.is_draft:
        events.emit(events.searchable_changed, kind="idea", object_id=idea.id)
    db.session.flush()
    return idea


def delete_draft(user: User, idea: Idea) -> None:
    if not (idea.is_draft and idea.author_id == user.id):
        raise PermissionDenied("只能删除自己的草稿")
    db.session.delete(idea)
    db.session.flush()


# --- lists ---------------------------------------------------------------------------------


def parse_list_filters(state: str | None, category: str | None, sort: str | None) -> dict:
    """Query-string filters; an unknown value is a 422 that says which are allowed."""
    errors = {}
    state, category, sort = (state or "").strip(), (category or "").strip(), (sort or "").strip()
    if state and state not in STATES:
        errors["state"] = "状态只能是：" + ", ".join(STATES)
    if category and category not in CATEGORIES:
        errors["category"] = "分类只能是：" + "、".join(CATEGORIES)
    if sort and sort not in SORTS:
        errors["sort"] = "排序只能是：" + ", ".join(SORTS)
    if errors:
        raise ValidationError("筛选条件有误", errors)
    return {"state": state or None, "category": category or None, "sort": sort or "hot"}


def list_ideas(user: User, state: str | None = None, category: str | None = None,
               sort: str = "hot", page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Published ideas (merged ones only when asked for by state), filtered and sorted.

    ``hot`` uses ranking.hot_score (votes with time decay), computed over the filtered ids
    in Python because the age arithmetic differs between SQLite and PostgreSQL."""
    require_employee(user)
    stmt = sa.select(Idea).where(Idea.is_draft.is_(False))
    stmt = stmt.where(Idea.state == state) if state else stmt.where(Idea.state != MERGED)
    if category:
        stmt = stmt.where(Idea.category == category)
    if sort == "new":
        return paginate(stmt.order_by(Idea.submitted_at.desc(), Idea.id.desc()), page, per_page)
    if sort == "top":
        return paginate(stmt.order_by(Idea.vote_count.desc(), Idea.id.desc()), page, per_page)
    rows = db.session.execute(stmt.with_only_columns(
        Idea.id, Idea.vote_count, Idea.submitted_at)).all()
    now = utcnow()
    rows.sort(key=lambda r: (-ranking.hot_score(r.vote_count, r.submitted_at, now), -r.id))
    chosen = [r.id for r in rows[(page - 1) * per_page: page * per_page]]
    by_id = {i.id: i for i in db.session.scalars(sa.select(Idea).where(Idea.id.in_(chosen)))}
    return Page(items=[by_id[i] for i in chosen], page=page, per_page=per_page, total=len(rows))


def my_drafts(user: User) -> list[Idea]:
    require_employee(user)
    return list(db.session.scalars(
        sa.select(Idea).where(Idea.author_id == user.id, Idea.is_draft.is_(True))
        .order_by(Idea.updated_at.desc())))


def has_voted(user: User, idea: Idea) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(IdeaVote).where(
        IdeaVote.idea_id == idea.id, IdeaVote.voter_id == user.id)) > 0


def voted_ids(user: User, idea_ids: list[int]) -> set[int]:
    if not idea_ids:
        return set()
    return set(db.session.scalars(sa.select(IdeaVote.idea_id).where(
        IdeaVote.voter_id == user.id, IdeaVote.idea_id.in_(idea_ids))))


def history(idea: Idea) -> list[IdeaStateChange]:
    return list(db.session.scalars(sa.select(IdeaStateChange).where(
        IdeaStateChange.idea_id == idea.id).order_by(IdeaStateChange.id)))


def merged_from(idea: Idea) -> list[Idea]:
    """Ideas that were merged into this one (their page links here)."""
    return list(db.session.scalars(sa.select(Idea).where(Idea.merged_into_id == idea.id)
                                   .order_by(Idea.id)))


# --- comments (追评) -------------------------------------------------------------------------


@dataclass
class Thread:
    comment: IdeaComment
    replies: list[IdeaComment]


def comment_threads(idea: Idea) -> list[Thread]:
    """Top-level comments oldest first, each with its replies oldest first."""
    comments = list(db.session.scalars(sa.select(IdeaComment).where(
        IdeaComment.idea_id == idea.id).order_by(IdeaComment.id)))
    threads = {c.id: Thread(c, []) for c in comments if c.parent_id is None}
    for c in comments:
        if c.parent_id is not None and c.parent_id in threads:
            threads[c.parent_id].replies.append(c)
    return list(threads.values())


def add_comment(user: User, idea: Idea, body: str, parent_id: int | None = None) -> IdeaComment:
    """A follow-up comment, or a reply to a top-level comment (one level of threading)."""
    require_employee(user)
    if idea.is_draft:
        raise NotFound("没有这个金点子")
    if idea.state == MERGED:
        raise Conflict(f"这个点子已合并到 #{idea.merged_into_id}，请到那里追评")
    body = _clean(body)
    message = "内容包含无效字符" if "\x00" in body else _length_error(
        "追评", body, COMMENT_MIN, COMMENT_MAX, True)
    if message:
        raise ValidationError("追评内容有误", {"body": message})
    if parent_id is not None:
        parent = db.session.get(IdeaComment, parent_id)
        if parent is None or parent.idea_id != idea.id:
            raise ValidationError("回复的追评不存在", {"parent_id": "回复的追评不存在"})
        if parent.parent_id is not None:
            parent_id = parent.parent_id  # replies stay one level deep: join the thread
    comment = IdeaComment(idea_id=idea.id, author_id=user.id, parent_id=parent_id, body=body,
                          body_html=render_markdown(body).html, created_at=utcnow())
    db.session.add(comment)
    db.session.execute(sa.update(Idea).where(Idea.id == idea.id)
                       .values(comment_count=Idea.comment_count + 1))
    db.session.flush()
    db.session.refresh(idea)
    return comment


def is_open_for_votes(idea: Idea) -> bool:
    return not idea.is_draft and idea.state not in (MERGED, REJECTED)


def searchable_idea(idea_id: int) -> dict | None:
    """What search indexes for an idea (for employees only), or None for drafts, merged and
    missing ideas. ``audience`` tells search to show it to employees only."""
    idea = db.session.get(Idea, idea_id)
    if idea is None or idea.is_draft or idea.state == MERGED:
        return None
    return {
        "id": idea.id,
        "title": idea.title,
        "text": f"{idea.problem}\n\n{idea.proposal}",
        "author_id": idea.author_id,
        "state": idea.state,
        "category": idea.category,
        "created_at": idea.submitted_at or idea.created_at,
        "audience": "employees",
    }
