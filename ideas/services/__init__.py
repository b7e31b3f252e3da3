"""The business rules of the golden ideas, split by subject:

- access.py   who may see ideas (employees only; others get 404) and who owns a category
- ideas.py    submit, drafts, edit, lists, comments (追评), ``searchable_idea`` for search
- votes.py    one vote per employee per idea, toggle
- triage.py   owner triage: states, merge duplicates, categorise
- ranking.py  风云榜 (hot = votes / (age_hours + 2)^1.5), periods in Asia/Shanghai
- rounds.py   arena rounds (擂台赛): open, vote, close at the deadline, fund winners
- fund.py     the idea fund ledger (fen), never negative
- owners.py   per-category idea owners, managed by admins
"""

from __future__ import annotations

from ideas.services.ideas import searchable_idea as _searchable


def searchable_idea(idea_id: int) -> dict | None:
    """What search should index for an idea, or None (see ideas.services.ideas)."""

    return _searchable(idea_id)
