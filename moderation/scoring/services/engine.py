"""The negativity scorer itself: pure functions over a text and a keyword library, no
database and no Flask, so the benchmark, the trainer and the Celery worker run the same code.

How a text is scored (scorer v2)
--------------------------------
1. **Features** (``features()``) keep *what a post is about* apart from *how it is said*:
   - wording: character 1–3-grams of the normalised text (``c:``);
   - sentiment that carries beyond the training posts: the HowNet sentiment lexicon with
     negation and degree words (``x:``, ``lexicon.py``) and a general sentiment model learnt
     from public product-review corpora (``g:``);
   - structure: question, how-to, tip, list, advice/answer, announcement and chit-chat
     markers, reply or opening post (``s:`` and ``r:``), sarcasm cues (praise beside a charge or
     complaint), exclamation runs;
   - urgency cues of the labelling guideline (``u:``): regulator/315/media/lawyer, leaving the
     operator, repeated contact, heavy rage;
   - the keyword library's hits (``k:``), which admins edit.
2. **Models** (trained offline with scikit-learn by ``moderation/scoring/train.py``, shipped as
   ``data/model.json``): a logistic regression for negative/not, a multinomial one for
   intensity 0–3 and one for the demand class (7 intents, mapped to the 4 ``DEMANDS`` codes).
   Inference is plain dict arithmetic over the exported weights: no scikit-learn at run time.
3. ``score`` = 100 × P(negative), decision point at 50; ``sentiment`` (情感指数) = how negative
   the wording alone is (general model + lexicon); ``intensity`` = the most likely class,
   raised to 3 when a regulator/media/lawyer threat is found; ``cues`` say why.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from moderation.scoring.services.escalation import escalation_cues, escalation_features
from moderation.scoring.services.lexicon import Lexicon

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
MODEL_FILE = DATA_DIR / "model.json"
FALLBACK_VERSION = "rules-1"
MAX_TEXT = 10_000  # longer texts are scored on their first 10,000 characters

INTENTS = ("venting", "risk_avoidance", "compensation", "saving", "question", "praise", "other")
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
    # Urgency (the guideline's intensity): 0 none … 3 regulator, media, lawyer, leaving,
    # repeated contact or heavy rage; ``cues`` are the phrases that made it so (shown to
    # moderators as "why").
    intensity: int = field(default=0, compare=False)
    cues: tuple[str, ...] = field(default=(), compare=False)


# --- text normalisation ----------------------------------------------------------------------

_MENTION_RE = re.compile(r"@[\w\-·]+")
_URL_RE = re.compile(r"https?://\S+")
_SPACE_RE = re.compile(r"[ \t\r\f\v]+")


def _fold(text: str) -> str:
    """Full-width → half-width, lower case (so "？" and "?" match alike)."""
    return unicodedata.normalize("NFKC", text).lower()


def normalise(text: str) -> str:
    """Drop @mentions (they name the operator, not the sentiment) and links; fold width.
    Line breaks stay: a title line and list items are structure."""
    text = _fold(text[:MAX_TEXT])
    text = _MENTION_RE.sub(" ", text)
    text = _URL_RE.sub(" ", text)
    return _SPACE_RE.sub(" ", text).strip()


# --- hand features: structure, complaint signs, sarcasm ---------------------------------------

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
# Forum structure: what a tip, an answer, an announcement or chit-chat looks like.
TIP = re.compile(r"分享|技巧|方法|攻略|教程|步骤|经验|小贴士|提醒大家|提醒一下|自查|亲测|总结|整理|"
                 r"建议大家|注意事项|避坑|防.{0,3}(扣费|诈骗|骚扰)|省钱|干货|科普|指南|说明")
LIST_ITEM = re.compile(r"(^|\n)\s*(\d{1,2}[.、)]|[①②③④⑤⑥⑦⑧⑨]|第[一二三四五]|[一二三四五]、)")
ADVICE = re.compile(r"可以(试试|先|在|去|打|发|用|把|直接|关|开)|建议(你|先|您|楼主)?|试试|你(可以|先|要|得)|"
                    r"楼主|打开.{0,12}(点|选|进)|(点击|点一下|选择|进入).{0,10}(就|即可|就行|就可以)|"
                    r"即可|就行了?|就可以了?|路径|设置里|一般是|应该是|我(之前|上次|也)(是|遇到)")
ANNOUNCE = re.compile(r"通知|公告|须知|版规|欢迎|置顶|征集|精华|活动|升级|维护|敬请|各位(用户|机友|网友)|"
                      r"本版|版块|规则|禁止|一经发现")
CHITCHAT = re.compile(r"\+1|同问|同求|哈哈|嘿嘿|顶一下|顶|mark|码住|学到了|收藏|蹲|围观|沙发|谢谢分享|感谢分享")
# Irony in a forum: scare quotes around the operator's promise (“不限量”), mock praise
# ("真是太智能了", "建议申请专利", "堪比蜗牛"), thanks for a harm ("感谢…让我学会了耐心").
SCARE_QUOTES = re.compile(r"[“\"「『][^”\"」』]{1,12}[”\"」』]")
MOCK_PRAISE = re.compile(r"真是太|真(是|的)?(体贴|准时|智能|贴心|给力|周到|厉害|神奇)|不愧是|果然是|堪比|"
                         r"建议.{0,8}(申请专利|开银行|改名|改成|颁奖)|学到了|学会了|涨知识|感动哭|感人|"
                         r"好家伙|佩服佩服|懂的都懂|呵呵|惊喜|含金量|黑科技|科技感|平行宇宙|传说中|"
                         r"(感谢|谢谢).{0,12}让我|这就是.{0,8}(回报|服务|速度)")
# Problem events: with a praising frame they make sarcasm ("流量提醒真准时，每次都在超出之后").
HARM = re.compile(r"断(网|线|了)?|卡(成|顿|住|了)|慢|扣|贵|限速|超出|转圈|蜗牛|营销短信|滞纳金|翻倍|涨价|"
                  r"无服务|没(有)?信号|跑(掉|了)|不到账|多交|多收|杀熟|坑|忽悠|捆绑|套路|一直|半天|好几")
EMOJI = re.compile(r"[\U0001F300-\U0001FAFF\u2600-\u27BF]")

# Urgency cues (the guideline's intensity 3), each with the label shown to moderators.
URGENCY_CUES: dict[str, re.Pattern] = {
    "regulator": re.compile(r"工信部|工信微报|工信|信访|上访|315|消协|消费者协会|消费者权益|12315|12300|"
                            r"通信管理局|通管局|管局|监管部门|市长热线|12345|媒体|曝光|爆料|记者|电视台|"
                            r"报社|律师|法院|起诉|打官司|报警|纪委"),
    "leaving": re.compile(r"携号转网|转网|销户|销号|退网|换网|换(个)?运营商|(换|转|投奔)回?到?(电信|移动|联通|广电)|"
                          r"再也不(用|会用)|不再(用|使用)|不(会)?再用|不要再用|弃用|远离|再见|"
                          r"失去.{0,6}(客户|用户)|只能换|准备换"),
    "repeated": re.compile(r"(无数|好多|多|几|好几|十几|[3-9三四五六七八九十]|\d\d)次|反复|三番五次|一而再|屡次|"
                           r"不止一次|(几|好几|两|三|四|五|六|七|八|九|十|半|\d+)个多?月|[一1]年多?|几年|"
                           r"数月|半年|每个?月都|至今|从\d+年|从去年|持续.{0,4}(月|年)|"
                           r"天天(都)?(报修|打|投诉|找|催|打电话)|每次(都|打|反映|反应|投诉)|又一次|"
                           r"[两二三四五2-5]次了|第[二三四五六2-6]次|[前昨今]天(打|报|找)|打了.{0,4}(无数|好多|很多)"),
}
# Tagging a regulator, media or consumer-rights account ("@CCTV315", "@工信微报", "@STV新闻夜线")
# is the guideline's escalation too; mentions are dropped by ``normalise``, so they are read here.
MENTION_ESCALATION = re.compile(r"@[^\s@,，。:：]*(315|12315|工信|工业和信息化部|消协|消费者|维权|"
                                r"曝光|爆料|新闻|日报|晚报|都市报|cctv|央视|电视|记者|律师|法院|公安|"
                                r"人民网|新华)")
# Strong insults or profanity aimed at the operator: two or more are "heavy rage" (3).
INSULTS = re.compile(r"煞笔|傻逼|傻b|sb|妈的|特么|尼玛|你妈|他妈|tmd|cnm|操你|小偷|强盗|流氓|骗子|土匪|畜生|"
                     r"狗屁|破逼|脑残|智障|j8|滚|去死|王八|混蛋|无耻|黑心|吸血|垃圾|坑爹|丫的|奶奶的|怒了")
CUE_LABELS = {"regulator": "监管/媒体/法律", "leaving": "转网/销户", "repeated": "反复投诉",
              "rage": "强烈情绪", "insult": "辱骂", "tagged": "点名第三方账号"}


def _phrases(pattern: re.Pattern, folded: str) -> list[str]:
    return list(dict.fromkeys(m.group(0) for m in pattern.finditer(folded)))


def urgency_cues(folded: str, tagged: str = "") -> dict[str, list[str]]:
    """The urgency cues found, by kind (phrases in order of appearance, without repeats).
    One insult is a cue of a clear complaint ("insult"); two or more are heavy rage.
    ``tagged``: the folded text with its @mentions, where tagging a regulator or the media
    counts as a regulator cue."""
    found: dict[str, list[str]] = {}
    for kind, pattern in URGENCY_CUES.items():
        phrases = _phrases(pattern, folded)
        if phrases:
            found[kind] = phrases
    tags = _phrases(MENTION_ESCALATION, tagged)
    if tags:
        found.setdefault("regulator", [])
        found["regulator"] += [t for t in tags if t not in found["regulator"]]
    insults = _phrases(INSULTS, folded)
    if len(insults) >= 2 or ("怒了" in folded and "!" in folded):
        found["rage"] = insults
    elif insults:
        found["insult"] = insults
    return found


def rule_features(folded: str) -> dict[str, float]:
    """Hand features for the hard cases (values 0/1 or small counts).

    What marks a harmless post beside a complaint: genuine praise (a praise word and no
    complaint sign), a plain question, a tip or an answer. Sarcasm is praise plus complaint
    signs.
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
    for name, pattern in DEMAND_CUES.items():
        if pattern.search(folded):
            f["d:" + name] = 1.0
    return f


