"""The real customer ↔ helpdesk dialogues behind the demo: loading, tribe placement, titles.

The data are public Weibo posts to operators' customer-service accounts (NTCIR-14 STC-3,
see forum/demo/data/README.md). Everything here is pure text processing, no database.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "dialogues.jsonl"

# Keyword → weight per tribe. The opening post counts double; later customer turns once.
TRIBE_KEYWORDS: dict[str, dict[str, int]] = {
    "liuliang": {"流量": 3, "流量包": 3, "上网": 1, "超出": 1, "4G": 1, "3G": 1, "网速": 1},
    "youxiang": {"邮箱": 4, "139": 3, "邮件": 3, "短信": 2, "彩信": 2, "验证码": 2,
                 "客户端": 1, "手机营业厅": 1, "网上营业厅": 1, "微信": 1, "APP": 1, "app": 1},
    "5g-taocan": {"5G": 3, "套餐": 3, "资费": 3, "合约": 2, "沃卡": 2, "办理": 1, "升级": 1,
                  "携号": 1, "转网": 1, "靓号": 1},
    "kuandai": {"宽带": 4, "光猫": 4, "光纤": 3, "网络": 2, "WiFi": 3, "wifi": 3, "WIFI": 3,
                "信号": 2, "路由": 3, "装机": 3, "断网": 3, "网速": 2, "掉线": 2, "基站": 2,
                "iTV": 2, "IPTV": 2, "iptv": 2},
    "huafei": {"话费": 3, "扣费": 4, "账单": 4, "充值": 3, "缴费": 3, "欠费": 3, "退费": 3,
               "收费": 2, "费用": 2, "积分": 2, "发票": 3, "余额": 2, "停机": 2, "翼支付": 2},
}
# Weaker hints for posts none of the keywords above match (service complaints and the like).
FALLBACK_KEYWORDS: dict[str, tuple[str, ...]] = {
    "5g-taocan": ("营业厅", "业务", "漫游", "副卡", "号码", "手机卡", "合约机", "换卡"),
    "huafei": ("钱", "元", "扣", "退", "投诉", "赔"),
    "kuandai": ("座机", "电话", "打不通", "维修", "装", "网"),
    "youxiang": ("提示", "推送", "广告", "密码", "账号"),
}
TRIBE_ORDER = ("liuliang", "youxiang", "5g-taocan", "kuandai", "huafei")

OPERATOR_TAGS = {"中国联通": "联通", "联通": "联通", "中国电信": "电信", "电信": "电信",
                 "中国移动": "移动", "移动": "移动"}
TOPIC_TAGS = ("流量", "邮箱", "短信", "5G", "套餐", "资费", "宽带", "光猫", "WiFi", "信号",
              "话费", "扣费", "账单", "充值", "发票", "漫游", "营业厅", "投诉")

THANKS_RE = re.compile(r"谢谢|感谢|解决了|已解决|好的|可以了|收到")


@dataclass(frozen=True)
class Turn:
    sender: str  # "customer" or "helpdesk"
    text: str


@dataclass(frozen=True)
class Dialogue:
    id: str
    operators: tuple[str, ...]
    turns: tuple[Turn, ...]
    task_score: float | None = None  # A_mean: annotators' "task accomplished", −2..2

    @property
    def first_post(self) -> str:
        return self.turns[0].text

    @property
    def customer_text(self) -> str:
        return " ".join(t.text for t in self.turns if t.sender == "customer")


def load_dialogues(path: str | Path = DATA_FILE, limit: int | None = None) -> list[Dialogue]:
    """Dialogues that open with a customer post, in file order, at most ``limit``."""
    out: list[Dialogue] = []
    for dialogue in iter_dialogues(path):
        if limit is not None and len(out) >= limit:
            break
        out.append(dialogue)
    return out


def iter_dialogues(path: str | Path) -> Iterator[Dialogue]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            turns = tuple(Turn(t["sender"], t["text"].strip()) for t in row["turns"]
                          if t.get("text", "").strip())
            if not turns or turns[0].sender != "customer":
                continue
            yield Dialogue(id=str(row["id"]), operators=tuple(row.get("operators") or ()),
                           turns=turns, task_score=row.get("A_mean"))


def stable_hash(text: str) -> int:
    """A hash that is the same in every process (``hash()`` is salted per run)."""
    return zlib.crc32(text.encode("utf-8"))


def tribe_scores(dialogue: Dialogue) -> dict[str, int]:
    first = dialogue.first_post
    rest = " ".join(t.text for t in dialogue.turns[1:] if t.sender == "customer")
    return {slug: sum(w * (2 * _count(first, k) + _count(rest, k)) for k, w in words.items())
            for slug, words in TRIBE_KEYWORDS.items()}


def _count(text: str, word: str) -> int:
    """Occurrences of ``word``; '5G', '139' … only when not the tail of a longer number."""
    if word[0].isdigit():
        return len(re.findall(rf"(?<![\d.]){re.escape(word)}", text))
    return text.count(word)


def classify_tribe(dialogue: Dialogue) -> str:
    """The tribe slug a dialogue fits best: strong keywords, then weak hints, then a guess."""
    scores = tribe_scores(dialogue)
    best = max(TRIBE_ORDER, key=lambda slug: scores[slug])
    if scores[best] > 0:
        return best
    text = dialogue.customer_text
    weak = {slug: sum(text.count(k) for k in words) for slug, words in FALLBACK_KEYWORDS.items()}
    best_weak = max(weak, key=lambda slug: weak[slug])
    if weak[best_weak] > 0:
        return best_weak
    return TRIBE_ORDER[stable_hash(dialogue.id) % len(TRIBE_ORDER)]


_URL_RE = re.compile(r"https?://\S+")
_PART_RE = re.compile(r"[（(]\s*\d+\s*/\s*\d+\s*[)）]")
_HASHTAG_RE = re.compile(r"#([^#\n]{1,40})#")
_MENTION_RE = re.compile(r"@[\w\-·]+")
_EMOTICON_RE = re.compile(r"\[[^\[\]\s]{1,8}\]")
_LOCATION_RE = re.compile(r"我在(?:这里)?[:：].*$")
_NOISE_RE = re.compile(r"秒拍视频|网页链接|O网页链接|via\s*\S+")
_SENTENCE_RE = re.compile(r"([。！？!?；;\n]|(?<!\d)\.|\.(?!\d)|…{1,2}|\.{3,})")
_EDGE_PUNCT = " \t,，.。:：;；、~～!！?？·-—\"'“”‘’()（）"
_CUT_RE = re.compile(r"[,，、 ]")

TITLE_MIN, TITLE_SOFT_MAX, TITLE_MAX = 4, 40, 80


def _clean(text: str) -> str:
    text = _URL_RE.sub(" ", text)
    text = _PART_RE.sub(" ", text)
    text = _NOISE_RE.sub(" ", text)
    text = _MENTION_RE.sub(" ", text)
    text = _EMOTICON_RE.sub(" ", text)
    text = _LOCATION_RE.sub(" ", text)
    text = re.sub(r"\s+", " ", text)
    return re.sub(r" ([,，.。!！?？、:：;；])", r"\1", text).strip()


def _meaningful_len(text: str) -> int:
    return len(text.strip(_EDGE_PUNCT))


def derive_title(post: str) -> str | None:
    """A topic title from a customer's Weibo post: its first sentence without @mentions,
    hashtags, links and emoticons, at most 40 characters (cut at a comma when possible).
    None when nothing of at least 4 characters is left."""
    hashtags = [h.strip() for h in _HASHTAG_RE.findall(post)]
    text = _clean(_HASHTAG_RE.sub(" ", post))
    if _meaningful_len(text) < TITLE_MIN and hashtags:
        text = _clean(" ".join(hashtags))
    parts = _SENTENCE_RE.split(text)
    title = ""
    for i in range(0, len(parts), 2):
        sentence = parts[i].strip(_EDGE_PUNCT)
        ender = parts[i + 1] if i + 1 < len(parts) else ""
        if not sentence:
            continue
        if title and title[-1] not in "？！":
            title += "，"
        title += sentence
        if ender in ("？", "?", "！", "!"):
            title += "？" if ender in ("？", "?") else "！"
        if _meaningful_len(title) >= 6:
            break
    title = title.strip()
    if len(title) > TITLE_SOFT_MAX:
        head = title[:TITLE_SOFT_MAX - 1]
        cuts = [m.start() for m in _CUT_RE.finditer(head) if m.start() >= 8]
        title = (head[:cuts[-1]] if cuts else head).rstrip(_EDGE_PUNCT) + "…"
    if _meaningful_len(title) < TITLE_MIN:
        return None
    return title[:TITLE_MAX]


def derive_tags(dialogue: Dialogue, limit: int = 3) -> list[str]:
    """Operator and subject tags, e.g. ['联通', '流量']."""
    tags: list[str] = []
    for name in dialogue.operators:
        tag = OPERATOR_TAGS.get(name)
        if tag and tag not in tags:
            tags.append(tag)
    tags = tags[:1]  # the first operator is the one addressed
    text = dialogue.first_post
    for word in TOPIC_TAGS:
        if len(tags) >= limit:
            break
        if _count(text.lower(), word.lower()) and word not in tags:
            tags.append(word)
    return tags


def accepted_turn_index(dialogue: Dialogue) -> int | None:
    """Index of the helpdesk turn the asker accepts, or None when the dialogue stays open.

    Accepted when annotators judged the task accomplished (A_mean > 0), or when the customer
    thanks the helpdesk after its answer; the last helpdesk turn before that is the answer.
    """
    helpdesk = [i for i, t in enumerate(dialogue.turns) if t.sender == "helpdesk"]
    if not helpdesk:
        return None
    if dialogue.task_score is not None and dialogue.task_score > 0:
        return helpdesk[-1]
    for i, turn in enumerate(dialogue.turns):
        if i > helpdesk[0] and turn.sender == "customer" and THANKS_RE.search(turn.text):
            return max(h for h in helpdesk if h < i)
    return None
