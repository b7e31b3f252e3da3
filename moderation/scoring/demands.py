"""群体诉求 (PRODUCT §3): the four demand classes and the seeds' recommended handling.

Codes are stored in ``PostScore.demand`` and, later, on queue items and tickets.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import NamedTuple


class Demand(NamedTuple):
    label: str       # 诉求
    psychology: str  # 心理
    handling: str    # 对策


DEMANDS: OrderedDict[str, Demand] = OrderedDict([
    ("venting", Demand("发泄情绪", "尊重需求", "快速响应、私信答复")),
    ("risk_avoidance", Demand("风险规避", "问题不再重现", "强化宣传、线上指导")),
    ("compensation", Demand("赔偿需求", "补偿", "线下沟通、酌情处理")),
    ("saving", Demand("节省需求", "降低资费", "正面引导、话费理财")),
])

DEFAULT_DEMAND = "venting"


def demand_label(code: str | None) -> str:
    """Chinese label of a demand code ("" for an unknown or empty code)."""
    demand = DEMANDS.get(code or "")
    return demand.label if demand else ""