def structure_features(folded: str, is_reply: bool) -> dict[str, float]:
    """What kind of forum post this is: reply or opening post, tip, list, advice, notice."""
    f: dict[str, float] = {"s:reply" if is_reply else "s:opening": 1.0}
    tips = len(TIP.findall(folded))
    if tips:
        f["s:tip"] = min(tips, 3) / 3.0
    if LIST_ITEM.search(folded):
        f["s:list"] = 1.0
    advice = len(ADVICE.findall(folded))
    if advice:
        f["s:advice"] = min(advice, 3) / 3.0
        if is_reply:
            f["s:reply_advice"] = 1.0
    if ANNOUNCE.search(folded):
        f["s:announce"] = 1.0
    if CHITCHAT.search(folded):
        f["s:chat"] = 1.0
    if EMOJI.search(folded):
        f["s:emoji"] = 1.0
    if SCARE_QUOTES.search(folded):
        f["s:quotes"] = 1.0
    mock = bool(MOCK_PRAISE.search(folded))
    harm = bool(HARM.search(folded))
    if mock:
        f["s:mock"] = 1.0
    if harm and (mock or PRAISE.search(folded)):
        f["s:praise_frame_harm"] = 1.0
        if not ALREADY_OK.search(folded) and not STRONG_PRAISE.search(folded):
            f["s:praise_frame_harm_unresolved"] = 1.0
    length = len(folded)
    f["s:len_" + ("short" if length < 30 else "mid" if length < 120 else "long")] = 1.0
    return f


