"""Escalation features of the dedicated urgency model (intensity 3 vs the rest).

General complaint vocabulary, beyond the guideline's explicit cues in ``engine.URGENCY_CUES``:

- **tagging third parties**: a customer who tags accounts other than the operator's own (local
  news, 爆料, 问政, police, other brands) is taking the complaint public — the guideline's
  "tagging media or consumer-rights accounts" in its general form;
- **implied leaving**: "以后再也不会选择…", "考虑不用…", "到期就换", "留不住客户", and "换@中国电信"
  (the operator named by a tag, which ``normalise`` drops);
- **repeated contact** in more wordings (第N次, 一次又一次, 一直都没, 两个月了, 至今, 依然);
- **rage**: runs of three or more !/?, swearing and loaded words aimed at the operator
  (坑人, 霸王, 垄断, 忍无可忍, 受够).

Pure functions over the raw text; no database, no Flask.
"""

from __future__ import annotations

import re
import unicodedata

MAX_TEXT = 10_000

_MENTION = re.compile(r"@([^\s@,，。:：!！?？]+)")
_MENTION_SPAN = re.compile(r"@[\w\-·]+")
# An operator's own account (any of China's operators, their hotlines and brands).
OPERATOR_ACCOUNT = re.compile(r"联通|电信|移动|10086|10010|10000|天翼|铁通|广电|沃")
LEAVING = re.compile(r"(不会|不再|再也不|不想|不敢|不能)(再)?(选择|使用|用|续约|续费|办)|考虑(不用|换|转)|"
                     r"到期.{0,4}(就)?(换|转|销|停)|留不住|以后也不会|"
                     r"(换|转)(了|掉)?(运营商|号码|别家|其他家)|(换|转)\s*$|(换|转|投奔)\s+(或者|和)?")
RAGE_RUN = re.compile(r"!{3,}|\?{3,}|[!?]{4,}")
SWEARING = re.compile(r"靠|我操|卧槽|我擦|大爷|有病|贱|不要脸|去你|混账|狗日|吃屎|他娘|妈蛋|麻痹|md|nm|fuck|"
                      r"shit|坑人|骗人|强盗|欺负|霸王|垄断|忍无可忍|受够|气死|恶心死|太过分")
REPEATED = re.compile(r"(多|几|好几|无数|n|十几|很多)(次|遍|回)|一次又一次|第[几n\d一二三四五六七八九十]+次|"
                      r"又(一次|来|是|被)|(一直|始终|总是|老是|每次|每天|天天|每个月)(都|是|没|不)|"
                      r"(两|三|四|五|六|七|八|九|十|几|\d+)(个)?(多)?(月|周|星期|礼拜)(了|都|还|没|以来)|"
                      r"(一|两|三|\d+)年(了|都|还|多)|仍然|依然|还是没|至今|到现在")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text[:MAX_TEXT]).lower()


def third_party_tags(text: str) -> list[str]:
    """The accounts a post tags that are not an operator's own ("@第一现场", "@北京12345")."""
    tags = _MENTION.findall(_fold(text))
    return list(dict.fromkeys(t for t in tags if not OPERATOR_ACCOUNT.search(t)))


def escalation_features(text: str, folded: str) -> dict[str, float]:
    """``v:`` features of the urgency model; ``folded`` is ``engine.normalise(text)``."""
    f: dict[str, float] = {}
    raw = _fold(text)
    tags = _MENTION.findall(raw)
    if tags:
        f["v:tags"] = min(len(tags), 5) / 5
    others = third_party_tags(text)
    if others:
        f["v:tag_other"] = 1.0
        f["v:tag_other_n"] = min(len(others), 4) / 4
    if LEAVING.search(_MENTION_SPAN.sub(" @ ", raw)):
        f["v:leave2"] = 1.0
    if RAGE_RUN.search(folded):
        f["v:rage2"] = 1.0
    swearing = len(SWEARING.findall(folded))
    if swearing:
        f["v:swear"] = min(swearing, 3) / 3
    repeated = len(REPEATED.findall(folded))
    if repeated:
        f["v:repeat2"] = min(repeated, 3) / 3
    return f


def escalation_cues(text: str, folded: str) -> dict[str, list[str]]:
    """What moderators are shown for an urgent post beside the guideline's cues."""
    found: dict[str, list[str]] = {}
    others = third_party_tags(text)
    if others:
        found["tagged"] = ["@" + t for t in others]
    leaving = [m.group(0).strip() for m in LEAVING.finditer(_MENTION_SPAN.sub(" @ ", _fold(text)))]
    # a bare 换/转 matched before a tag: switching to the tagged operator
    leaving = [p if len(p) > 1 else p + "@…" for p in dict.fromkeys(leaving) if p]
    if leaving:
        found["leaving"] = leaving
    repeated = list(dict.fromkeys(m.group(0) for m in REPEATED.finditer(folded)))
    if repeated:
        found["repeated"] = repeated
    rage = list(dict.fromkeys(m.group(0) for m in SWEARING.finditer(folded)))
    rage += list(dict.fromkeys(m.group(0) for m in RAGE_RUN.finditer(folded)))[:1]
    if rage:
        found["rage"] = rage
    return found
