"""Search relevance over the seeded demo data: recall@5 and MRR for a fixed set of queries.

    .venv/bin/python benchmarks/search_relevance.py                    # whoosh on SQLite
    .venv/bin/python benchmarks/search_relevance.py --database-url \\
        postgresql://postgres@127.0.0.1:5432/bench_search             # PostgreSQL full text
    .venv/bin/python benchmarks/search_relevance.py --verbose         # per-query table

A fresh database is migrated, ``seed-demo`` loads the real customer dialogues (405 topics,
about 1,240 replies) and the index is rebuilt. (On PostgreSQL the named database's public
schema is dropped and recreated: use a database of its own.)

Relevance judgements: each query carries an information need written as a regular
expression — word variants included, so 流量用超了 must also find 流量超额 / 超流量, and
乱扣费 must find 扣钱 / 乱收费. A result is relevant when the pattern matches its own text:
a topic's title and opening post, or a reply's body (the five "发帖须知" welcome topics and
their replies never are), exactly the items the search returns.

recall@5 = relevant items among the first five / min(5, relevant items), averaged over the
queries; MRR = mean of 1 / rank of the first relevant item (0 when none in the first 20).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# (query, information need as a regex over title + opening post)
QUERIES: list[tuple[str, str]] = [
    ("流量用超了", r"流量.{0,3}(超|用完)|超.{0,2}流量|超额"),
    ("流量超出怎么收费", r"流量.{0,3}(超|用完)|超.{0,2}流量|超额"),
    ("乱扣费", r"扣费|扣钱|乱收费|多扣|乱扣|偷扣|扣了.{0,4}(钱|元|块)"),
    ("扣钱", r"扣费|扣钱|乱收费|多扣|乱扣|偷扣|扣了.{0,4}(钱|元|块)"),
    ("国际漫游", r"漫游"),
    ("携号转网", r"携号转网|转网"),
    ("宽带报修", r"报修|宽带.{0,20}(维修|修)|断网.{0,20}修"),
    ("宽带断网", r"断网|宽带.{0,12}(掉线|上不了网|断了|不能上网)"),
    ("网速慢", r"网速|网络.{0,3}(慢|卡)"),
    ("信号差", r"信号(差|不好|弱|很差|太差|极差)|没信号|无信号|没有信号|无服务|空心信号"),
    ("彩铃", r"彩铃|炫铃"),
    ("手机邮箱", r"邮箱"),
    ("积分兑换", r"积分"),
    ("合约机", r"合约"),
    ("实名制", r"实名"),
    ("诈骗短信", r"诈骗"),
    ("垃圾短信", r"垃圾短信|骚扰|推销"),
    ("话费充值", r"充值|充话费|交话费|缴费|充了"),
    ("停机", r"停机"),
    ("欠费", r"欠费"),
    ("销户", r"销户|注销"),
    ("补卡", r"补卡|补办|换卡|补张卡"),
    ("流量包", r"流量包|叠加包|日包|流量.{0,2}叠加"),
    ("4G套餐", r"4G.{0,8}套餐|4G卡"),
    ("无限流量", r"无限流量|不限量"),
    ("营业厅排队", r"排队|营业厅.{0,20}(等|慢)"),
    ("客服电话打不通", r"打不通|没人接|无人接|接不通|占线|打不进"),
    ("工信部投诉", r"工信部"),
    ("账单看不懂", r"账单"),
    ("详单", r"详单|清单"),
    ("发票", r"发票"),
    ("免流", r"免流"),
    ("wifi", r"wifi|无线"),
    ("iphone", r"iphone|苹果"),
    ("退订业务", r"退订|取消.{0,6}业务"),
    ("定制手机", r"定制"),
    ("3G网络", r"3G"),
    ("流量被偷跑", r"(偷|跑|耗).{0,3}流量|流量.{0,3}(跑|偷|耗|没了)"),
    ("改套餐", r"(改|变更|更改|修改|换|转).{0,2}套餐|套餐.{0,3}(变更|更改|修改)"),
    ("VIP服务", r"vip"),
    ("充错号码", r"充错"),
    ("网上营业厅", r"网上营业厅|网厅|手机营业厅"),
    ("服务态度差", r"态度"),
    ("存话费送流量", r"(存|预存|充).{0,8}送"),
    ("莫名其妙开通业务", r"(莫名|擅自|强制|强行|被).{0,6}(开通|订购|订了|开了)"),
    ("话费", r"话费"),
    ("套餐", r"套餐"),
    ("宽带", r"宽带"),
    # Issue 14: phrasing the posts do not use, letter-digit mixes, word variants — written as
    # a customer would type them, before looking at how the posts say it.
    ("139邮箱", r"139|邮箱"),
    ("邮箱登不上", r"邮箱"),
    ("消协投诉", r"消协|消费者协会|12315"),
    ("宽带安装", r"装宽带|宽带.{0,6}(安装|装机|装)|装机"),
    ("老用户优惠", r"老用户|老客户|老顾客"),
    ("客服推诿", r"推诿|踢皮球|推脱|推来推去|敷衍"),
    ("收不到短信", r"(收不到|收不了|没收到).{0,6}短信|短信.{0,6}(收不到|收不了|没收到)"),
    ("验证码收不到", r"验证码"),
    ("手机上不了网", r"上不了网|不能上网|无法上网|断网|上网.{0,4}(不了|不行)"),
    ("流量月底清零", r"清零|结转|过期"),
    ("宽带到期续费", r"续费|续约|到期"),
    ("骚扰电话太多", r"骚扰"),
    ("苹果手机信号不好", r"(iphone|苹果).{0,30}信号|信号.{0,30}(iphone|苹果)"),
    ("套餐外流量费", r"套餐外|超出|超额"),
    ("身份证办卡", r"身份证"),
    ("升级4G", r"升级|换4g"),
    ("流量卡", r"流量卡"),
    ("查话费余额", r"余额"),
    ("客服不回复", r"(回复|处理|响应).{0,4}(慢|太慢)|没人理|不理|没回复"),
    ("手机卡丢了", r"丢|挂失|补卡"),
    ("手机号被停用", r"停用|停号|停机"),
    ("充话费没到账", r"到账"),
    ("查剩余流量", r"(查|查询).{0,4}流量|流量.{0,4}(查|查询)|剩.{0,4}流量"),
    ("打10086", r"10086"),
    ("赠送的话费没返", r"返还|返话费|返现|赠送.{0,4}没"),
    ("提前解约违约金", r"解约|违约金"),
    ("晚上网速慢", r"网络.{0,3}(慢|卡)|网速"),
    ("手机号过户", r"过户"),
    ("办副卡", r"副卡|亲情号|家庭网"),
    ("路由器坏了", r"光猫|路由器"),
    ("月租太高", r"月租"),
    ("宽带提速", r"提速"),
    ("出国漫游", r"漫游"),
    ("定向流量", r"定向|免流"),
    ("联通和移动哪个好", r"(联通|电信|移动).{0,6}(比|不如|好)"),
    ("手机营业厅app", r"网上.{0,4}办理|app|客户端"),
    ("服务密码忘了", r"密码"),
    ("手机信号弱", r"信号.{0,6}(差|弱|不好)|没信号|无服务"),
]

# Similar questions: (a new title as a customer would type it, a piece of the title of the
# existing demo topic it duplicates). Written from the topic's subject, in other words.
SIMILAR_PAIRS = [
    ("被莫名其妙兑换了积分怎么退回", "莫名的被兑换了积分"),
    ("欠费两块多就被停机了", "欠费2.8元莫名其妙被"),
    ("好久不用的号码欠费了还能保留吗", "有一个好久不用的手机号"),
    ("去营业厅销户太麻烦", "办理销户业务"),
    ("换了4G套餐以后问题很多", "转了个4G套餐产生一系列问题"),
    ("免流量到底是什么", "所谓的免流量是什么意思"),
    ("半夜12点以后买的流量日包", "我晚上十二点过后买流量日包"),
    ("每月被扣10元说是电话营销订购的", "每个月被扣十块钱"),
    ("新开的卡实名登记后发不了短信", "既然开始实施实名登记"),
    ("宽带报修半个月没人管", "联通宽带报修半月"),
    ("结转的流量怎么用", "结转流量使用"),
    ("地铁里手机没信号", "在地铁六号线里"),
    ("家里宽带断网报修后一直没人来修", "家里断网了,上午打电话报修"),
    ("无线上网也收流量费吗", "无线接入-上网流量费"),
    ("办了业务一个月都没生效", "这个月没生效"),
    ("上门装宽带的师傅不守时", "上门师傅都挺好现在简直像土匪"),
    ("合约机发烫流量用不完", "小米4联通合约机"),
    ("学生套餐出了服务区打电话很贵", "学生套餐在服务外"),
    ("实名制以后推销电话越来越多", "自从实名制后各种诈骗电话"),
    ("签到送流量找不到入口", "签到送流量那一栏"),
    ("存话费送流量活动还有没有", "存200话费送1.2G流量"),
    ("拿了赠款以后天天接到骚扰电话", "天天骚扰电话信息"),
    ("营业厅说要转给别的部门才能看清单", "才能看到清单"),
    ("福建联通能携号转网吗", "福建联通支持携号转网"),
    ("联通客服电话一直打不通", "什么时间才能打通联通的客服"),
    ("宽带办好了一直没人上门安装", "还没有人来安装"),
    ("办过户要跑好几趟", "办个过户跑三趟"),
    ("医院里信号太差", "人民医院的信号"),
    ("10016打电话推销4G套餐", "10016的联通营销4G套餐"),
    ("10010人工客服总是忙", "10010人工座席一直全忙"),
    ("充100送100没收到操作提示", "充100送100"),
    ("营业厅办业务要排很久", "柜台办理业务的速度真是神级慢"),
    ("Z9手机移动信号比联通差", "Z9精英版信号"),
    ("网卡打了客服电话后连不上网", "原先只是网卡"),
    ("自助终端缴费怎么用", "第一次使用自助终端"),
    ("客服让我自己去营业厅找人", "客服说给我营业厅电话"),
    ("手机欠费了宽带还能用吗", "宽带可以用"),
    ("3G信号差刷微博都卡", "这3G信号真是差的要命"),
    ("一直打电话推销业务", "不停打电话跟我推销各种业务"),
    ("iPhone预约是不是假的", "联通iPhone销量作假"),
    ("电话营销订购的汽车顾问业务要退订", "汽车顾问业务"),
    ("有没有流量叠加套餐", "能否有流量叠加套餐"),
]

WELCOME = "欢迎来到"


def build(database_url: str | None, instance_dir: Path, limit: int, reuse: bool = False
          ) -> object:
    """Migrate, seed the demo with search not listening, then build the index once
    (``reuse``: the database and index an earlier run left in ``instance_dir``)."""
    import sqlalchemy as sa

    from forum import create_app
    from forum.extensions import db

    overrides = {"INSTANCE_DIR": str(instance_dir), "HUZHU_PACKAGES": ["search"]}
    if database_url:
        url = database_url
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        overrides["SQLALCHEMY_DATABASE_URI"] = url
    else:
        overrides["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance_dir / 'relevance.db'}"
    app = create_app(overrides)
    if reuse:
        return app
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        from flask_migrate import upgrade

        from forum.demo.seed import seed
        from search import handlers, services

        upgrade()
        started = time.perf_counter()
        handlers.disconnect()  # one rebuild at the end instead of an update per post
        try:
            seed(limit=limit, progress=False)
        finally:
            handlers.connect()
        print(f"seeded the demo in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        started = time.perf_counter()
        count = services.rebuild()
        print(f"indexed {count} documents with {services.backend().name} in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    (instance_dir / "ready").touch()
    return app


def judge(app) -> dict[str, set[tuple[str, int]]]:
    """query → relevant documents (("topic", topic id) or ("reply", post id)), from the
    information-need patterns over each document's own text."""
    import sqlalchemy as sa

    from forum.extensions import db
    from forum.models import Post, Topic

    with app.app_context():
        rows = db.session.execute(
            sa.select(Topic.id, Topic.title, Post.id.label("post_id"), Post.is_first, Post.body)
            .join(Post, Post.topic_id == Topic.id)
            .where(Topic.deleted_at.is_(None), Post.deleted_at.is_(None))).all()
    documents = []
    for r in rows:
        if r.title.startswith(WELCOME):
            continue
        if r.is_first:
            documents.append((("topic", r.id), f"{r.title} {r.body}"))
        else:
            documents.append((("reply", r.post_id), r.body))
    qrels = {}
    for query, pattern in QUERIES:
        rx = re.compile(pattern, re.I)
        qrels[query] = {key for key, text in documents if rx.search(text)}
    return qrels