def cue_features(cues: dict[str, list[str]]) -> dict[str, float]:
    f = {"u:" + kind: 1.0 for kind in cues}
    if len(cues) >= 2:
        f["u:several"] = 1.0
    return f


# Cues of the demand classes (群体诉求): what the customer wants done.
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


_NON_WORD_RE = re.compile(r"[^\u4e00-\u9fff!?a-z0-9]+")


def ngram_features(folded: str, prefix: str = "c:", max_n: int = 3) -> dict[str, float]:
    """Binary character 1–``max_n``-grams of the CJK/alphanumeric runs."""
    f: dict[str, float] = {}
    for chunk in _NON_WORD_RE.sub(" ", folded).split():
        n = len(chunk)
        for i in range(n):
            for size in range(1, max_n + 1):
                if i + size <= n:
                    f[prefix + chunk[i:i + size]] = 1.0
    return f


# --- the model -------------------------------------------------------------------------------


def _sigmoid(z: float) -> float:
    if z < -30:
        return 0.0
    if z > 30:
        return 1.0
    return 1.0 / (1.0 + math.exp(-z))


def _softmax(scores: dict[str, float]) -> dict[str, float]:
    top = max(scores.values())
    exp = {k: math.exp(v - top) for k, v in scores.items()}
    total = sum(exp.values())
    return {k: v / total for k, v in exp.items()}


