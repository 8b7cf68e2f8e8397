"""The demo city as data: its organisation, logins, industry directions, tags and events.

Modelled on the Zhenjiang (镇江, adcode 321100) of the city newspaper's 2025 half-year report
(../shared/reference): its districts and parks, the development zone's eight investment bureaus
merged into six on 2025-01-01, its teams, the Beijing liaison office. People and firms are
invented (yinli.demo.naming); places are real.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from yinli.core.models import OrgKind, Role

CITY_CODE = "demo-city"  # the 演示数据 marker (yinli.demo.services.is_demo_city) looks for it
HOME_REGION = "321100"
REORGANISED_ON = date(2025, 1, 1)
FOUNDED = date(2019, 1, 1)


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    parent: str | None
    region: str | None = None
    short_name: str = ""
    valid_from: date | None = None
    industries: tuple[str, ...] = ()


@dataclass(frozen=True)
class District:
    """A district or park (板块): how much it attracts and what it attracts."""

    code: str
    weight: float
    industries: dict[str, float] = field(default_factory=dict)
    counties: tuple[str, ...] = ()  # where its local companies are registered


DISTRICTS: dict[str, District] = {
    d.code: d
    for d in [
        District(
            "jingkai",
            0.24,
            {
                "生物医药及大健康": 3,
                "航空航天及低空": 3,
                "新能源及新型电力装备": 3,
                "新材料及精细化工": 3,
                "智能装备及涉港产业": 3,
                "现代服务业": 1,
                "数字经济": 0.6,
                "新一代信息技术": 0.6,
                "现代物流": 0.6,
            },
            ("321100", "321102"),
        ),
        District(
            "danyang",
            0.15,
            {
                "眼镜": 3,
                "汽车零部件": 3,
                "高端装备制造": 2,
                "新材料及精细化工": 1,
                "新能源及新型电力装备": 1,
                "现代服务业": 0.6,
                "现代物流": 0.4,
                "现代农业": 0.3,
                "城市更新": 0.2,
            },
            ("321181",),
        ),
        District(
            "jurong",
            0.11,
            {
                "文旅": 3,
                "新能源及新型电力装备": 2,
                "数字经济": 2,
                "现代服务业": 1,
                "生物医药及大健康": 1,
                "高端装备制造": 0.7,
                "现代农业": 0.5,
                "城市更新": 0.2,
            },
            ("321183",),
        ),
        District(
            "yangzhong",
            0.10,
            {
                "新能源及新型电力装备": 4,
                "高端装备制造": 2,
                "智能装备及涉港产业": 1,
                "现代服务业": 0.6,
                "文旅": 0.3,
            },
            ("321182",),
        ),
        District(
            "jingkou",
            0.11,
            {
                "新一代信息技术": 3,
                "新材料及精细化工": 2,
                "现代服务业": 2,
                "数字经济": 1.5,
                "智能装备及涉港产业": 1,
                "城市更新": 0.2,
            },
            ("321102",),
        ),
        District(
            "dantu",
            0.11,
            {
                "新能源及新型电力装备": 2,
                "高端装备制造": 2,
                "汽车零部件": 2,
                "新材料及精细化工": 1,
                "现代物流": 1,
                "文旅": 0.5,
                "现代农业": 0.4,
            },
            ("321112",),
        ),
        District(
            "runzhou",
            0.08,
            {
                "现代服务业": 3,
                "数字经济": 3,
                "文旅": 1.5,
                "新一代信息技术": 1.5,
                "生物医药及大健康": 1,
                "城市更新": 0.4,
            },
            ("321111",),
        ),
        District(
            "gaoxin",
            0.10,
            {
                "新一代信息技术": 3,
                "智能装备及涉港产业": 2,
                "生物医药及大健康": 2,
                "高端装备制造": 2,
                "数字经济": 1,
            },
            ("321111", "321112"),
        ),
    ]
}

PARKS = ("jingkai", "gaoxin")  # parks (经开区, 高新区) rather than districts or county-level cities

# 经开区: the bureau that handles each industry direction, before and after 2025-01-01.
JINGKAI_OLD_BUREAU = {
    "生物医药及大健康": "jk-old-bio",
    "航空航天及低空": "jk-old-aero",
    "新能源及新型电力装备": "jk-old-energy",
    "新材料及精细化工": "jk-old-material",
    "智能装备及涉港产业": "jk-old-equipment",
    "高端装备制造": "jk-old-equipment",
    "汽车零部件": "jk-old-equipment",
    "新一代信息技术": "jk-old-service",
    "现代服务业": "jk-old-service",
    "数字经济": "jk-old-service",
    "现代物流": "jk-old-port",
    "文旅": "jk-old-service",
}
JINGKAI_NEW_BUREAU = {
    "生物医药及大健康": "jk-bio",
    "航空航天及低空": "jk-aero",
    "新能源及新型电力装备": "jk-energy",
    "新材料及精细化工": "jk-material",
    "智能装备及涉港产业": "jk-equipment",
    "高端装备制造": "jk-equipment",
    "汽车零部件": "jk-equipment",
    "新一代信息技术": "jk-service",
    "现代服务业": "jk-service",
    "数字经济": "jk-service",
    "现代物流": "jk-equipment",
    "文旅": "jk-service",
}
# The merger of 2025-01-01: eight bureaus into six (精细化工 joins 新材料; 临港 joins 智能装备).
JINGKAI_REORGANISATION = {
    "jk-old-bio": "jk-bio",
    "jk-old-aero": "jk-aero",
    "jk-old-energy": "jk-energy",
    "jk-old-material": "jk-material",
    "jk-old-chemical": "jk-material",
    "jk-old-equipment": "jk-equipment",
    "jk-old-port": "jk-equipment",
    "jk-old-service": "jk-service",
}

B, T, D = OrgKind.BUREAU, OrgKind.TEAM, OrgKind.DISTRICT
R2025 = REORGANISED_ON

UNITS: list[Unit] = [
    Unit(CITY_CODE, "镇江市", OrgKind.CITY, None, HOME_REGION, "镇江市"),
    Unit("city-commerce", "市商务局", OrgKind.DEPARTMENT, CITY_CODE, HOME_REGION),
    Unit(
        "city-promotion",
        "市商务局投资促进处",
        OrgKind.DEPARTMENT,
        "city-commerce",
        HOME_REGION,
        "投资促进处",
    ),
    Unit("city-ipc", "市国际投资促进中心", OrgKind.DEPARTMENT, CITY_CODE, HOME_REGION, "投促中心"),
    Unit(
        "beijing-office",
        "央企（北京）招商代表处",
        OrgKind.OFFICE,
        CITY_CODE,
        "110100",
        "北京代表处",
        date(2025, 3, 1),
    ),
    # Districts and parks (板块).
    Unit("jingkou", "京口区", D, CITY_CODE, "321102"),
    Unit("runzhou", "润州区", D, CITY_CODE, "321111"),
    Unit("dantu", "丹徒区", D, CITY_CODE, "321112"),
    Unit("danyang", "丹阳市", D, CITY_CODE, "321181"),
    Unit("jurong", "句容市", D, CITY_CODE, "321183"),
    Unit("yangzhong", "扬中市", D, CITY_CODE, "321182"),
    Unit(
        "jingkai",
        "镇江经开区",
        D,
        CITY_CODE,
        HOME_REGION,
        "经开区",
        industries=(
            "生物医药及大健康",
            "航空航天及低空",
            "新能源及新型电力装备",
            "新材料及精细化工",
            "智能装备及涉港产业",
        ),
    ),
    Unit("gaoxin", "镇江高新区", D, CITY_CODE, HOME_REGION, "高新区"),
    # Their investment bureaus and teams.
    Unit("jingkou-ipc", "京口区投资促进中心", B, "jingkou"),
    Unit("jingkou-tech", "京口区科创招商小分队", T, "jingkou-ipc"),
    Unit("runzhou-bureau", "润州区招商服务中心", B, "runzhou"),
    Unit("dantu-ipc", "丹徒区投资促进中心", B, "dantu"),
    Unit("dantu-energy", "丹徒区新能源招商小分队", T, "dantu-ipc"),
    Unit("danyang-ipc", "丹阳市投资促进中心", B, "danyang"),
    Unit("danyang-glasses", "丹阳市眼镜产业招商组", T, "danyang-ipc"),
    Unit("danyang-auto", "丹阳市汽车零部件产业招商组", T, "danyang-ipc"),
    Unit("jurong-ipc", "句容市投资促进中心", B, "jurong"),
    Unit("jurong-tourism", "句容市文旅招商小分队", T, "jurong-ipc"),
    Unit("yangzhong-ipc", "扬中市投资促进中心", B, "yangzhong"),
    Unit("yangzhong-power", "扬中市电力装备产业招商组", T, "yangzhong-ipc"),
    Unit("gaoxin-bureau", "镇江高新区招商局", B, "gaoxin"),
    Unit("gaoxin-market", "镇江高新区市场化招商小分队", T, "gaoxin-bureau"),
    # 经开区 before 2025: eight bureaus (ended by the reorganisation, not here).
    Unit("jk-old-bio", "生物医药产业招商局", B, "jingkai", valid_from=FOUNDED),
    Unit("jk-old-aero", "航空航天产业招商局", B, "jingkai", valid_from=FOUNDED),
    Unit("jk-old-energy", "新能源产业招商局", B, "jingkai", valid_from=FOUNDED),
    Unit("jk-old-material", "新材料产业招商局", B, "jingkai", valid_from=FOUNDED),
    Unit("jk-old-chemical", "精细化工产业招商局", B, "jingkai", valid_from=FOUNDED),
    Unit("jk-old-equipment", "高端装备产业招商局", B, "jingkai", valid_from=FOUNDED),
    Unit("jk-old-port", "临港产业招商局", B, "jingkai", valid_from=FOUNDED),
    Unit("jk-old-service", "现代服务业招商局", B, "jingkai", valid_from=FOUNDED),
    # 经开区 from 2025: six bureaus, ten 产业组 and the 小分队.
    Unit("jk-bio", "生物医药及大健康产业招商局", B, "jingkai", valid_from=R2025),
    Unit("jk-aero", "航空航天及低空产业招商局", B, "jingkai", valid_from=R2025),
    Unit("jk-energy", "新能源及新型电力装备产业招商局", B, "jingkai", valid_from=R2025),
    Unit("jk-material", "新材料及精细化工产业招商局", B, "jingkai", valid_from=R2025),
    Unit("jk-equipment", "智能装备及涉港产业招商局", B, "jingkai", valid_from=R2025),
    Unit("jk-service", "科技及服务业招商局", B, "jingkai", valid_from=R2025),
    Unit("jk-bio-drug", "创新药产业组", T, "jk-bio", valid_from=R2025),
    Unit("jk-bio-device", "医疗器械及大健康产业组", T, "jk-bio", valid_from=R2025),
    Unit("jk-aero-low", "航空航天及低空产业组", T, "jk-aero", valid_from=R2025),
    Unit("jk-energy-pv", "光伏储能产业组", T, "jk-energy", valid_from=R2025),
    Unit("jk-energy-grid", "新型电力装备产业组", T, "jk-energy", valid_from=R2025),
    Unit("jk-material-new", "新材料产业组", T, "jk-material", valid_from=R2025),
    Unit("jk-material-chem", "精细化工产业组", T, "jk-material", valid_from=R2025),
    Unit("jk-equipment-smart", "智能装备产业组", T, "jk-equipment", valid_from=R2025),
    Unit("jk-equipment-port", "涉港产业组", T, "jk-equipment", valid_from=R2025),
    Unit("jk-service-tech", "科技服务产业组", T, "jk-service", valid_from=R2025),
    Unit("jk-squad-shanghai", "经开区驻上海招商小分队", T, "jingkai", valid_from=date(2023, 3, 1)),
    Unit("jk-squad-shenzhen", "经开区驻深圳招商小分队", T, "jingkai", valid_from=date(2023, 3, 1)),
    Unit("jk-squad-europe", "经开区欧洲招商小分队", T, "jingkai", valid_from=R2025),
]


@dataclass(frozen=True)
class Login:
    username: str
    display_name: str
    role: str
    unit: str
    superuser: bool = False


# The demo logins (password yinli.demo.accounts.DEMO_PASSWORD). `newenergy` starts in the old
# 新能源产业招商局 and moves to its successor with the reorganisation.
LOGINS: list[Login] = [
    Login("admin", "系统管理员", Role.CITY_ADMIN, CITY_CODE, superuser=True),
    Login("analyst", "程思远", Role.CITY_ANALYST, "city-promotion"),
    Login("jingkou", "刘晓雯", Role.DISTRICT_EDITOR, "jingkou"),
    Login("jingkai", "周立新", Role.DISTRICT_EDITOR, "jingkai"),
    Login("newenergy", "孙嘉怡", Role.TEAM_MEMBER, "jk-old-energy"),
    Login("beijing", "赵鹏程", Role.TEAM_MEMBER, "beijing-office"),
    Login("leader", "市领导（演示）", Role.VIEWER, CITY_CODE),
    Login("gaoxin", "陈雨涵", Role.VIEWER, "gaoxin"),
]


@dataclass(frozen=True)
class IndustrySpec:
    name: str
    category: str
    synonyms: tuple[str, ...]
    fai_class: str  # 2-digit class of GB/T 4754 used in the investment project code


INDUSTRIES: list[IndustrySpec] = [
    IndustrySpec(
        "生物医药及大健康",
        "industrial",
        ("生物医药", "医药", "医疗器械", "大健康", "创新药", "体外诊断"),
        "27",
    ),
    IndustrySpec(
        "航空航天及低空",
        "industrial",
        ("航空航天", "航空", "低空经济", "无人机", "通用航空", "eVTOL"),
        "37",
    ),
    IndustrySpec(
        "新能源及新型电力装备",
        "industrial",
        ("新能源", "光伏", "储能", "电力装备", "输变电", "氢能", "动力电池"),
        "38",
    ),
    IndustrySpec(
        "新材料及精细化工",
        "industrial",
        ("新材料", "精细化工", "化工", "高分子材料", "复合材料"),
        "26",
    ),
    IndustrySpec(
        "智能装备及涉港产业",
        "industrial",
        ("智能装备", "智能制造", "机器人", "涉港产业", "港口装备"),
        "35",
    ),
    IndustrySpec(
        "高端装备制造",
        "industrial",
        ("高端装备", "装备制造", "船舶配套", "工程机械", "通用设备"),
        "34",
    ),
    IndustrySpec(
        "新一代信息技术", "industrial", ("电子信息", "半导体", "集成电路", "光通信", "传感器"), "39"
    ),
    IndustrySpec(
        "汽车零部件", "industrial", ("汽车", "汽车配件", "新能源汽车零部件", "汽车电子"), "36"
    ),
    IndustrySpec("眼镜", "industrial", ("眼镜", "光学镜片", "镜架", "眼视光"), "40"),
    IndustrySpec(
        "现代服务业",
        "service",
        ("服务业", "总部经济", "供应链", "商贸", "检验检测", "科技服务"),
        "72",
    ),
    IndustrySpec(
        "数字经济", "service", ("软件", "数据中心", "算力", "工业互联网", "信息服务"), "65"
    ),
    IndustrySpec("文旅", "service", ("文化旅游", "旅游", "酒店", "康养"), "87"),
    IndustrySpec("现代物流", "service", ("物流", "仓储", "冷链", "供应链集配"), "59"),
    IndustrySpec("现代农业", "other", ("农业", "智慧农业", "种业"), "01"),
    IndustrySpec("城市更新", "other", ("房地产", "城市更新", "人才公寓"), "70"),
]
INDUSTRY_BY_NAME = {spec.name: spec for spec in INDUSTRIES}
COUNTED_INDUSTRIES = [s.name for s in INDUSTRIES if s.category in ("industrial", "service")]
OTHER_INDUSTRIES = [s.name for s in INDUSTRIES if s.category == "other"]

TAGS = [
    "重大项目",
    "专精特新",
    "链主企业",
    "上市公司",
    "世界500强",
    "中国500强",
    "央企合作",
    "高新技术企业",
    "总部项目",
    "研发中心",
    "“876”创新引领工程",
]


@dataclass(frozen=True)
class EventSpec:
    key: str
    name: str
    kind: str
    held_on: date
    place: str
    organiser: str
    leaders: str = ""
    programme: str = ""
    ends_on: date | None = None


# Events; the 2025 Shanghai signing is the report's: 20 projects, 165.2亿元 (yinli.demo.targets).
EVENTS: list[EventSpec] = [
    EventSpec(
        "sh2023",
        "2023镇江（上海）产业项目集中签约活动",
        "signing",
        date(2023, 3, 23),
        "310100",
        "city-commerce",
        "市委、市政府主要领导",
        "“4232”招商活动",
    ),
    EventSpec(
        "sz2023",
        "镇深互动·2023镇江（深圳）产业合作推介会",
        "promotion",
        date(2023, 6, 15),
        "440300",
        "city-commerce",
        "市政府主要领导",
        "“4232”招商活动",
    ),
    EventSpec(
        "hk2023",
        "2023镇江（香港）投资推介会",
        "promotion",
        date(2023, 11, 8),
        "810000",
        "city-ipc",
        "市政府分管领导",
    ),
    EventSpec(
        "sh2024",
        "2024镇江（上海）产业项目集中签约活动",
        "signing",
        date(2024, 3, 28),
        "310100",
        "city-commerce",
        "市委、市政府主要领导",
        "“4232”招商活动",
    ),
    EventSpec(
        "bj2024",
        "央企与镇江产业合作对接会",
        "forum",
        date(2024, 4, 18),
        "110100",
        "city-ipc",
        "市政府主要领导",
    ),
    EventSpec(
        "sz2024",
        "镇深互动·2024镇江（深圳）产业合作推介会",
        "promotion",
        date(2024, 6, 20),
        "440300",
        "city-commerce",
        "市政府主要领导",
        "“4232”招商活动",
    ),
    EventSpec(
        "jp2024",
        "赴日本经贸交流活动",
        "visit_abroad",
        date(2024, 9, 10),
        "JP-TOKYO",
        "city-commerce",
        "市政府分管领导",
        ends_on=date(2024, 9, 14),
    ),
    EventSpec(
        "bj2025",
        "央企（北京）招商代表处揭牌暨央企合作对接会",
        "forum",
        date(2025, 3, 12),
        "110100",
        "beijing-office",
        "市政府主要领导",
    ),
    EventSpec(
        "sh2025",
        "2025镇江（上海）产业项目集中签约活动",
        "signing",
        date(2025, 3, 27),
        "310100",
        "city-commerce",
        "市委、市政府主要领导",
        "“4232”招商活动",
    ),
    EventSpec(
        "sz2025",
        "镇深互动·2025镇江（深圳）产业合作推介会",
        "promotion",
        date(2025, 5, 22),
        "440300",
        "city-commerce",
        "市政府主要领导",
        "“4232”招商活动",
    ),
    EventSpec(
        "at2025",
        "赴奥地利经贸交流活动",
        "visit_abroad",
        date(2025, 7, 8),
        "AT-VIENNA",
        "city-commerce",
        "市政府主要领导",
        ends_on=date(2025, 7, 11),
    ),
    EventSpec(
        "kr2025",
        "赴韩国经贸交流活动",
        "visit_abroad",
        date(2025, 7, 14),
        "KR-SEOUL",
        "city-commerce",
        "市政府主要领导",
        ends_on=date(2025, 7, 17),
    ),
]
EVENT_BY_KEY = {e.key: e for e in EVENTS}
