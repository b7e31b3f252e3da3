"""Scorer v2 as behaviour: topic words are not complaints, forum structure counts, sarcasm and
threats are caught, urgency says why, and any text scores without error.

The texts here are written for these tests (not taken from the training data)."""

from __future__ import annotations

import pytest

from moderation.scoring import learning
from moderation.scoring.services import score_text
from moderation.scoring.services.engine import Model, urgency_cues
from moderation.scoring.services.lexicon import Lexicon


@pytest.mark.parametrize("text", [
    "分享几个防乱扣费的方法\n1. 营业厅app里关掉不用的增值业务；2. 每月查一次账单明细；3. 设置消费提醒。",
    "光猫红灯亮了先别急，自查方法\n先看光纤有没有被压到，再把光猫断电重启五分钟，多数情况就恢复了。",
    "请问副卡的流量是跟主卡共享的吗？扣费是算在主卡上吗",
    "想问下宽带到期了怎么续费比较划算？",
])
def test_tips_and_questions_with_charge_or_fault_words_are_not_negative(text):
    assert not score_text(text).negative


@pytest.mark.parametrize("text", [
    "你可以在营业厅app里点“我的-已订业务”，把不用的包退订掉，下个月就不扣了。",
    "楼主试试把路由器换个位置，别放弱电箱里，信号会好很多。",
])
def test_an_answer_in_a_reply_is_not_a_complaint(text):
    assert not score_text(text, is_reply=True).negative


def test_a_welcome_post_is_not_negative():
    text = ("欢迎来到宽带部落：发帖须知\n欢迎大家！发帖前请先搜索，报修类问题请写明小区和宽带账号"
            "（请打码），禁止发布广告，违者删帖。祝大家上网愉快～")
    assert not score_text(text).negative


@pytest.mark.parametrize("text", [
    "宽带又断了，报修三天没人来，你们到底管不管？",
    "这个月莫名其妙多扣了30块，客服踢皮球，太失望了",
    "真是太感谢移动了，又多扣我20块",
])
def test_complaints_and_sarcasm_are_negative(text):
    assert score_text(text).negative


def test_angry_threat_is_urgent_with_its_cues_and_mild_report_is_not():
    threat = score_text("乱扣费再不退我就去工信部投诉，还要找媒体曝光！")
    assert threat.negative and threat.intensity == 3
    assert any("工信部" in cue for cue in threat.cues)
    assert any(cue.startswith("监管") for cue in threat.cues)
    mild = score_text("这两天晚上网速有点慢，希望能看看是什么原因")
    assert mild.intensity < 3
    assert not any(cue.startswith("监管") for cue in mild.cues)


def test_a_harmless_post_has_intensity_zero_and_no_cues():
    result = score_text("谢谢版主，问题已经解决了，点赞！")
    assert not result.negative and result.intensity == 0 and result.cues == ()


def test_urgency_cues_follow_the_guideline():
    assert "regulator" in urgency_cues("再不解决就打12315")
    assert "leaving" in urgency_cues("下个月就携号转网")
    assert "repeated" in urgency_cues("投诉了好几次，半年了还没好")
    assert "rage" in urgency_cues("骗子公司，流氓！")
    assert urgency_cues("一个骗子短信")["insult"] == ["骗子"]  # one insult is not rage
    assert urgency_cues("请问怎么开通5g") == {}
    assert "repeated" in urgency_cues("宽带断了，天天报修没人来")


def test_tagging_a_regulator_or_the_media_is_a_regulator_cue():
    """Mentions are dropped from the wording, but tagging @CCTV315 or a news account is the
    guideline's escalation; tagging the operator's own service account is not."""
    text = "宽带断了一周没人修 @CCTV315 @某某新闻夜线"
    assert urgency_cues("宽带断了一周没人修") == {}
    assert urgency_cues("宽带断了一周没人修", text.lower())["regulator"] == [
        "@cctv315", "@某某新闻"]
    assert urgency_cues("宽带断了", "宽带断了 @中国联通客服") == {}
    tagged = score_text("我的宽带又断了，你们什么时候修？@CCTV315 @工信微报")
    assert tagged.negative and tagged.intensity == 3
    assert any(cue.startswith("监管") and "315" in cue for cue in tagged.cues)


@pytest.mark.parametrize("text", [
    "", "   ", "😡😡😡👎", "寬頻又斷線了，客服電話一直打不通，太誇張了！",
    "My broadband has been down for three days and nobody answers.",
    "5G套餐 is too expensive，每月128 yuan!!!", "扣" * 10_000, "\x00\ud800测试",
])
def test_any_text_scores_without_error(text):
    result = score_text(text)
    assert 0 <= result.score <= 100 and 0 <= result.sentiment <= 100
    assert 0 <= result.intensity <= 3


def test_ten_thousand_characters_are_scored_on_the_first_ten_thousand():
    long_text = "宽带断网了" * 2_000 + "谢谢" * 5_000
    assert score_text(long_text).score == score_text(long_text[:10_000]).score


def test_model_round_trips_through_json():
    model = Model.load()
    again = Model.from_dict(model.to_dict())
    assert again.version == model.version
    assert again.negative == model.negative and again.demand == model.demand
    assert again.intensity == model.intensity and again.threshold_shift == model.threshold_shift


def test_shipped_model_is_v2_and_small_enough():
    from moderation.scoring.services.engine import MODEL_FILE

    assert Model.load().version.startswith(("lr2-", "lr3-"))  # scorer v2 (lr3: + urgency model)
    assert MODEL_FILE.stat().st_size <= 20 * 2**20


def test_lexicon_negation_flips_and_degree_marks_strong():
    lexicon = Lexicon(positive=["满意"], negative=["失望"], negation=["不"], degree=["非常"])
    assert lexicon.features("很满意")["x:pos"] > 0
    flipped = lexicon.features("不满意")
    assert "x:pos" not in flipped and flipped["x:pos_negated"] > 0
    assert lexicon.features("非常失望")["x:neg_strong"] > 0
    assert lexicon.features("先是满意，后来失望")["x:last_neg"] == 1.0


def test_worse_than_names_the_metrics_that_dropped_beyond_tolerance():
    active = {"f1": 0.90, "specificity": 0.80, "forum_f1": 0.85}
    assert learning.worse_than({"f1": 0.895, "specificity": 0.85, "forum_f1": 0.85},
                               active) == []
    assert learning.worse_than({"f1": 0.85, "specificity": 0.81, "forum_f1": 0.80},
                               active) == ["f1", "forum_f1"]


def test_urgent_without_a_rule_cue_says_the_model_judged_it():
    from moderation.scoring.services.engine import MODEL_CUE, _cue_phrases

    assert _cue_phrases({}, 3) == (MODEL_CUE,)
    assert _cue_phrases({}, 2) == ()
    assert _cue_phrases({"regulator": ["工信部"]}, 0) == ()
    assert _cue_phrases({"regulator": ["工信部", "媒体"]}, 3) == ("监管/媒体/法律: 工信部、媒体",)
