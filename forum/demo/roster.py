"""Who and what the demo contains: the five tribes of PRODUCT §1 and the demo accounts."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD = "huzhu-demo"
ADMIN_PASSWORD = "huzhu-admin"


@dataclass(frozen=True)
class DemoTribe:
    slug: str
    name: str
    icon: str
    description: str


TRIBES: tuple[DemoTribe, ...] = (
    DemoTribe("liuliang", "流量管家", "📶",
              "流量查询、流量包选择、超额扣费与省流量技巧，一起把每一兆都用在刀刃上。"),
    DemoTribe("youxiang", "移动邮箱", "📧",
              "139 邮箱、短信与彩信、验证码、手机营业厅和客户端的使用问题与心得。"),
    DemoTribe("5g-taocan", "5G与套餐", "📱",
              "5G 网络、资费套餐、合约机、携号转网与业务办理，帮你挑到最合适的套餐。"),
    DemoTribe("kuandai", "宽带与家庭网络", "🏠",
              "宽带报装与维修、光猫路由器、家庭 WiFi、信号覆盖与网速问题互助。"),
    DemoTribe("huafei", "话费与账单", "💰",
              "话费查询、账单疑问、扣费争议、充值缴费与发票，明明白白消费。"),
)


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    roles: tuple[str, ...]
    verified: bool = False
    bio: str = ""
    # Tribes this user moderates (tribe moderators) or answers in (proxies).
    tribes: tuple[str, ...] = ()

    @property
    def password(self) -> str:
        return ADMIN_PASSWORD if "admin" in self.roles else DEMO_PASSWORD


ALL_SLUGS = tuple(t.slug for t in TRIBES)

USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "社区管理员", ("admin", "employee"), True, "互助社区运营负责人"),
    # Staff moderators (版主/客服): each moderates two tribes and answers there.
    DemoUser("kefu_xiaoyi", "客服小移", ("moderator", "employee"), True,
             "在线客服，专注流量与套餐问题", ("liuliang", "5g-taocan")),
    DemoUser("kefu_anan", "客服安安", ("moderator", "employee"), True,
             "邮箱与账单问题找我", ("youxiang", "huafei")),
    DemoUser("kefu_dawei", "客服大伟", ("moderator", "employee"), False,
             "装维工程师出身的宽带版主", ("kuandai",)),
    DemoUser("banzhu_lin", "林版主", ("moderator", "customer"), False,
             "老用户，义务版主", ("kuandai", "huafei")),
    # Service proxies (服务代理): recruited customers and one front-line employee.
    DemoUser("laowang_ll", "流量达人老王", ("proxy", "customer"), True,
             "十年老用户，省流量小能手", ("liuliang",)),
    DemoUser("xiaoli_kd", "宽带小李", ("proxy", "customer"), False,
             "光猫路由器折腾爱好者", ("kuandai",)),
    DemoUser("taocan_jl", "套餐精灵", ("proxy", "customer"), True,
             "资费对比专家", ("5g-taocan",)),
    DemoUser("amin_hf", "话费管家阿敏", ("proxy", "customer"), False,
             "帮你看懂每一张账单", ("huafei",)),
    DemoUser("xiaoqing_yx", "邮箱小青", ("proxy", "customer"), False,
             "139 邮箱重度用户", ("youxiang",)),
    DemoUser("chen_shifu", "营业厅陈师傅", ("proxy", "employee"), False,
             "营业厅一线员工，兼任服务代理", ("5g-taocan", "huafei")),
    # Employees (员工).
    DemoUser("zhou_gong", "周工", ("employee",), False, "网络优化部"),
    DemoUser("wu_jingli", "吴经理", ("employee",), False, "市场部客户经理"),
    DemoUser("he_gcs", "何工程师", ("employee",), False, "家庭宽带装维"),
    DemoUser("sun_xiaomei", "孙小美", ("employee", "customer"), False, "客服中心新人"),
    # Customers (客户/网友); a few are verified (加V) opinion leaders.
    DemoUser("afeng_tech", "数码博主阿峰", ("customer",), True, "科技博主，测评各家套餐"),
    DemoUser("zifei_lab", "资费研究所", ("customer",), True, "专注运营商资费解读"),
    DemoUser("xiaomao", "爱上网的小猫", ("customer",)),
    DemoUser("bj_dagong", "北京打工人", ("customer",)),
    DemoUser("gz_aqiang", "广州阿强", ("customer",)),
    DemoUser("liuliang_bgy", "流量不够用", ("customer",)),
    DemoUser("yemaozi", "夜猫子宽带党", ("customer",)),
    DemoUser("jingda_mama", "精打细算的妈妈", ("customer",)),
    DemoUser("xsd_xiaowang", "学生党小王", ("customer",)),
    DemoUser("lao_litou", "退休老李头", ("customer",)),
    DemoUser("chuchai_kr", "出差狂人", ("customer",)),
    DemoUser("zhuiju_sn", "追剧少女", ("customer",)),
    DemoUser("sh_xiaozhang", "上海小张", ("customer",)),
    DemoUser("cd_pangge", "成都胖哥", ("customer",)),
    DemoUser("fz_ahui", "福州阿辉", ("customer",)),
    DemoUser("xa_xiaoyu", "西安小雨", ("customer",)),
    DemoUser("sd_laozhao", "山东老赵", ("customer",)),
    DemoUser("nj_xiaochen", "南京小陈", ("customer",)),
    DemoUser("whale_ge", "鲸鱼哥", ("customer",)),
    DemoUser("coffee_mao", "咖啡猫", ("customer",)),
)

ADMIN_USERNAME = "admin"


def tribe_moderators(slug: str) -> list[str]:
    """Staff moderators assigned to a tribe (proxies answer there but do not moderate)."""
    return [u.username for u in USERS if "moderator" in u.roles and slug in u.tribes]


def responders(slug: str) -> list[str]:
    """Who answers helpdesk-style in a tribe: its moderators and proxies."""
    return [u.username for u in USERS
            if slug in u.tribes and {"moderator", "proxy"} & set(u.roles)]


def askers() -> list[str]:
    """Topic authors: customers mostly, employees occasionally (as in real life)."""
    return [u.username for u in USERS
            if "customer" in u.roles and "moderator" not in u.roles and "proxy" not in u.roles]
