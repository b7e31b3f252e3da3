"""The scorer on the hard cases of PRODUCT §3 and on plain cases, through score_text."""

from __future__ import annotations

import pytest

from moderation.scoring.demands import DEMANDS
from moderation.scoring.services import negative_threshold, score_text


def test_sarcastic_thanks_with_an_extra_charge_is_negative():
    result = score_text("真是太感谢移动了，又多扣我20块")
    assert result.negative
    assert result.score >= negative_threshold()
    assert "多扣" in result.keywords


def test_how_to_question_with_a_negative_sounding_word_is_not_negative():
    result = score_text("怎么查询扣费明细？")
    assert not result.negative
    assert "扣费" in result.keywords  # the keyword still counts for business relevance
    assert result.relevance > 0


@pytest.mark.parametrize("text", [
    "感谢联通爽约，师傅说好今天上门装宽带，等了一天没人来",
    "【表扬】电信宽带断网一周了，客服还挂我电话，真给力",
    "垃圾联通，信号差得要死，我要去工信部投诉！！",
    "莫名其妙扣了我30元话费，给个说法",
])
def test_complaints_and_sarcasm_are_negative(text):
    assert score_text(text).negative


@pytest.mark.parametrize("text", [
    "请问如何办理流量套餐变更？",
    "联通的客服态度真不错，问题很快就解决了，点赞",
    "谢谢客服，已经收到退款了",
    "请问在哪里可以打印电子发票？",
])
def test_questions_and_praise_are_not_negative(text):
    assert not score_text(text).negative


def test_result_fields_are_in_range_and_demand_is_a_known_code():
    result = score_text("宽带又断网了，报修三天没人处理，退钱！")
    assert 0 <= result.score <= 100 and 0 <= result.sentiment <= 100
    assert 0 <= result.relevance <= 100
    assert result.demand in DEMANDS


def test_refund_demand_is_compensation_and_cheaper_plan_is_saving():
    assert score_text("乱扣我50元流量费，必须退钱，赔偿损失！").demand == "compensation"
    assert score_text("套餐太贵了，每月128元用不完，想换个便宜的资费").demand == "saving"


def test_threshold_comes_from_config(app):
    text = "怎么查询扣费明细？"
    score = score_text(text).score
    old = app.config["MODERATION_NEGATIVE_THRESHOLD"]
    try:
        app.config["MODERATION_NEGATIVE_THRESHOLD"] = max(1, score)
        assert score_text(text).negative
        app.config["MODERATION_NEGATIVE_THRESHOLD"] = min(100, score + 1)
        assert not score_text(text).negative
    finally:
        app.config["MODERATION_NEGATIVE_THRESHOLD"] = old


def test_empty_text_scores_without_error():
    result = score_text("")
    assert result.keywords == [] and 0 <= result.score <= 100
