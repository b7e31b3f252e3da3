"""The dedicated urgency model: escalation beyond the guideline's explicit words (tagging
third-party accounts, implied leaving, repeated contact, rage) raises a post to intensity 3,
and the moderator is shown why. Texts written for these tests, not from the training data."""

from __future__ import annotations

from moderation.scoring.services import score_text
from moderation.scoring.services.engine import Model, normalise
from moderation.scoring.services.escalation import (
    escalation_cues,
    escalation_features,
    third_party_tags,
)


def test_the_shipped_model_has_an_urgency_model_and_its_decision_point():
    model = Model.load()
    assert model.urgent and "bias" in model.urgent
    assert model.to_dict()["urgent_threshold"] == model.urgent_threshold
    assert Model.from_dict(model.to_dict()).urgent == model.urgent


def test_third_party_tags_are_the_accounts_that_are_not_the_operators():
    text = "宽带断了一周 @中国电信客服 @广东联通 @城市新闻眼 @市民热线12345"
    assert third_party_tags(text) == ["城市新闻眼", "市民热线12345"]
    assert third_party_tags("信号差 @中国移动10086 @中国联通客服") == []


def test_escalation_features_read_implied_leaving_repeats_and_rage():
    text = "第三次打客服了还是没人管！！！以后再也不会选择你们"
    f = escalation_features(text, normalise(text))
    assert {"v:leave2", "v:repeat2", "v:rage2"} <= set(f)
    assert escalation_features("请问怎么开通5g", "请问怎么开通5g") == {}


def test_switching_to_a_tagged_operator_is_leaving():
    text = "停机三天还不给充值，不如直接叫我换@另一家运营商 好了"
    cues = escalation_cues(text, normalise(text))
    assert "leaving" in cues


def test_a_public_complaint_tagging_news_accounts_is_urgent_and_says_so():
    result = score_text("装了宽带两个月了一直断网，报修五六次都没人来，太坑人了！！！"
                        " @中国电信客服 @本地新闻眼 @城市热线")
    assert result.negative and result.intensity == 3
    assert any(cue.startswith("点名第三方账号") and "@本地新闻眼" in cue for cue in result.cues)


def test_a_polite_question_stays_below_urgent():
    result = score_text("请问宽带续费在app哪里操作？ @中国电信客服")
    assert result.intensity < 3 and result.cues == ()


def test_any_text_scores_with_the_urgency_model():
    for text in ("", "🙂" * 50, "x" * 10_000, "@@@ @ @", "換@ 轉 !!!???"):
        result = score_text(text)
        assert 0 <= result.intensity <= 3
