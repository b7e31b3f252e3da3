"""The negativity scorer itself: pure functions over a text and a keyword library, no
database and no Flask, so the benchmark and the Celery worker run the same code.

How a text is scored
--------------------
1. **Features** (``features()``): character 1–3-grams of the normalised text, keyword-library
   hits (sum of negative weights, one flag per category, business weights), and hand rules
   for the hard cases: how-to questions (怎么/如何/请问/吗/？ at the end), sarcasm (a thank or
   praise word next to a charge or complaint, 又/还/居然), money amounts with 扣/收,
   exclamation and question runs, escalation (投诉/工信部/315).
2. **Negativity** = a logistic regression over those features plus one "weak" feature (the
   logit of an n-gram model of customer dissatisfaction learnt from 1,630 other real posts),
   weights trained offline by ``moderation/scoring/train.py`` from the hand-labelled telecom
   posts and shipped as ``data/model.json`` (without that file a hand-weighted fallback over
   the keyword and rule features is used). ``score`` = 100 × P(negative) with the decision
   point at 50; ``sentiment`` = an n-gram-only model of the wording (情感指数).
   Negative-keyword weights are trained ≥ 0, so adding a negative keyword never lowers a score.
3. **Demand** (群体诉求) = a multinomial logistic regression over the same features, mapped to
   the four codes of ``demands.DEMANDS`` (the fine-grained class — question, praise … — is
   kept in ``ScoreResult.intent``).
4. **Relevance** (business relevance, 0–100) from business keywords and topical categories.

Everything here is plain Python dict arithmetic: ~thousands of posts per second per core.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "model.json"
FALLBACK_VERSION = "rules-1"
MAX_TEXT = 10_000  # longer texts are scored on their first 10,000 characters

# Intent (fine-grained demand of the labelled data) → DEMANDS code for the queue.
INTENT_TO_DEMAND = {
    "venting": "venting", "risk_avoidance": "risk_avoidance", "compensation": "compensation",
    "saving": "saving", "question": "risk_avoidance", "other": "risk_avoidance",
    "praise": "venting",
}

# Categories whose hits also say "this is about the operator's business".
TOPICAL_CATEGORIES = {"扣费", "信号", "宽带", "流量", "套餐", "销户", "诈骗骚扰"}


@dataclass(frozen=True)
class KeywordEntry:
    term: str
    weight: int
    category: str
    kind: str  # "negative" | "business"


class KeywordLibrary:
    """An immutable snapshot of the keyword library, ready for matching."""

    def __init__(self, entries: list[KeywordEntry]):
        # Longest first, so the reported keywords prefer "投诉无门" to "投诉".
        self.entries = sorted(entries, key=lambda e: (-len(e.term), e.term))
        self._folded = [(_fold(e.term), e) for e in self.entries if e.term.strip()]

    def hits(self, folded_text: str) -> list[KeywordEntry]:
        return [e for term, e in self._folded if term and term in folded_text]

    def __len__(self) -> int:
        return len(self.entries)


@dataclass(frozen=True)
class ScoreResult:
    """What the scorer says about one text (all ints 0–100)."""

    score: int
    negative: bool
    keywords: list[str]
    demand: str
    relevance: int
    sentiment: int
    intent: str = field(default="", compare=False)
    # Urgency (PRODUCT / guideline intensity): 0 none … 3 regulator, media, lawyer, leaving,
    # repeated contact or heavy rage; ``cues`` are the phrases that made it so (shown to
    # moderators as "why").
    intensity: int = field(default=0, compare=False)
    cues: tuple[str, ...] = field(default=(), compare=False)


# --- text normalisation and rule patterns ----------------------------------------------------

_MENTION_RE = re.compile(r"@[\w\-·]+")
_URL_RE = re.compile(r"https?://\S+")
_SPACE_RE = re.compile(r"\s+")


def _fold(text: str) -> str:
    """Full-width → half-width, lower case (so "？" and "?" match alike)."""
    return unicodedata.normalize("NFKC", text).lower()


def normalise(text: str) -> str:
    """Drop @mentions (they name the operator, not the sentiment) and links; fold width."""
    text = _fold(text[:MAX_TEXT])
    text = _MENTION_RE.sub(" ", text)
    text = _URL_RE.sub(" ", text)
    return _SPACE_RE.sub(" ", text).strip()


QUESTION_WORDS = re.compile(r"请问|吗|么\?|怎么|怎样|如何|能否|可否|是否|什么时候|啥时候|多久|哪里|在哪|"
                            r"能不能|可不可以|有没有|可以.{0,12}吗|\?")
HOWTO = re.compile(r"(怎么|如何|怎样|在哪(里)?|哪里可以|能否|可以|想)(查询|查|办理|开通|取消|关闭|"
                   r"设置|申请|使用|充值|退订|变更|修改|打印|下载|获取|知道|领取|参加|参与)")
ENDS_WITH_QUESTION = re.compile(r"[?][\s。]*$")
# Genuine thanks or praise — or the frame of a sarcastic complaint.
PRAISE = re.compile(r"赞|表扬|好评|感谢|谢谢|多谢|辛苦|给力|周到|耐心|热情|满意|很棒|好棒|真棒|不错|开心|"
                    r"方便|够意思|到位|加油|真快|很快|及时|超出预期|越来越好|太好了|靠谱|专业|贴心|"
                    r"负责|高兴|点个赞|感动|好样的")
STRONG_PRAISE = re.compile(r"赞一个|点赞|点个赞|表扬|好评|辛苦了|太够意思|服务.{0,4}(周到|到位|不错|很好)|"
                           r"态度.{0,6}(好|不错|热情|耐心)|问题.{0,3}解决了|得以解决|感谢.{0,12}(帮|解决)")
# Signs of a complaint: faults, charges, delay, distrust, anger, leaving.
COMPLAINT = re.compile(
    r"没(有)?(人|信号|网|反应|解决|回复|回音|到账|到帐|用|服务|联系|4g|3g|网络|一个)|还没|从来没|"
    r"(?<!能)不(能|了|到|行|理|稳定|好用|通|上|清楚|相符|靠谱)|无法|故障|坏了|断网|断线|中断|断了|掉线|掉话|失联|"
    r"慢|太低|逗|作死|怎么会|骂|不管|(?<![色出])差(?!不多)|烂|坑|垃圾|扣|吸费|乱收|多收|收了我|收费|太贵|这么贵|投诉|"
    r"无语|失望|郁闷|窝火|寒心|伤心|心累|生气|愤怒|怒|恨|丢人|恶心|无耻|过分|过份|难看|吃相|奇葩|糊弄|陷阱|"
    r"虚假|诡异|匪夷所思|情何以堪|什么情况|为什么|为何|为啥|凭什么|怎么回事|咋回事|到底|居然|难道|怎么还|去哪|"
    r"(很|好|太|都)卡|卡(得|的|死|顿)|一直|数月|好几|至今|到现在|已经.{0,6}(天|月|周|次)|骗|忽悠|盲|弱|木有|"
    r"要脸|tm|尼玛|他妈|你妈|滚|影响|销户|转网|退网|再见|工信|315|曝光|维权|说法|呵呵|服了|醉了|跪了|"
    r"挂(了|我)?的?电话|(天|周|个月|星期)(了|都|还)|耗尽|泄露|骚扰|恶意|强制|欺诈|莫名|不明|未经|擅自|停机|欠费|异常|失败|错误|无效|不对|下降|干扰|噪音")
ALREADY_OK = re.compile(r"已经.{0,4}(解决|修好|好了|到账|收到)|问题.{0,3}解决了|解决了|修好了|收到了")
IRONY_MARKERS = re.compile(r"又|还|居然|竟然|真是|呵呵|果然|不愧|太感谢|真行")
CHARGE_WITH_MONEY = re.compile(r"(扣|收|多收|吸|偷|扣了|收了)[^,.!?，。！？]{0,6}?\d+(\.\d+)?"
                               r"\s*(块|元|毛|角|rmb|￥|¥)|\d+(\.\d+)?\s*(块|元)[^,.!?，。！？]{0,6}(扣|收)")
EXCLAIM_RUN = re.compile(r"!{2,}")
QUESTION_RUN = re.compile(r"\?{2,}")
ESCALATION = re.compile(r"工信|315|消协|投诉|曝光|媒体|律师|法院|维权")


def rule_features(folded: str) -> dict[str, float]:
    """Hand features for the hard cases (values 0/1 or small counts).

    Most posts to an operator's service account are complaints; what marks the others is
    genuine praise (a praise word and no complaint sign) or a plain question (a question with
    no fault, charge or anger in it). Sarcasm is praise plus complaint signs.
    """
    f: dict[str, float] = {}
    complaints = len(COMPLAINT.findall(folded))
    praise = len(PRAISE.findall(folded))
    strong_praise = bool(STRONG_PRAISE.search(folded))
    question = bool(QUESTION_WORDS.search(folded))
    charge = bool(CHARGE_WITH_MONEY.search(folded))
    irony = bool(IRONY_MARKERS.search(folded))
    if complaints:
        f["r:complaint"] = min(complaints, 5) / 5.0
        f["r:complaints_" + ("1" if complaints == 1 else "2" if complaints == 2 else "3+")] = 1.0
    else:
        f["r:no_complaint"] = 1.0
    if complaints <= 1:
        if question:
            f["r:question_mild"] = 1.0
        if praise or strong_praise:
            f["r:praise_mild"] = 1.0
    if praise:
        f["r:praise"] = min(praise, 3) / 3.0
    if strong_praise and complaints <= 1:
        f["r:strong_praise"] = 1.0
    if (praise or strong_praise) and complaints >= 2:
        f["r:praise_amid_complaints"] = 1.0  # 【表扬】…断网一周: sarcasm or a mixed post
    if (praise or strong_praise) and complaints == 0:
        f["r:pure_praise"] = 1.0
    if question:
        f["r:question"] = 1.0
        if complaints == 0:
            f["r:pure_question"] = 1.0
    if ENDS_WITH_QUESTION.search(folded):
        f["r:ends_q"] = 1.0
    if HOWTO.search(folded):
        f["r:howto"] = 1.0
    if ALREADY_OK.search(folded):
        f["r:resolved"] = 1.0
    if charge:
        f["r:charge_money"] = 1.0
    if praise and (charge or (irony and complaints)):
        f["r:sarcasm"] = 1.0
    if EXCLAIM_RUN.search(folded):
        f["r:exclaim"] = 1.0
    if QUESTION_RUN.search(folded):
        f["r:question_run"] = 1.0
    if ESCALATION.search(folded):
        f["r:escalation"] = 1.0
    anger = len(ANGER.findall(folded))
    if anger:
        f["d:anger"] = min(anger, 3) / 3.0
    for name, pattern in DEMAND_CUES.items():
        if pattern.search(folded):
            f["d:" + name] = 1.0
    return f


# Cues of the demand classes (群体诉求): what the customer wants done.
ANGER = re.compile(r"垃圾|坑|无语|失望|恶心|无耻|尼玛|他妈|你妈|tm|滚|呵呵|服了|醉了|烂|破(电信|联通|移动)|"
                   r"骗子|流氓|强盗|小偷|寒心|伤心|心累|丢人|恨|!{2,}|\?{2,}|再见|转网|销户|工信|315|"
                   r"曝光|逗|奇葩|作死|吃相|要脸")
DEMAND_CUES = {
    "refund": re.compile(r"退费|退钱|还钱|赔偿|补偿|返还|退还|退回|损失|退给|还给我|该退|承担|赔"),
    "redress": re.compile(r"给(个|一个|我一个)?(合理的)?说法|如何处理|怎么处理|给个交代|讨个说法"),
    "saving": re.compile(r"贵|便宜|降低|降套餐|优惠|省钱|月租|违约金|资费|划算|低一点|少收"),
    "fault": re.compile(r"信号|断网|掉线|网速|宽带|故障|报修|维修|修好|派人|基站|上不了网|打不通|卡"),
    "stop": re.compile(r"骚扰|诈骗|泄露|隐私|垃圾短信|推销|营销|退订|短信.{0,6}(发|轰炸)|取消"),
    "fix_request": re.compile(r"希望.{0,8}(解决|处理|修|改善|加强)|请.{0,4}(解决|处理|修)|尽快|麻烦.{0,6}(看|处理)|"
                              r"帮忙.{0,6}(解决|处理|看)|求"),
    "ask": re.compile(r"请问|想问|问一下|咨询|是否|能否|可否|什么时候|啥时候|多久|在哪|哪里|怎么(办|查|弄)|"
                      r"如何|为什么|为何|为啥|解释"),
    "install": re.compile(r"安装|装机|新装|开通|申请|建议|希望能增加|招聘|恢复|更正|光纤入户|进小区"),
}


def keyword_features(hits: list[KeywordEntry]) -> dict[str, float]:
    f: dict[str, float] = {}
    neg = sum(e.weight for e in hits if e.kind == "negative")
    biz = sum(e.weight for e in hits if e.kind == "business")
    if neg:
        f["k:neg"] = min(neg, 30) / 10.0
    if biz:
        f["k:biz"] = min(biz, 30) / 10.0
    for e in hits:
        if e.kind == "negative":
            f["k:cat:" + e.category] = 1.0
    return f


# N-grams are many and each is rare in 400 posts: a small value makes the L2 penalty hold
# them back, so the few hand features carry the decision and n-grams only refine it.
NGRAM_VALUE = 0.1
_NON_WORD_RE = re.compile(r"[^\u4e00-\u9fff!?a-z0-9]+")


def ngram_features(folded: str) -> dict[str, float]:
    """Character 1–3-grams of CJK runs (binary, scaled by NGRAM_VALUE)."""
    f: dict[str, float] = {}
    v = NGRAM_VALUE
    for chunk in _NON_WORD_RE.sub(" ", folded).split():
        n = len(chunk)
        for i in range(n):
            f["c:" + chunk[i]] = v
            if i + 1 < n:
                f["c:" + chunk[i:i + 2]] = v
            if i + 2 < n:
                f["c:" + chunk[i:i + 3]] = v
    return f


WEAK_SCALE = 5.0  # the weak model's logit is divided by this to make one feature


def weak_logit(ngrams: dict[str, float], weak: dict[str, float]) -> float:
    """Logit of the weak satisfaction model (n-grams, trained on 1,630 other posts)."""
    return sum(weak.get(k, 0.0) for k in ngrams) + weak.get("bias", 0.0)


def features(text: str, library: KeywordLibrary, weak: dict[str, float] | None = None
             ) -> tuple[dict[str, float], list[KeywordEntry]]:
    """All features of a text, and the keyword entries it hits. ``weak``: weights of the
    weak satisfaction model, which adds one feature (``w:weak``) when given."""
    folded = normalise(text)
    hits = library.hits(folded)
    f = ngram_features(folded)
    if weak:
        f["w:weak"] = weak_logit(f, weak) / WEAK_SCALE
    f.update(keyword_features(hits))
    f.update(rule_features(folded))
    f["bias"] = 1.0
    return f, hits


# --- the model -------------------------------------------------------------------------------


def _sigmoid(z: float) -> float:
    if z < -30:
        return 0.0
    if z > 30:
        return 1.0
    return 1.0 / (1.0 + math.exp(-z))


# Used when data/model.json is missing: a hand-weighted logistic model over keyword and rule
# features (reasonable, not the shipped quality).
FALLBACK_WEIGHTS = {
    "bias": 1.0, "k:neg": 1.0, "r:complaint": 2.0, "r:no_complaint": -1.0, "r:sarcasm": 3.0,
    "r:charge_money": 1.5, "r:howto": -1.5, "r:pure_question": -1.5, "r:pure_praise": -2.5,
    "r:strong_praise": -1.0, "r:resolved": -1.0, "r:exclaim": 0.8, "r:question_run": 0.8,
    "r:escalation": 1.5,
}


@dataclass
class Model:
    """Weights of the negativity and demand models (see train.py)."""

    version: str
    negative: dict[str, float]
    ngram_only: dict[str, float]           # the sentiment index: n-grams + bias only
    demand: dict[str, dict[str, float]]    # intent → weights
    threshold_shift: float = 0.0           # added to the logit so P=0.5 is the operating point
    weak: dict[str, float] = field(default_factory=dict)  # weak satisfaction model (n-grams)

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> Model:
        if not path.exists():
            return cls(FALLBACK_VERSION, dict(FALLBACK_WEIGHTS), {}, {})
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def from_dict(cls, data: dict) -> Model:
        """A model from its JSON form (the shipped file or a stored version)."""
        return cls(data["version"], data["negative"], data.get("ngram_only", {}),
                   data.get("demand", {}), float(data.get("threshold_shift", 0.0)),
                   data.get("weak", {}))

    def to_dict(self) -> dict:
        """The JSON form, as ``from_dict`` reads it."""
        return {"version": self.version, "negative": self.negative,
                "ngram_only": self.ngram_only, "demand": self.demand,
                "threshold_shift": self.threshold_shift, "weak": self.weak}

    def p_negative(self, f: dict[str, float]) -> float:
        w = self.negative
        return _sigmoid(sum(w.get(k, 0.0) * v for k, v in f.items()) + self.threshold_shift)

    def p_sentiment(self, f: dict[str, float], fallback: float) -> float:
        if not self.ngram_only:
            return fallback
        w = self.ngram_only
        return _sigmoid(sum(w.get(k, 0.0) * v for k, v in f.items() if k[0] in "cb"))

    def intent(self, f: dict[str, float], hits: list[KeywordEntry], folded: str,
               negative: bool | None = None) -> str:
        """The most likely fine-grained demand; a post scored negative is never "praise"."""
        if not self.demand:
            return rule_intent(hits, folded)
        best, best_z = "venting", -math.inf
        for label, w in self.demand.items():
            if negative and label == "praise":
                continue
            z = sum(w.get(k, 0.0) * v for k, v in f.items())
            if z > best_z:
                best, best_z = label, z
        return best


COMPENSATION = re.compile(r"退费|退钱|还钱|赔偿|补偿|退还|返还|退回|损失")
SAVING = re.compile(r"资费|便宜|太贵|优惠|降低|省钱|降套餐|改套餐|换套餐|违约金")
RISK = re.compile(r"信号|断网|宽带|故障|维修|报修|骚扰|诈骗|泄露|修好|网速|掉线")


def rule_intent(hits: list[KeywordEntry], folded: str) -> str:
    """Keyword rules for the demand class (the fallback without a trained model)."""
    if COMPENSATION.search(folded):
        return "compensation"
    if SAVING.search(folded):
        return "saving"
    if RISK.search(folded):
        return "risk_avoidance"
    return "venting"


def relevance_of(hits: list[KeywordEntry]) -> int:
    biz = sum(e.weight for e in hits if e.kind == "business")
    topical = sum(e.weight for e in hits
                  if e.kind == "negative" and e.category in TOPICAL_CATEGORIES)
    return max(0, min(100, 10 * biz + 5 * topical))


URGENT_CUES = re.compile(r"工信部|工信|315|消协|消费者协会|12315|媒体|曝光|记者|律师|法院|起诉|"
                         r"转网|携号转网|销户|退网")


def urgency(folded: str) -> tuple[int, tuple[str, ...]]:
    """Intensity 0–3 and the cues found (rules of the labelling guideline)."""
    cues = tuple(dict.fromkeys(m.group(0) for m in URGENT_CUES.finditer(folded)))
    return (3, cues) if cues else (0, ())


def score_with(text: str, library: KeywordLibrary, model: Model, threshold: int = 50,
               *, is_reply: bool = False) -> ScoreResult:
    """Score one text with an explicit library and model (the services pass the live ones).
    ``is_reply``: the text is a reply in a topic, not an opening post."""
    f, hits = features(text, library, model.weak)
    p = model.p_negative(f)
    score = int(round(100 * p))
    sentiment = int(round(100 * model.p_sentiment(f, p)))
    folded = normalise(text)
    intent = model.intent(f, hits, folded, score >= threshold)
    seen: list[str] = []
    for e in hits:
        if e.kind == "negative" and e.term not in seen:
            seen.append(e.term)
    for e in hits:
        if e.kind == "business" and e.term not in seen:
            seen.append(e.term)
    intensity, cues = urgency(folded)
    return ScoreResult(score=score, negative=score >= threshold, keywords=seen,
                       demand=INTENT_TO_DEMAND.get(intent, "venting"),
                       relevance=relevance_of(hits), sentiment=sentiment, intent=intent,
                       intensity=intensity, cues=cues)
