"""The demo enterprise base (企业库): invented companies all over China, as a registry exports them.

Each row is what a data vendor's company list holds (企业名称, 统一社会信用代码, 法定代表人, 注册资本,
成立日期, 登记状态, 所属省份/城市/区县, 企业类型, 国标行业, 参保人数, 经营范围, 企业地址), drawn with
its own random stream (seeded with the demo seed), so the rest of the demo is untouched:

- the place: a current county of the region table, weighted towards the Yangtze River Delta and
  Guangdong, as the investors of a Jiangsu city are; the credit code carries its adcode;
- seven in ten companies work on an industry chain: their scope is written from the keywords of
  one or two nodes of a shipped chain (chains/data/chains.json) with a registry's boilerplate,
  their industry code is the node's GB/T 4754 class when it has one; the rest trade, build,
  cook, consult or carry goods and land on no chain;
- names are a place prefix, an invented brand (words.json, checked against place names and the
  deny list of real firms), a trade word and a legal form; people's names from the same lists;
- registered capital is log-normal (median about 1,000万元), insured staff grows with it, the
  founding date falls between 1993 and the reference year, more of them recent.

:func:`build_enterprises` writes the rows to a CSV file and loads it through the enterprise-base
import (yinli.chains.enterprise), then classifies the companies it created — the same path a
city's analyst takes with a vendor's file.
"""

from __future__ import annotations

import csv
import json
import math
import os
import random
import tempfile
from collections.abc import Iterator
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from django.conf import settings

from yinli.companies.uscc import generate_uscc

from .naming import names_a_place, names_a_real_company, weighted, words

DEFAULT_COUNT = 30_000
SOURCE = "演示企业库"

HEADER = [
    "企业名称",
    "统一社会信用代码",
    "法定代表人",
    "注册资本",
    "成立日期",
    "登记状态",
    "所属省份",
    "所属城市",
    "所属区县",
    "企业类型",
    "国标行业",
    "参保人数",
    "经营范围",
    "企业地址",
]

# Share of the companies by province (adcode prefix); the rest spread over the others.
PROVINCE_WEIGHTS = {
    "32": 16,  # 江苏
    "33": 10,  # 浙江
    "31": 8,  # 上海
    "34": 6,  # 安徽
    "44": 13,  # 广东
    "11": 5,  # 北京
    "37": 5,  # 山东
    "12": 2,  # 天津
    "35": 3,  # 福建
    "42": 3,  # 湖北
    "51": 3,  # 四川
    "50": 2,  # 重庆
    "61": 2,  # 陕西
    "43": 2,  # 湖南
    "41": 2,  # 河南
}
OTHER_PROVINCES = 15
HOME_SHARE = 0.02  # of the companies in the home city (so that it has a base of its own)

CHAIN_DIVISIONS = {
    "光伏": "C38",
    "动力电池与储能": "C38",
    "新能源及新型电力装备": "C38",
    "生物医药及大健康": "C27",
    "航空航天及低空": "C37",
    "新材料及精细化工": "C26",
    "智能装备及涉港产业": "C34",
}
CHAIN_TRADES = {
    "光伏": ["光伏科技", "新能源科技", "光电科技", "光能科技", "能源科技"],
    "动力电池与储能": ["储能科技", "新能源科技", "电池科技", "动力科技", "能源技术"],
    "新能源及新型电力装备": ["电气", "电力装备", "电力科技", "氢能科技", "能源装备"],
    "生物医药及大健康": ["生物科技", "医药科技", "医疗器械", "药业", "健康科技"],
    "航空航天及低空": ["航空科技", "航空装备", "无人机科技", "飞行器", "通航科技"],
    "新材料及精细化工": ["新材料", "材料科技", "化工", "高分子材料", "复合材料"],
    "智能装备及涉港产业": ["智能装备", "机器人科技", "自动化科技", "精密机械", "重工"],
}
# Companies of no chain: (trade word, scope, GB/T 4754 code).
OTHER_TRADES = [
    ("餐饮管理", "餐饮服务；食品销售；餐饮管理", "H6210"),
    ("商贸", "日用百货销售；五金产品批发；服装服饰零售；针纺织品销售", "F5139"),
    ("物业服务", "物业管理；停车场服务；家政服务；园林绿化工程施工", "K7020"),
    ("置业", "房地产开发经营；房地产经纪；住房租赁", "K7010"),
    ("企业管理咨询", "企业管理咨询；市场营销策划；会议及展览服务；礼仪服务", "L7243"),
    ("物流", "道路货物运输（不含危险货物）；普通货物仓储服务；国内货物运输代理", "G5430"),
    ("建筑工程", "建设工程施工；建筑劳务分包；建筑材料销售；市政设施管理", "E4700"),
    ("文化传媒", "广告设计、代理；广告制作；组织文化艺术交流活动；摄影扩印服务", "L7251"),
    ("农业发展", "谷物种植；蔬菜种植；水果种植；农产品的生产、销售、加工、运输", "A0141"),
    ("酒店管理", "住宿服务；酒店管理；餐饮服务", "H6110"),
]
ENTERPRISE_TYPES = [
    ("有限责任公司(自然人投资或控股)", 60),
    ("有限责任公司(自然人独资)", 10),
    ("股份有限公司(非上市、自然人投资或控股)", 7),
    ("股份有限公司(上市、自然人投资或控股)", 1),
    ("有限责任公司(法人独资)", 8),
    ("有限责任公司(外商投资、非独资)", 4),
    ("有限责任公司(台港澳法人独资)", 3),
    ("有限责任公司(国有控股)", 3),
    ("有限责任公司(国有独资)", 2),
    ("个人独资企业", 2),
]
STATUSES = [("存续", 82), ("在业", 10), ("迁出", 2), ("注销", 4), ("吊销", 2)]
ACTIVITIES = ["研发、制造、销售", "研发、生产", "生产、销售", "设计、研发、制造", "制造、加工"]
BOILERPLATE = [
    "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广",
    "货物进出口；技术进出口",
    "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）",
    "许可项目：道路货物运输（不含危险货物）（依法须经批准的项目，经相关部门批准后方可开展经营活动，"
    "具体经营项目以相关部门批准文件或许可证件为准）",
]
FORMS = [("有限公司", 75), ("股份有限公司", 12), ("有限责任公司", 13)]


