"""Who may see and run the golden ideas.

Ideas are for employees only (PRODUCT §4): a user holding the employee role, or an admin
(``User.has_role`` counts admins in). Everyone else gets *404* from every idea page and API
route, so the feature's very existence does not leak. Idea owners (专人负责) are assigned
per category by admins (table ``idea_owners``); admins own every category.
"""

from __future__ import annotations

import sqlalchemy as sa

from forum.errors import NotFound, PermissionDenied
from forum.extensions import db
from forum.models import User
from forum.permissions import is_admin, is_authenticated
from ideas.models import CATEGORIES, Idea, IdeaOwner

HIDDEN = "页面不存在"


def can_see_ideas(user: User | None) -> bool:
    """Employees and admins; never customers, proxies or moderators without the role."""
    return is_authenticated(user) and user.has_role("employee")


def require_employee(user: User | None) -> User:
    """The user, or NotFound (not 403: customers must not learn that ideas exist)."""
    if not can_see_ideas(user):
        raise NotFound(HIDDEN)
    return user


def owned_categories(user: User | None) -> set[str]:
    """The categories ``user`` triages: all of them for admins."""
    if not can_see_ideas(user):
        return set()
    if is_admin(user):
        return set(CATEGORIES)
    return set(db.session.scalars(
        sa.select(IdeaOwner.category).where(IdeaOwner.user_id == user.id)))


def is_owner(user: User | None, category: str | None = None) -> bool:
    """Owner of ``category``, or of any category when it is None."""
    cats = owned_categories(user)
    return bool(cats) if category is None else category in cats


def require_owner(user: User | None, category: str | None = None) -> User:
    require_employee(user)
    if not is_owner(user, category):
        raise PermissionDenied("只有该分类的金点子负责人或管理员可以这样做")
    return user


def can_view_idea(user: User | None, idea: Idea) -> bool:
    """Drafts are their author's alone; everything else is for every employee."""
    if not can_see_ideas(user):
        return False
    return not idea.is_draft or idea.author_id == user.id


def get_idea_or_404(idea_id: int, user: User | None, *, lock: bool = False) -> Idea:
    """The idea if ``user`` may see it; ``lock`` takes a row lock (SELECT … FOR UPDATE on
    PostgreSQL) so two triage actions on one idea run one after the other."""
    require_employee(user)
    stmt = sa.select(Idea).where(Idea.id == idea_id)
    if lock:
        stmt = stmt.with_for_update(of=Idea).execution_options(populate_existing=True)
    idea = db.session.scalars(stmt).unique().first()
    if idea is None or not can_view_idea(user, idea):
        raise NotFound("没有这个金点子")
    return idea