def evaluate(app, qrels: dict[str, set[tuple[str, int]]], verbose: bool) -> dict:
    from search import services

    per_query = []
    timings = []
    with app.app_context():
        for query, _ in QUERIES:
            relevant = qrels[query]
            started = time.perf_counter()
            results = services.search(None, query, per_page=20)
            timings.append((time.perf_counter() - started) * 1000)
            ranked = [(item.kind, item.id) for item in results.page.items]
            found = len(relevant & set(ranked[:5]))
            recall = found / min(5, len(relevant)) if relevant else 0.0
            rank = next((i + 1 for i, key in enumerate(ranked) if key in relevant), None)
            per_query.append({"query": query, "relevant": len(relevant), "found_in_5": found,
                              "recall_at_5": round(recall, 3),
                              "first_relevant_rank": rank,
                              "rr": round(1 / rank, 3) if rank else 0.0,
                              "relaxed": results.relaxed})
    n = len(per_query)
    summary = {
        "backend": None,
        "queries": n,
        "recall_at_5": round(sum(q["recall_at_5"] for q in per_query) / n, 3),
        "mrr": round(sum(q["rr"] for q in per_query) / n, 3),
        "queries_without_relevant_in_20": [q["query"] for q in per_query if not q["rr"]],
        "median_query_ms": round(sorted(timings)[n // 2], 1),
    }
    if verbose:
        print(f"{'query':<14} {'rel':>4} {'in@5':>5} {'R@5':>5} {'rank':>5}")
        for q in per_query:
            print(f"{q['query']:<14} {q['relevant']:>4} {q['found_in_5']:>5} "
                  f"{q['recall_at_5']:>5.2f} {q['first_relevant_rank'] or '-':>5}"
                  f"{'  (relaxed)' if q['relaxed'] else ''}")
    return {"summary": summary, "per_query": per_query}


def evaluate_similar(app, verbose: bool) -> dict:
    """Share of SIMILAR_PAIRS whose existing topic is among the first five similar topics."""
    import sqlalchemy as sa

    from forum.extensions import db
    from forum.models import Topic
    from search.services.similar import similar_topics

    hits, timings, misses = 0, [], []
    with app.app_context():
        for title, target in SIMILAR_PAIRS:
            topic_id = db.session.scalar(sa.select(Topic.id).where(
                Topic.title.contains(target, autoescape=True)))
            started = time.perf_counter()
            found = [item.topic_id for item in similar_topics(None, title)]
            timings.append((time.perf_counter() - started) * 1000)
            if topic_id in found[:5]:
                hits += 1
            else:
                misses.append(title)
            if verbose:
                rank = found.index(topic_id) + 1 if topic_id in found else "-"
                print(f"similar {title:<24} rank {rank}")
    return {"similar_pairs": len(SIMILAR_PAIRS),
            "similar_top5_hit_rate": round(hits / len(SIMILAR_PAIRS), 3),
            "similar_misses": misses,
            "similar_median_ms": round(sorted(timings)[len(timings) // 2], 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (its public schema is "
                        "dropped!); default: a temporary SQLite file with whoosh")
    parser.add_argument("--limit", type=int, default=400, help="demo dialogues (default 400)")
    parser.add_argument("--verbose", action="store_true", help="a line per query")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep the database and index "
                        "in DIR; a later run with the same DIR (and URL) reuses them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="huzhu-relevance-") as tmp:
        instance = args.keep or Path(tmp)
        instance.mkdir(parents=True, exist_ok=True)
        app = build(args.database_url, instance, args.limit, (instance / "ready").exists())
        qrels = judge(app)
        empty = [q for q, ids in qrels.items() if not ids]
        if empty:
            print(f"queries without any relevant topic: {empty}", file=sys.stderr)
            return 1
        report = evaluate(app, qrels, args.verbose)
        report["summary"].update(evaluate_similar(app, args.verbose))
        with app.app_context():
            from search import services

            report["summary"]["backend"] = services.backend().name
    print(json.dumps(report["summary"], ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