@cache
def _chains() -> list[dict]:
    from yinli.chains.loading import CHAINS_FILE

    return json.loads(Path(CHAINS_FILE).read_text(encoding="utf-8"))["chains"]


@cache
def _brands() -> tuple[str, ...]:
    """Every brand the word lists allow: two characters (or three syllables) that name no place
    and contain no real firm's name."""
    w = words()
    found = []
    for first in w["brand_first"]:
        for second in w["brand_second"]:
            if first != second:
                found.append(first + second)
    syllables = w["brand_syllables"]
    for a in syllables[:20]:
        for b in syllables[5:25]:
            for c in syllables[10:]:
                if len({a, b, c}) == 3:
                    found.append(a + b + c)
    return tuple(b for b in found if not names_a_place(b) and not names_a_real_company(b))


def _places() -> list[tuple[str, str, str, str, str]]:
    """(adcode, province, city, county, province code) of every current county of China."""
    from yinli.core.models import Region, RegionKind

    rows = (
        Region.objects.filter(kind=RegionKind.COUNTY, country="CN", valid_to__isnull=True)
        .exclude(city__isnull=True)
        .order_by("code")
        .values_list("code", "province__name", "city__name", "name")
    )
    return [(code, province, city, county, code[:2]) for code, province, city, county in rows]


def _place_picker(rng: random.Random, places, home: str):
    by_province: dict[str, list] = {}
    for place in places:
        by_province.setdefault(place[4], []).append(place)
    home_places = [p for p in places if p[0][:4] == home[:4]]
    others = [p for p in by_province if p not in PROVINCE_WEIGHTS]
    weights = [(p, w) for p, w in PROVINCE_WEIGHTS.items() if p in by_province]
    weights += [(p, OTHER_PROVINCES / max(len(others), 1)) for p in others]
    provinces = [p for p, _w in weights]
    cumulative, total = [], 0.0
    for _p, weight in weights:
        total += weight
        cumulative.append(total)

    def pick():
        if home_places and rng.random() < HOME_SHARE:
            return rng.choice(home_places)
        province = rng.choices(provinces, cum_weights=cumulative, k=1)[0]
        return rng.choice(by_province[province])

    return pick


def _scope(rng: random.Random, nodes: list[dict]) -> str:
    items = []
    for node in nodes:
        keywords = node["keywords"]
        picked = rng.sample(keywords, k=min(len(keywords), rng.choice([1, 1, 2])))
        items.append(f"{'、'.join(picked)}{rng.choice(ACTIVITIES)}")
    head = "一般项目：" if rng.random() < 0.6 else ""
    tail = "；".join(rng.sample(BOILERPLATE[:2], k=rng.choice([1, 2])))
    return f"{head}{'；'.join(items)}；{tail}{BOILERPLATE[2]}"


