"""Rebuild forum/demo/data/dialogues.jsonl from the full STC-3 dialogue file.

    python -m forum.demo.prepare /path/to/telecom_weibo_dialogues.jsonl [--per-tribe 120]

Keeps dialogues with a usable, unique title and at least one helpdesk answer, interleaves
them tribe by tribe (so any ``seed-demo --limit N`` prefix covers every tribe) and writes only
the fields the seed uses.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from itertools import zip_longest
from pathlib import Path

from forum.demo.dialogues import (
    DATA_FILE,
    TRIBE_ORDER,
    classify_tribe,
    derive_title,
    iter_dialogues,
)

BODY_MAX = 20_000


def select(source: Path, per_tribe: int) -> list[dict]:
    seen_titles: set[str] = set()
    by_tribe: dict[str, list[dict]] = defaultdict(list)
    raw = {}
    with open(source, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                raw[str(row["id"])] = row
    for dialogue in iter_dialogues(source):
        title = derive_title(dialogue.first_post)
        if (title is None or title in seen_titles
                or not any(t.sender == "helpdesk" for t in dialogue.turns)
                or any(len(t.text) > BODY_MAX for t in dialogue.turns)):
            continue
        slug = classify_tribe(dialogue)
        if len(by_tribe[slug]) >= per_tribe:
            continue
        seen_titles.add(title)
        row = {"id": dialogue.id, "operators": list(dialogue.operators),
               "turns": [{"sender": t.sender, "text": t.text} for t in dialogue.turns]}
        if raw[dialogue.id].get("A_mean") is not None:
            row["A_mean"] = raw[dialogue.id]["A_mean"]
        by_tribe[slug].append(row)
    interleaved = zip_longest(*(by_tribe[slug] for slug in TRIBE_ORDER))
    return [row for group in interleaved for row in group if row is not None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--per-tribe", type=int, default=120)
    parser.add_argument("--out", type=Path, default=DATA_FILE)
    args = parser.parse_args()
    rows = select(args.source, args.per_tribe)
    with open(args.out, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} dialogues to {args.out}")


if __name__ == "__main__":
    main()