def _dot(weights: dict[str, float], f: dict[str, float]) -> float:
    return sum(weights.get(k, 0.0) * v for k, v in f.items())


GENERAL_SCALE = 4.0  # the general sentiment model's logit is divided by this for one feature

# Used when data/model.json is missing: a hand-weighted logistic model over keyword, rule and
# structure features (reasonable, not the shipped quality).
FALLBACK_WEIGHTS = {
    "bias": 1.0, "k:neg": 1.0, "r:complaint": 2.0, "r:no_complaint": -1.0, "r:sarcasm": 3.0,
    "r:charge_money": 1.5, "r:howto": -1.5, "r:pure_question": -1.5, "r:pure_praise": -2.5,
    "r:strong_praise": -1.0, "r:resolved": -1.0, "r:exclaim": 0.8, "r:question_run": 0.8,
    "r:escalation": 1.5, "s:tip": -1.5, "s:announce": -1.5, "s:reply_advice": -1.5,
    "x:neg": 0.5, "x:pos": -0.5,
}


@dataclass
class Model:
    """Weights of the negativity, intensity and demand models (see train.py).

    ``general``: the general sentiment model (n-gram weights, learnt from product reviews),
    whose logit is one feature of the others; ``lexicon``: the sentiment word lists.
    """

    version: str
    negative: dict[str, float]
    intensity: dict[str, dict[str, float]] = field(default_factory=dict)  # "0".."3" → weights
    demand: dict[str, dict[str, float]] = field(default_factory=dict)     # intent → weights
    threshold_shift: float = 0.0  # added to the logit so P=0.5 is the operating point
    general: dict[str, float] = field(default_factory=dict)
    lexicon: Lexicon = field(default_factory=Lexicon.shipped)
    urgent_shift: float = 0.0     # added to the intensity-3 score (the urgent operating point)
    # The dedicated urgency model (intensity 3 vs the rest) and its decision point (a logit,
    # chosen by an inner cross-validation of the training data); without it the intensity
    # model's class 3 decides.
    urgent: dict[str, float] = field(default_factory=dict)
    urgent_threshold: float = 0.0
    meta: dict = field(default_factory=dict)  # training data and figures, for people

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> Model:
        if not path.exists():
            return cls(FALLBACK_VERSION, dict(FALLBACK_WEIGHTS))
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def from_dict(cls, data: dict) -> Model:
        """A model from its JSON form (the shipped file or a stored version)."""
        return cls(version=data["version"], negative=data["negative"],
                   intensity=data.get("intensity", {}), demand=data.get("demand", {}),
                   threshold_shift=float(data.get("threshold_shift", 0.0)),
                   general=data.get("general", {}), lexicon=Lexicon.shipped(),
                   urgent_shift=float(data.get("urgent_shift", 0.0)),
                   urgent=data.get("urgent", {}),
                   urgent_threshold=float(data.get("urgent_threshold", 0.0)),
                   meta=data.get("meta", {}))

    def to_dict(self) -> dict:
        """The JSON form, as ``from_dict`` reads it (the lexicon ships apart)."""
        return {"version": self.version, "negative": self.negative,
                "intensity": self.intensity, "demand": self.demand,
                "threshold_shift": self.threshold_shift, "general": self.general,
                "urgent_shift": self.urgent_shift, "urgent": self.urgent,
                "urgent_threshold": self.urgent_threshold, "meta": self.meta}

    def general_logit(self, ngrams: dict[str, float]) -> float:
        """Logit of "positive wording" of the general sentiment model (0 without one)."""
        if not self.general:
            return 0.0
        w = self.general
        return sum(w.get(k, 0.0) for k in ngrams) + w.get("bias", 0.0)

    def features(self, text: str, library: KeywordLibrary, *, is_reply: bool = False
                 ) -> tuple[dict[str, float], list[KeywordEntry], dict[str, list[str]]]:
        """All features of a text, its keyword hits and its urgency cues."""
        folded = normalise(text)
        hits = library.hits(folded)
        f = ngram_features(folded)
        general = self.general_logit(ngram_features(folded, "", 2)) / GENERAL_SCALE
        f["g:general"] = general
        f["g:general_neg" if general < 0 else "g:general_pos"] = min(abs(general), 3.0)
        f.update(self.lexicon.features(folded))
        f.update(keyword_features(hits))
        f.update(rule_features(folded))
        f.update(structure_features(folded, is_reply))
        cues = urgency_cues(folded, _fold(text[:MAX_TEXT]))
        f.update(cue_features(cues))
        f.update(escalation_features(text, folded))
        f["bias"] = 1.0
        return f, hits, cues

    def p_negative(self, f: dict[str, float]) -> float:
        return _sigmoid(_dot(self.negative, f) + self.threshold_shift)

    def sentiment(self, f: dict[str, float]) -> float:
        """How negative the wording alone is, 0–1 (general model and lexicon)."""
        lexical = f.get("x:neg", 0.0) + f.get("x:pos_negated", 0.0) - f.get("x:pos", 0.0)
        return _sigmoid(-f.get("g:general", 0.0) * 1.5 + lexical)

    def intensity_of(self, f: dict[str, float], negative: bool, cues: dict) -> int:
        """The most likely intensity 0–3; a regulator, media or lawyer threat is 3."""
        if not self.intensity:
            level = 3 if cues else (2 if negative else 0)
        elif self.urgent:
            urgent = _dot(self.urgent, f) >= self.urgent_threshold
            scores = {int(k): _dot(w, f) for k, w in self.intensity.items() if k != "3"}
            level = 3 if urgent else max(scores, key=lambda k: scores[k])
        else:
            scores = {int(k): _dot(w, f) for k, w in self.intensity.items()}
            scores[3] = scores.get(3, -math.inf) + self.urgent_shift
            level = max(scores, key=lambda k: scores[k])
        if "regulator" in cues and negative:
            level = 3
        if not negative:
            level = 0
        return level

    def intent(self, f: dict[str, float], folded: str, negative: bool) -> str:
        """The most likely fine-grained demand; a post scored negative is never "praise"."""
        if not self.demand:
            return rule_intent(folded)
        best, best_z = "venting", -math.inf
        for label, w in self.demand.items():
            if negative and label == "praise":
                continue
            z = _dot(w, f)
            if z > best_z:
                best, best_z = label, z
        return best


