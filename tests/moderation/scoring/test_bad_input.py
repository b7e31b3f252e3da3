"""Whatever a customer types scores without error, with fields in range, as a post and as a
reply (the scorer's contract through score_text)."""

from __future__ import annotations

import pytest

from moderation.scoring.services import score_text

TEXTS = {
    "empty": "",
    "blank": " \n\t ",
    "long": "又乱扣费了，" * 1700,  # 10,200 characters
    "emoji": "😡😡😡🤬💢👎",
    "traditional": "又亂扣我話費了，客服態度極差，我要去工信部投訴！",
    "english": "You charged me twice this month, refund me now or I will report to MIIT!",
    "mixed": "宽带 down 了 3 天😤 call 10000 没人理，WTF？？",
    "control": "\x00\x1b[31m扣费\u200b\ufeff",
}


@pytest.mark.parametrize("is_reply", [False, True])
@pytest.mark.parametrize("name", list(TEXTS))
def test_odd_texts_score_without_error(name, is_reply):
    result = score_text(TEXTS[name], is_reply=is_reply)
    assert 0 <= result.score <= 100 and 0 <= result.sentiment <= 100
    assert 0 <= result.relevance <= 100
    assert result.negative == (result.score >= 50)
    assert 0 <= result.intensity <= 3
    assert all(isinstance(c, str) for c in result.cues)
    assert result.demand in ("venting", "risk_avoidance", "compensation", "saving")


def test_a_ten_thousand_character_post_keeps_its_urgency():
    assert score_text("工信部" + "啊" * 10_000).intensity == 3
