"""Search's own tables: the PostgreSQL backend's documents and the editable synonym list."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import db
from forum.models import UTCDateTime, utcnow

# Kinds of searchable things; ideas (employees only) join when the ideas package lands.
TOPIC, REPLY, IDEA = "topic", "reply", "idea"
KINDS = (TOPIC, REPLY, IDEA)
# Who may see a document: everyone, or employees only (ideas).
AUDIENCE_ALL, AUDIENCE_EMPLOYEES = "all", "employees"

# tsvector on PostgreSQL; on SQLite (whoosh backend) the table exists but stays empty.
TSVector = sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql")


class SearchDocument(db.Model):
    """One searchable text as the PostgreSQL backend indexes it.

    ``object_id`` is the post id for topics (their opening post) and replies. ``owner_id``
    set means only that user may find it (a cold-handled post, 冷处理); hidden and deleted
    content has no row at all. ``body`` is plain text with personal data masked, ``tsv`` its
    jieba tokens with word positions (title weight A, body weight B).
    """

    __tablename__ = "search_documents"
    __table_args__ = (
        sa.UniqueConstraint("kind", "object_id", name="uq_search_documents_kind_object"),
        sa.Index("ix_search_documents_tsv", "tsv", postgresql_using="gin"),
        sa.Index("ix_search_documents_tribe", "tribe_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    object_id: Mapped[int] = mapped_column()
    topic_id: Mapped[int | None] = mapped_column()
    tribe_id: Mapped[int | None] = mapped_column()
    author_id: Mapped[int | None] = mapped_column()
    owner_id: Mapped[int | None] = mapped_column()
    audience: Mapped[str] = mapped_column(sa.String(16), default=AUDIENCE_ALL)
    solved: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(sa.Text, default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    tsv: Mapped[str] = mapped_column(TSVector)
    indexed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SearchSynonym(db.Model):
    """A group of words that mean the same to a searcher (扣费 / 扣钱 / 乱扣费).

    A query containing any of the terms also finds the others. Edited by moderators and
    admins at /admin/search/synonyms; takes effect at once (queries are expanded, the index
    is not touched).
    """

    __tablename__ = "search_synonyms"
    id: Mapped[int] = mapped_column(primary_key=True)
    terms: Mapped[str] = mapped_column(sa.String(400))  # "扣费, 扣钱, 乱扣费"
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def term_list(self) -> list[str]:
        return [t.strip() for t in self.terms.split(",") if t.strip()]
