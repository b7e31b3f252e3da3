"""Demo golden ideas for ``flask seed-demo``: realistic employee ideas in every state, votes,
comments, a merge, owners, the fund with a deposit and grants, and an open arena round.

Runs through the services (so events, points and notifications happen as in real use), then
spreads the timestamps over the past weeks so the 风云榜 looks lived in. Idempotent: does
nothing when the first demo idea exists.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from forum.extensions import db
from forum.models import User, utcnow
from ideas.models import Idea, IdeaComment, IdeaStateChange, IdeaVote
from ideas.services import fund, ideas, owners, rounds, triage, votes
from ideas.services.access import get_idea_or_404

# (key, author, category, title, problem, proposal, path of states, days ago)
IDEAS = [
    ("sms", "he_gcs", "服务流程", "宽带装维预约短信提醒",
     "客户预约宽带安装后，经常不记得上门时间，师傅到了家里没人，一次白跑半天。",
     "预约成功后立即发短信确认时间段；**上门前一天 18:00** 再提醒一次，客户可回复 1 确认、"
     "2 改约。\n\n- 改约直接进入派单系统\n- 统计爽约率，按月复盘", "implemented", 40),
    ("flow", "zhou_gong", "产品套餐", "流量超出前提醒",
     "很多投诉是“不知不觉流量超了被扣费”，客户觉得我们故意不提醒。",
     "套餐内流量用到 80%、95% 时各推送一次短信和 App 消息，附一键订购加油包的链接；"
     "超出后按日封顶计费并再次提醒。", "funded", 30),
    ("queue", "chen_shifu", "渠道体验", "营业厅排队叫号小程序",
     "营业厅高峰期排队一小时，客户只能在厅里干等，老人尤其辛苦。",
     "做一个小程序：线上取号、查看前面还有几人、快到号时微信提醒；厅内叫号屏同步。",
     "in_arena", 21),
    ("bill", "kefu_anan", "渠道体验", "话费账单一键看懂",
     "账单项目名称太专业，客户看不懂“功能费”“增值业务费”，大量来电只为问账单。",
     "账单页每一项加一句白话解释和“为什么收这笔钱”；异常增长的项目标红并给出退订入口。",
     "in_arena", 18),
    ("elder", "wu_jingli", "产品套餐", "老年人专属简易套餐",
     "老年客户只打电话、偶尔视频，却被推荐了大流量套餐，每月多花几十元。",
     "推出 19 元老年套餐：300 分钟通话 + 5GB 流量 + 亲情号码免费；营业厅可由子女代办。",
     "in_arena", 16),
    ("ticket", "kefu_xiaoyi", "系统支撑", "客服工单超时自动升级提醒",
     "有的工单在某个环节一放就是三天，客户反复催，客服也不知道卡在谁那里。",
     "工单每个环节设时限，超时 80% 提醒处理人，超时后自动升级给组长并通知客户最新进度。",
     "under_review", 12),
    ("diag", "kefu_dawei", "系统支撑", "宽带故障自助诊断工具",
     "宽带报修里有一半是光猫重启、网线松动就能解决的问题，却要排队等师傅上门。",
     "在 App 里做自助诊断：远程读取光猫状态，一步步引导客户排查，解决不了再一键报修。",
     "under_review", 9),
    ("port", "sun_xiaomei", "服务流程", "携号转网办理进度查询",
     "客户办了携号转网，不知道进度，只能打客服电话问。",
     "短信和 App 中提供进度查询：资格校验、授权码、生效时间，每一步完成都推送。",
     "submitted", 6),
    ("mail", "kefu_anan", "服务流程", "139邮箱收不到验证码的自助排查指引",
     "“收不到验证码”是邮箱类咨询第一名，答案其实很固定。",
     "整理成图文排查指引放在登录页，并在客服机器人里优先推荐，减少人工咨询。",
     "submitted", 4),
    ("renew", "wu_jingli", "产品套餐", "家庭宽带到期前续约提醒",
     "宽带合约到期后自动转成高价标准资费，客户发现时已经多交了几个月的钱。",
     "到期前 30 天和 7 天各提醒一次，附续约优惠；到期未续约的按原价保留一个月。",
     "submitted", 3),
    ("kb", "kefu_xiaoyi", "系统支撑", "客服知识库搜索支持口语提问",
     "新同事在知识库里搜“扣钱”搜不到“扣费”的文章，只能到处问老同事。",
     "知识库搜索加同义词和口语化改写，热门问题置顶，每篇文章显示最近更新时间。",
     "submitted", 2),
    ("calc", "zhou_gong", "渠道体验", "5G 套餐对比计算器",
     "客户在几个 5G 套餐之间犹豫，营业员要拿纸笔帮算。",
     "输入近三个月的通话和流量，自动推荐最省钱的套餐并显示每月能省多少。",
     "under_review", 8),
    ("visit", "he_gcs", "服务流程", "装维师傅上门前再打电话确认",
     "上门前不确认，客户临时不在家。",
     "师傅出发前统一拨打客户电话确认。", "rejected", 25),
    ("queue2", "sun_xiaomei", "渠道体验", "营业厅线上预约取号",
     "在营业厅门口排队取号浪费时间。",
     "在 App 里预约营业厅办理时段，到店直接叫号。", "merged:queue", 20),
    ("flow2", "chen_shifu", "产品套餐", "流量快用完时发短信提醒",
     "客户流量用完了才知道，已经被扣了钱。",
     "流量剩余不多时发一条短信提醒客户。", "merged:flow", 28),
]
PATHS = {
    "submitted": [],
    "under_review": ["under_review"],
    "in_arena": ["under_review", "in_arena"],
    "funded": ["under_review", "in_arena", "funded"],
    "implemented": ["under_review", "in_arena", "funded", "implemented"],
    "rejected": ["rejected"],
}
GRANTS = {"sms": 1_200_000, "flow": 3_000_000}  # fen
VOTERS = ["admin", "kefu_xiaoyi", "kefu_anan", "kefu_dawei", "chen_shifu", "zhou_gong",
          "wu_jingli", "he_gcs", "sun_xiaomei"]
VOTES = {"sms": 8, "flow": 7, "queue": 6, "bill": 5, "elder": 4, "ticket": 5, "diag": 4,
         "port": 3, "mail": 2, "renew": 2, "kb": 3, "calc": 3, "visit": 1, "queue2": 3,
         "flow2": 2}
COMMENTS = {
    "sms": [("kefu_dawei", "装维这边很支持，上个月白跑了 12 次。"),
            ("he_gcs", "试点两个月，爽约率从 9% 降到 3%。")],
    "flow": [("kefu_xiaoyi", "客服这边“流量超了不提醒”的投诉每周几十条，强烈支持！"),
             ("wu_jingli", "建议同时推荐合适的套餐，而不只是加油包。")],
    "queue": [("sun_xiaomei", "老年人不会用小程序怎么办？厅里保留取号机吧。")],
    "bill": [("kefu_anan", "可以先从最常被问的 10 个收费项目开始。")],
    "diag": [("he_gcs", "光猫远程读取状态的接口已经有了，可以复用。")],
}
OWNERS = [("zhou_gong", "系统支撑"), ("wu_jingli", "产品套餐"), ("kefu_xiaoyi", "服务流程"),
          ("kefu_xiaoyi", "渠道体验")]
DRAFT = ("sun_xiaomei", "其他", "夜间客服机器人转人工优化")
REJECT_REASON = "现行流程已要求师傅出发前电话确认，问题在执行，已转装维部门督办。"


def _users() -> dict[str, User]:
    names = set(VOTERS) | {a for _, a, *_ in IDEAS} | {DRAFT[0]}
    return {u.username: u for u in db.session.scalars(sa.select(User).where(
        User.username.in_(names)))}


def seed_ideas() -> str:
    """Create the demo ideas once; returns a one-line summary."""

    if db.session.scalar(sa.select(Idea.id).where(Idea.title == IDEAS[0][3])):
        return "demo ideas already there"
    users = _users()
    if "admin" not in users or len(users) < len(VOTERS):
        return "skipped: demo users missing (run the forum seed first)"
    admin = users["admin"]
    for username, category in OWNERS:
        owners.assign_owner(admin, username, category)
    fund.deposit(admin, 10_000_000, "2026 年度金点子基金预算")
    created: dict[str, Idea] = {}
    for key, author, category, title, problem, proposal, _path, _days in IDEAS:
        created[key] = ideas.submit_idea(users[author], title, problem, proposal, category)
    for key, idea in created.items():
        voters = [users[v] for v in VOTERS if v != idea.author.username][:VOTES[key]]
        for voter in voters:
            votes.set_vote(voter, idea, True)
        for author, body in COMMENTS.get(key, []):
            ideas.add_comment(users[author], idea, body)
    for key, *_rest, path, _days in IDEAS:
        idea = get_idea_or_404(created[key].id, admin)
        if path.startswith("merged:"):
            triage.merge(admin, idea, created[path.split(":")[1]])
            continue
        for state in PATHS[path]:
            reason = REJECT_REASON if state == "rejected" else None
            triage.transition(admin, idea, state, reason, amount=GRANTS.get(key)
                              if state == "funded" else None)
    ideas.submit_idea(users[DRAFT[0]], DRAFT[2], "夜里机器人答不上来时转人工要等很久。", "",
                      DRAFT[1], draft=True)
    rnd = rounds.open_round(
        admin, "2026 年第四季度金点子擂台赛", utcnow() + timedelta(days=10), 3_000_000,
        {created["queue"].id: 1_500_000, created["bill"].id: 800_000,
         created["elder"].id: 1_000_000}, winners_max=2)
    for i, voter in enumerate(VOTERS):
        for key in ("queue", "bill", "elder")[: 1 + i % 3]:
            if created[key].author.username != voter:
                rounds.set_round_vote(users[voter], rnd, created[key].id, True)
    _spread_times(created)
    return (f"{len(created) + 1} ideas (1 draft, 2 merged), {len(OWNERS)} owner assignments, "
            f"fund balance ¥{fund.yuan(fund.balance())}, 1 open arena round")


def _spread_times(created: dict[str, Idea]) -> None:
    """Backdate ideas, their votes, comments and history so rankings have ages to work on."""
    now = utcnow()
    for key, *_rest, days in IDEAS:
        idea_id = created[key].id
        born = now - timedelta(days=days, hours=3)
        db.session.execute(sa.update(Idea).where(Idea.id == idea_id).values(
            created_at=born, submitted_at=born, updated_at=born))
        vote_ids = db.session.scalars(sa.select(IdeaVote.id).where(IdeaVote.idea_id == idea_id)
                                      .order_by(IdeaVote.id)).all()
        for n, vote_id in enumerate(vote_ids):
            at = born + (now - born) * (n + 1) / (len(vote_ids) + 1)
            db.session.execute(sa.update(IdeaVote).where(IdeaVote.id == vote_id)
                               .values(created_at=at))
        db.session.execute(sa.update(IdeaComment).where(IdeaComment.idea_id == idea_id)
                           .values(created_at=born + timedelta(days=days / 2)))
        changes = db.session.scalars(sa.select(IdeaStateChange.id).where(
            IdeaStateChange.idea_id == idea_id).order_by(IdeaStateChange.id)).all()
        for n, change_id in enumerate(changes):
            db.session.execute(sa.update(IdeaStateChange).where(IdeaStateChange.id == change_id)
                               .values(created_at=born + timedelta(days=(n + 1) * days / 6)))
    db.session.commit()