COMPENSATION = re.compile(r"退费|退钱|还钱|赔偿|补偿|退还|返还|退回|损失")
SAVING = re.compile(r"资费|便宜|太贵|优惠|降低|省钱|降套餐|改套餐|换套餐|违约金")
RISK = re.compile(r"信号|断网|宽带|故障|维修|报修|骚扰|诈骗|泄露|修好|网速|掉线")


def rule_intent(folded: str) -> str:
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


# Said when the model rates a post urgent from its wording as a whole, with no rule cue.
MODEL_CUE = "模型判断: 语气强烈（无明确触发词）"


def _cue_phrases(cues: dict[str, list[str]], intensity: int) -> tuple[str, ...]:
    """Cues as moderators read them: "监管/媒体/法律: 工信部、曝光"; none when not urgent."""
    if not intensity:
        return ()
    found = tuple(f"{CUE_LABELS[kind]}: {'、'.join(phrases[:3])}" for kind, phrases in cues.items())
    return found or ((MODEL_CUE,) if intensity == 3 else ())


def score_with(text: str, library: KeywordLibrary, model: Model, threshold: int = 50,
               *, is_reply: bool = False) -> ScoreResult:
    """Score one text with an explicit library and model (the services pass the live ones).
    ``is_reply``: the text is a reply in a topic, not an opening post."""
    f, hits, cues = model.features(text, library, is_reply=is_reply)
    score = int(round(100 * model.p_negative(f)))
    negative = score >= threshold
    intent = model.intent(f, normalise(text), negative)
    intensity = model.intensity_of(f, negative, cues)
    if intensity == 3:  # shown: the guideline's cues, then the urgency model's own
        for kind, phrases in escalation_cues(text, normalise(text)).items():
            cues.setdefault(kind, [])
            cues[kind] += [p for p in phrases if p not in cues[kind]]
    seen: list[str] = []
    for kind in ("negative", "business"):
        for e in hits:
            if e.kind == kind and e.term not in seen:
                seen.append(e.term)
    return ScoreResult(score=score, negative=negative, keywords=seen,
                       demand=INTENT_TO_DEMAND.get(intent, "venting"),
                       relevance=relevance_of(hits),
                       sentiment=int(round(100 * model.sentiment(f))), intent=intent,
                       intensity=intensity, cues=_cue_phrases(cues, intensity))
