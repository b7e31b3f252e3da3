"""The keyword library (关键字库): moderator-edited terms with weight, category and kind.

The scorer reads the library through ``current_library()``: each process caches it and
checks a cheap version of the table (row count, id sum, newest change) before each use, so an
edit takes effect for the next score in every web and worker process without a restart.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import sqlalchemy as sa

from forum.errors import Conflict, NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import User, utcnow
from forum.pagination import Page, paginate
from forum.permissions import is_global_moderator
from moderation.scoring.models import CATEGORIES, KINDS, Keyword
from moderation.scoring.services.engine import KeywordEntry, KeywordLibrary

DEFAULT_LIBRARY_FILE = Path(__file__).resolve().parent.parent / "data" / "default_keywords.json"
TERM_MAX = 40
CATEGORY_MAX = 40
WEIGHT_MIN, WEIGHT_MAX = 1, 10
PER_PAGE = 50
_WORDLIKE_RE = re.compile(r"\w")


def can_edit(user: User | None) -> bool:
    """Site moderators and admins keep the keyword library."""
    return is_global_moderator(user)


def default_entries() -> list[KeywordEntry]:
    """The shipped default library (the migration seeds the table from the same file)."""
    data = json.loads(DEFAULT_LIBRARY_FILE.read_text(encoding="utf-8"))
    return [KeywordEntry(term, int(weight), category, kind)
            for term, weight, category, kind in data["keywords"]]


def default_library() -> KeywordLibrary:
    return KeywordLibrary(default_entries())


def seed_defaults() -> int:
    """Insert the default terms that are missing (idempotent); returns how many were added."""
    existing = set(db.session.scalars(sa.select(Keyword.term)))
    added = 0
    for entry in default_entries():
        if entry.term not in existing:
            db.session.add(Keyword(term=entry.term, weight=entry.weight,
                                   category=entry.category, kind=entry.kind))
            added += 1
    db.session.commit()
    return added


# --- editing ---------------------------------------------------------------------------------


def _clean(term: str | None, weight, category: str | None, kind: str | None
           ) -> tuple[str, int, str, str]:
    errors: dict[str, str] = {}
    term = (term or "").strip()
    category = (category or "").strip()
    kind = (kind or "").strip()
    if not term:
        errors["term"] = "请填写关键字"
    elif len(term) > TERM_MAX:
        errors["term"] = f"关键字最多 {TERM_MAX} 个字"
    elif "\x00" in term or not _WORDLIKE_RE.search(term):
        errors["term"] = "关键字须包含文字或数字"
    try:
        weight_value = int(str(weight).strip())
    except (TypeError, ValueError):
        weight_value = 0
        errors["weight"] = f"权重须是 {WEIGHT_MIN}–{WEIGHT_MAX} 的整数"
    else:
        if not WEIGHT_MIN <= weight_value <= WEIGHT_MAX:
            errors["weight"] = f"权重须是 {WEIGHT_MIN}–{WEIGHT_MAX} 的整数"
    if not category:
        errors["category"] = "请填写分类，例如：" + "、".join(CATEGORIES[:5])
    elif len(category) > CATEGORY_MAX or "\x00" in category:
        errors["category"] = f"分类最多 {CATEGORY_MAX} 个字"
    if kind not in KINDS:
        errors["kind"] = "类型须是「负面信号」或「业务相关」"
    if errors:
        raise ValidationError("关键字有误", errors)
    return term, weight_value, category, kind


def save_keyword(actor: User, *, term: str | None, weight, category: str | None,
                 kind: str | None, keyword: Keyword | None = None) -> Keyword:
    """Create a keyword, or update ``keyword``. Raises ValidationError (422) on bad input,
    Conflict (409) when the term exists already, PermissionDenied for non-moderators."""
    if not can_edit(actor):
        raise PermissionDenied("只有版主和管理员可以编辑关键字库")
    term, weight_value, category, kind = _clean(term, weight, category, kind)
    clash = db.session.scalar(sa.select(Keyword).where(Keyword.term == term))
    if clash is not None and (keyword is None or clash.id != keyword.id):
        raise ValidationError("关键字已存在", {"term": f"「{term}」已在关键字库中"})
    if keyword is None:
        keyword = Keyword(created_at=utcnow())
        db.session.add(keyword)
    keyword.term, keyword.weight, keyword.category, keyword.kind = (
        term, weight_value, category, kind)
    keyword.updated_at = utcnow()
    keyword.updated_by_id = actor.id
    try:
        db.session.commit()
    except sa.exc.IntegrityError as exc:  # a concurrent save of the same term
        db.session.rollback()
        raise Conflict(f"「{term}」已在关键字库中") from exc
    return keyword


def delete_keyword(actor: User, keyword: Keyword) -> None:
    if not can_edit(actor):
        raise PermissionDenied("只有版主和管理员可以编辑关键字库")
    db.session.delete(keyword)
    db.session.commit()


def get_keyword_or_404(keyword_id: int) -> Keyword:
    keyword = db.session.get(Keyword, keyword_id) if 0 < keyword_id < 2**31 else None
    if keyword is None:
        raise NotFound("这个关键字不存在")
    return keyword


def list_keywords(q: str = "", category: str = "", kind: str = "", page: int = 1,
                  per_page: int = PER_PAGE) -> Page:
    """One page of the library, filtered by a substring of the term, a category, a kind."""
    query = sa.select(Keyword)
    q = (q or "").strip()[:TERM_MAX]
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Keyword.term.like(f"%{escaped}%", escape="\\"))
    if category:
        query = query.where(Keyword.category == category)
    if kind in KINDS:
        query = query.where(Keyword.kind == kind)
    query = query.order_by(Keyword.kind, Keyword.category, Keyword.weight.desc(), Keyword.term)
    return paginate(query, page, per_page)


def list_categories() -> list[str]:
    used = set(db.session.scalars(sa.select(Keyword.category).distinct()))
    return [c for c in CATEGORIES if c in used] + sorted(used - set(CATEGORIES))


# --- the cached library ----------------------------------------------------------------------

_cache: dict = {"version": None, "library": None}
_cache_lock = threading.Lock()


def library_version() -> tuple:
    """Changes whenever a keyword is added, edited or deleted (in any process)."""
    row = db.session.execute(sa.select(
        sa.func.count(Keyword.id), sa.func.coalesce(sa.func.sum(Keyword.id), 0),
        sa.func.max(Keyword.updated_at))).one()
    return tuple(row)


def current_library() -> KeywordLibrary:
    """The library as the database holds it now (cached per process, checked each call)."""
    version = library_version()
    if _cache["version"] == version and _cache["library"] is not None:
        return _cache["library"]
    rows = db.session.execute(sa.select(Keyword.term, Keyword.weight, Keyword.category,
                                        Keyword.kind)).all()
    library = KeywordLibrary([KeywordEntry(*row) for row in rows])
    with _cache_lock:
        _cache.update(version=version, library=library)
    return library


def clear_cache() -> None:
    with _cache_lock:
        _cache.update(version=None, library=None)