def enterprise_rows(
    count: int,
    *,
    seed: int,
    reference_date: date | None = None,
    places=None,
    home: str | None = None,
    taken: set[str] | None = None,
    thin_at_home: set[tuple[str, str]] | None = None,
) -> Iterator[list]:
    """``count`` rows under :data:`HEADER`, the same for the same seed; no name of ``taken``
    (the companies there are already) is used again. A company of the home city is never
    written onto a (chain, node) of ``thin_at_home``: the links the city lacks stay weak or
    missing on the chain map, as they would in a real city's base."""
    thin_at_home = thin_at_home or set()
    rng = random.Random(f"{seed}-enterprises")
    w = words()
    reference_date = reference_date or date(2025, 8, 10)
    home = home or getattr(settings, "HOME_REGION", "321100")
    places = places if places is not None else _places()
    pick_place = _place_picker(rng, places, home)
    brands = _brands()
    chains = _chains()
    first_day = date(1993, 1, 1)
    span = (reference_date - first_day).days
    given = w["given_chars"]
    surnames = w["surnames"]
    codes_seen: set[str] = set()
    names_seen: set[str] = set(taken or ())
    made = 0
    while made < count:
        code, province, city, county, _p = pick_place()
        prefix = city.removesuffix("市") if rng.random() < 0.7 else province[:2]
        brand = rng.choice(brands)
        on_chain = rng.random() < 0.7
        if on_chain:
            chain = rng.choice(chains)
            nodes = chain["nodes"]
            if code[:4] == home[:4] and thin_at_home:
                nodes = [n for n in nodes if (chain["name"], n["name"]) not in thin_at_home]
                on_chain = bool(nodes)
        if on_chain:
            picked = [rng.choice(nodes)]
            if rng.random() < 0.25:
                extra = rng.choice(nodes)
                if extra is not picked[0]:
                    picked.append(extra)
            trade = rng.choice(CHAIN_TRADES.get(chain["name"], ["科技"]))
            scope = _scope(rng, picked)
            node_codes = picked[0].get("codes") or []
            division = CHAIN_DIVISIONS.get(chain["name"], "C")
            industry = (
                (division[0] + rng.choice(node_codes))
                if node_codes and rng.random() < 0.8
                else division
            )
        else:
            trade, scope, industry = rng.choice(OTHER_TRADES)
        name = f"{prefix}{brand}{trade}{weighted(rng, FORMS)}"
        if name in names_seen or names_a_real_company(name):
            continue
        uscc = generate_uscc(rng, region=code)
        if uscc in codes_seen:
            continue
        names_seen.add(name)
        codes_seen.add(uscc)
        capital = math.exp(rng.gauss(math.log(1000), 1.4))
        capital = max(10, int(round(capital, -1 if capital < 1000 else -2)))
        staff = max(0, int(math.exp(rng.gauss(math.log(max(capital, 10)) * 0.55, 0.9))))
        founded = first_day + timedelta(days=int(span * (rng.random() ** 0.6)))
        city_part = "" if city == province else city
        made += 1
        yield [
            name,
            uscc,
            rng.choice(surnames) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2, 2)))),
            rng.choice((f"{capital}万人民币", f"{capital}万元", f"{capital}万元人民币")),
            founded.isoformat()
            if rng.random() < 0.85
            else f"{founded.year}年{founded.month}月{founded.day}日",
            weighted(rng, STATUSES),
            province,
            city,
            county,
            weighted(rng, ENTERPRISE_TYPES),
            industry,
            str(staff) if rng.random() < 0.9 else "",
            scope,
            f"{province}{city_part}{county}{rng.choice(w['road_first'])}"
            f"{rng.choice(w['road_second'])}{rng.choice(w['road_suffix'])}{rng.randint(1, 999)}号",
        ]


def write_csv(path: Path, rows) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def demo_count() -> int:
    """Companies in the demo enterprise base: YINLI_DEMO_ENTERPRISES (0 for none), else the
    setting DEMO_ENTERPRISES, else :data:`DEFAULT_COUNT`."""
    value = os.environ.get("YINLI_DEMO_ENTERPRISES") or getattr(
        settings, "DEMO_ENTERPRISES", DEFAULT_COUNT
    )
    return max(0, int(value))


def _thin_at_home() -> set[tuple[str, str]]:
    """(chain, node) pairs with fewer local companies than "present" asks, before the base."""
    from yinli.chains.models import Chain, ChainNode
    from yinli.chains.selectors import PRESENT_AT, placements_by_chain

    placed = placements_by_chain()
    names = dict(Chain.objects.values_list("pk", "name"))
    thin = set()
    for node in ChainNode.objects.order_by("pk"):
        local = placed.get(node.chain_id)
        if local is None or len(local.local.get(node.pk, ())) < PRESENT_AT:
            thin.add((names.get(node.chain_id, ""), node.name))
    return thin


def build_enterprises(
    *, seed: int, user, reference_date: date | None = None, count: int | None = None
) -> dict[str, int]:
    """Generate the enterprise base and load it through the enterprise-base import, classified."""
    from yinli.chains.enterprise import import_enterprises
    from yinli.companies.models import Company

    count = demo_count() if count is None else count
    if count <= 0:
        return {"enterprise_base": 0}
    thin = _thin_at_home()
    with tempfile.TemporaryDirectory(prefix="yinli-demo-") as folder:
        path = write_csv(
            Path(folder) / "演示企业库.csv",
            enterprise_rows(
                count,
                seed=seed,
                reference_date=reference_date,
                taken=set(Company.all_objects.values_list("name", flat=True)),
                thin_at_home=thin,
            ),
        )
        result = import_enterprises(path=path, user=user, source=SOURCE, classify=True)
    if not result.committed:  # pragma: no cover - the generator writes valid rows
        raise RuntimeError(f"the demo enterprise base did not import: {result.errors[:3]}")
    return {
        "enterprise_base": result.counts["created"] + result.counts["updated"],
        "enterprise_base_placed": (result.classification or {}).get("placed_companies", 0),
    }
