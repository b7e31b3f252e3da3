"""The synonym list (同义词): groups of words a query treats as one (扣费 / 扣钱 / 乱扣费).

Queries are expanded, the index is untouched, so an edit takes effect at the next search in
every process: each process caches the expanded map and checks a cheap version of the table
(row count and newest change) before using it.
"""

from __future__ import annotations

import re
import threading

import sqlalchemy as sa

from forum.errors import NotFound, PermissionDenied, ValidationError
from forum.extensions import db
from forum.models import User, utcnow
from forum.permissions import is_global_moderator
from search.analysis import fold
from search.models import SearchSynonym

TERMS_MIN, TERMS_MAX = 2, 20
TERM_MAX_CHARS = 20
_SPLIT_RE = re.compile(r"[,，、;；/\s]+")
_WORDLIKE_RE = re.compile(r"\w")

# Shipped with the migration (0004_search); kept here for documentation and tests.
DEFAULT_GROUPS = [
    "扣费, 扣钱, 乱扣费, 多扣费, 乱收费",
    "宽带, 光猫, 网络",
    "流量超出, 流量用超, 超流量, 流量超了",
    "信号差, 没信号, 无信号, 信号不好",
    "网速慢, 网速太慢, 网络卡",
    "携号转网, 转网",
    "话费, 电话费",
    "销户, 注销",
    "客服, 人工客服",
]


def can_edit(user: User | None) -> bool:
    """Site moderators and admins keep the synonym list."""
    return is_global_moderator(user)


def parse_terms(text: str | None) -> list[str]:
    """"扣费，扣钱 / 乱扣费" → ["扣费", "扣钱", "乱扣费"] (duplicates dropped, order kept)."""
    seen: dict[str, str] = {}
    for term in _SPLIT_RE.split(text or ""):
        term = term.strip()
        if term and fold(term) not in seen:
            seen[fold(term)] = term
    return list(seen.values())


def _validate(terms: list[str], raw: str) -> None:
    if "\x00" in raw:
        raise ValidationError("同义词有误", {"terms": "内容包含无效字符"})
    if not TERMS_MIN <= len(terms) <= TERMS_MAX:
        raise ValidationError("同义词有误", {
            "terms": f"一组同义词须有 {TERMS_MIN}–{TERMS_MAX} 个不同的词，用逗号分隔"})
    for term in terms:
        if len(term) < 2:
            raise ValidationError("同义词有误", {"terms": f"「{term}」太短：每个词至少 2 个字"})
        if len(term) > TERM_MAX_CHARS:
            raise ValidationError("同义词有误", {
                "terms": f"「{term[:TERM_MAX_CHARS]}…」太长：每个词最多 {TERM_MAX_CHARS} 个字"})
        if not _WORDLIKE_RE.search(term):
            raise ValidationError("同义词有误", {"terms": f"「{term}」不是词语"})


def list_synonyms() -> list[SearchSynonym]:
    return list(db.session.scalars(sa.select(SearchSynonym).order_by(SearchSynonym.id)))


def get_synonym_or_404(synonym_id: int) -> SearchSynonym:
    synonym = db.session.get(SearchSynonym, synonym_id) if 0 < synonym_id < 2**31 else None
    if synonym is None:
        raise NotFound("这组同义词不存在")
    return synonym


def save_synonym(actor: User, terms_text: str, synonym: SearchSynonym | None = None
                 ) -> SearchSynonym:
    """Create a group, or replace the terms of ``synonym``."""
    if not can_edit(actor):
        raise PermissionDenied("只有版主和管理员可以编辑同义词")
    terms = parse_terms(terms_text)
    _validate(terms, terms_text or "")
    if synonym is None:
        synonym = SearchSynonym()
        db.session.add(synonym)
    synonym.terms = ", ".join(terms)
    synonym.updated_at = utcnow()
    synonym.updated_by_id = actor.id
    db.session.commit()
    return synonym


def delete_synonym(actor: User, synonym: SearchSynonym) -> None:
    if not can_edit(actor):
        raise PermissionDenied("只有版主和管理员可以编辑同义词")
    db.session.delete(synonym)
    db.session.commit()


# --- the expanded map, cached per process --------------------------------------------------

_cache: dict = {"version": None, "map": {}}
_cache_lock = threading.Lock()


def synonym_map() -> dict[str, tuple[str, ...]]:
    """folded term → every term of every group containing it (itself included)."""
    version = tuple(db.session.execute(sa.select(
        sa.func.count(SearchSynonym.id), sa.func.max(SearchSynonym.updated_at))).one())
    if _cache["version"] == version:
        return _cache["map"]
    mapping: dict[str, list[str]] = {}
    for (terms,) in db.session.execute(sa.select(SearchSynonym.terms)):
        group = [fold(t) for t in parse_terms(terms)]
        for term in group:
            bucket = mapping.setdefault(term, [])
            bucket += [t for t in group if t not in bucket]
    result = {term: tuple(group) for term, group in mapping.items()}
    with _cache_lock:
        _cache.update(version=version, map=result)
    return result
