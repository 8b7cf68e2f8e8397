"""The demo city's companies and projects, planned in memory before anything is written.

`plan_demo(seed=…, reference_date=…)` returns a `DemoPlan`: plain dataclasses, no database.
Everything random comes from one `random.Random(seed)`, so a seed always gives the same city.

How the figures of the report come out exactly (yinli.demo.targets) while the rest stays
random: the projects that count in 2025 H1 are drawn as four groups whose totals are fixed —
the March Shanghai signing (20 projects, 165.2亿), 20 from the Greater Bay Area (115.0亿), the
foreign-funded ones (99.0亿, 8.5%), and the rest — each split into long-tailed amounts by
`draws.exact_split`; 2024 H1 is one such group. Every other month gets a random number of
projects at a similar rate. After the amounts, districts are placed so that 镇江经开区 holds
exactly seven of 2025's projects of 10亿 and more (two of 30亿 and more) and exactly three
state-owned investors. Newly 入库列统 investment is made exact last, by postponing some
projects' 入库 month and topping up one project signed outside the counted half years.

The Planner's companies come from yinli.demo.companies and the rest of each record (people,
names, codes, money, funds, tags) from yinli.demo.details; the records are in
yinli.demo.records.
"""

from __future__ import annotations

import calendar
import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from yinli.core.names import normalize_company_name
from yinli.demo import targets as T
from yinli.demo.city import (
    COUNTED_INDUSTRIES,
    DISTRICTS,
    EVENT_BY_KEY,
    HOME_REGION,
    INDUSTRY_BY_NAME,
    OTHER_INDUSTRIES,
    UNITS,
)
from yinli.demo.companies import CompanyPlanning
from yinli.demo.details import RecordDetails
from yinli.demo.draws import (
    after,
    amount_above,
    amount_between,
    day_in_month,
    exact_split,
    ledger_round,
    months,
    poisson,
    working_day,
)
from yinli.demo.naming import Namer, weighted, words
from yinli.demo.records import CompanyPlan, DemoPlan, ProjectPlan
from yinli.demo.regions import (
    GBA_SAR,
    GBA_WEIGHTS,
    SHANGHAI_AREA,
    SourceDraw,
    full_name,
    short_name,
)

SEASON = {
    1: 0.9,
    2: 0.6,
    3: 1.15,
    4: 1.0,
    5: 1.0,
    6: 1.25,
    7: 0.95,
    8: 0.9,
    9: 1.05,
    10: 0.9,
    11: 1.05,
    12: 1.25,
}
# Counted (亿元以上) signings per month outside the two half years the report fixes.
MONTHLY_COUNTED = {2023: 30.0, 2024: 40.0, 2025: 45.0, 2026: 46.0}
MEAN_COUNTED_WAN = {2023: 42000, 2024: 46000, 2025: 43000, 2026: 44000}
MONTHLY_SMALL = 13.0  # signed below the threshold
MONTHLY_OTHER = 0.7  # signed, category 其他
MONTHLY_OPEN = 34.0  # leads that have not (yet) signed
BEIJING_LEADS = 21  # "在手在谈项目信息21条"
EARLIEST_LEAD = date(2022, 6, 1)


class Planner(CompanyPlanning, RecordDetails):
    def __init__(self, seed: int, reference_date: date):
        if reference_date < date(2025, 7, 1):
            raise ValueError("the demo city needs a reference date on or after 2025-07-01")
        self.seed = seed
        self.ref = reference_date
        self.rng = random.Random(seed)
        self.namer = Namer(self.rng)
        self.sources = SourceDraw(self.rng)
        self.projects: list[ProjectPlan] = []
        self.companies: list[CompanyPlan] = []
        self.staff: dict[str, list[str]] = {}
        self._central_groups: list[CompanyPlan] = []
        self._local_pool: dict[tuple[str, str], list[CompanyPlan]] = defaultdict(list)
        self._brand_of_name: dict[str, str] = {}
        self.jingkai_window = (date(2025, 1, 1), reference_date)

    # Helpers.

    def _project(self, group: str, counted: bool, signed_on: date | None, total, **extra):
        plan = ProjectPlan(len(self.projects) + 1, group, counted, signed_on, total, **extra)
        self.projects.append(plan)
        return plan

    def _spread(
        self,
        slots: list[ProjectPlan],
        first: date,
        last: date,
        weights: dict[int, float] | None = None,
    ) -> None:
        """Give each slot a signing day between first and last, by month weights."""
        month_weights = [(m, (weights or SEASON)[m.month]) for m in months(first, last)]
        for slot in slots:
            month = weighted(self.rng, month_weights)
            day = day_in_month(self.rng, month, until=last)
            slot.signed_on = max(day, first)

    def _in(self, day: date | None, start: date, end: date) -> bool:
        return day is not None and start <= day <= end

    # 1. Signed projects that count.

    def plan_counted(self) -> None:
        self._counted_2025_h1()
        self._counted_2024_h1()
        fixed = [
            (T.SIGNED_2024_H1.start, T.SIGNED_2024_H1.end),
            (T.SIGNED_2025_H1.start, T.SIGNED_2025_H1.end),
        ]
        for month in months(T.FIRST_DAY, self.ref):
            if any(a <= month <= b for a, b in fixed):
                continue
            length = calendar.monthrange(month.year, month.month)[1]
            last = min(self.ref, month.replace(day=length))
            share = ((last - month).days + 1) / length
            rate = MONTHLY_COUNTED.get(month.year, 46.0) * SEASON[month.month] * share
            for _i in range(poisson(self.rng, rate)):
                total = amount_above(
                    self.rng, floor=10000, mean=MEAN_COUNTED_WAN.get(month.year, 44000)
                )
                slot = self._project(
                    "counted",
                    True,
                    day_in_month(self.rng, month, until=last),
                    total,
                    source_hint="any",
                )
                slot.signed_on = max(slot.signed_on, month)
        # Events outside the fixed half years: some of that month's signings happened there.
        for key, how_many, hint in [
            ("sh2023", 12, "shanghai"),
            ("sz2023", 6, "gba_mainland"),
            ("hk2023", 3, "hk"),
            ("jp2024", 2, "JP"),
            ("at2025", 2, "AT"),
            ("kr2025", 3, "KR"),
        ]:
            event = EVENT_BY_KEY[key]
            if event.held_on > self.ref:
                continue
            month_slots = [
                p
                for p in self.projects
                if p.group == "counted"
                and p.signed_on.replace(day=1) == event.held_on.replace(day=1)
            ]
            for slot in self.rng.sample(month_slots, min(how_many, len(month_slots))):
                slot.signed_on, slot.event, slot.source_hint = event.held_on, key, hint

    def _counted_2025_h1(self) -> None:
        rng, target = self.rng, T.SIGNED_2025_H1
        weights = {1: 0.95, 2: 0.65, 3: 1.0, 4: 1.05, 5: 1.05, 6: 1.3}
        # The March Shanghai signing: 20 projects, 165.2亿 in all; one is below 1亿.
        event = EVENT_BY_KEY[T.SHANGHAI_EVENT_KEY]
        small = amount_between(rng, 6000, 9900)
        event_amounts = exact_split(
            rng,
            T.SHANGHAI_EVENT_COUNT - 1,
            T.SHANGHAI_EVENT_WAN - small,
            floor=Decimal(10000),
            sigma=0.9,
        )
        for total in event_amounts:
            self._project(
                "h125-event", True, event.held_on, total, event=event.key, source_hint="shanghai"
            )
        self._project(
            "h125-event", False, event.held_on, small, event=event.key, source_hint="shanghai"
        )
        counted_event = sum(event_amounts)
        # The Greater Bay Area: 20 projects, 115.0亿; two or three of them from 香港.
        gba_amounts = exact_split(
            rng, T.GBA_2025_H1_COUNT, T.GBA_2025_H1_WAN, floor=Decimal(10000), sigma=1.0
        )
        modest = [i for i, a in enumerate(gba_amounts) if a <= 120000]
        hk = set(rng.sample(modest, rng.choice((2, 3))))
        gba_slots = []
        for i, total in enumerate(gba_amounts):
            gba_slots.append(
                self._project(
                    "h125-gba", True, None, total, source_hint="hk" if i in hk else "gba_mainland"
                )
            )
        self._spread(gba_slots, target.start, target.end, weights)
        shenzhen = EVENT_BY_KEY["sz2025"]
        for slot in rng.sample([s for s in gba_slots if s.source_hint == "gba_mainland"], 6):
            slot.signed_on, slot.event = shenzhen.held_on, shenzhen.key
        hk_total = sum((s.total for s in gba_slots if s.source_hint == "hk"), Decimal(0))
        # Foreign-funded (not from 香港/澳门, which are in the Bay Area): 99.0亿 with the above.
        foreign_total = T.FOREIGN_2025_H1_WAN - hk_total
        n_foreign = rng.randint(14, 18)
        usd_only = [amount_between(rng, 7800, 9900) for _i in range(2)]
        foreign_amounts = exact_split(
            rng, n_foreign - 2, foreign_total - sum(usd_only), floor=Decimal(10000), sigma=1.1
        )
        foreign_slots = [
            self._project("h125-foreign", True, None, total, source_hint="foreign")
            for total in foreign_amounts
        ]
        for total in usd_only:
            foreign_slots.append(
                self._project(
                    "h125-foreign", True, None, total, source_hint="foreign", usd_only=True
                )
            )
        self._spread(foreign_slots, target.start, target.end, weights)
        # The rest: domestic or local, none from the Bay Area; two of 30亿 and more planted.
        n_rest = target.count - (T.SHANGHAI_EVENT_COUNT - 1) - T.GBA_2025_H1_COUNT - n_foreign
        rest_total = target.total_wan - counted_event - T.GBA_2025_H1_WAN - foreign_total
        huge = [ledger_round(rng.uniform(305000, 520000)) for _i in range(T.JINGKAI_HUGE)]
        amounts = huge + exact_split(
            rng, n_rest - len(huge), rest_total - sum(huge), floor=Decimal(10000), sigma=1.2
        )
        rest = [
            self._project("h125-rest", True, None, total, source_hint="domestic_no_gba")
            for total in amounts
        ]
        self._spread(rest, target.start, target.end, weights)

    def _counted_2024_h1(self) -> None:
        rng, target = self.rng, T.SIGNED_2024_H1
        amounts = exact_split(rng, target.count, target.total_wan, floor=Decimal(10000), sigma=1.25)
        slots = [self._project("h124", True, None, total, source_hint="any") for total in amounts]
        self._spread(slots, target.start, target.end)
        pool = list(slots)
        rng.shuffle(pool)
        for key, how_many, hint in [
            ("sh2024", 15, "shanghai"),
            ("sz2024", 7, "gba_mainland"),
            ("bj2024", 3, "central_soe"),
        ]:
            event = EVENT_BY_KEY[key]
            for _i in range(how_many):
                slot = pool.pop()
                slot.signed_on, slot.event, slot.source_hint = event.held_on, key, hint

    # 2. Signed projects that do not count: below the threshold, or of category 其他.

    def plan_uncounted(self) -> None:
        rng = self.rng
        for month in months(T.FIRST_DAY, self.ref):
            last = min(self.ref, (month + timedelta(days=31)).replace(day=1) - timedelta(days=1))
            for _i in range(poisson(rng, MONTHLY_SMALL * SEASON[month.month])):
                day = max(month, day_in_month(rng, month, until=last))
                self._project(
                    "small", False, day, amount_between(rng, 500, 10000), source_hint="small"
                )
            for _i in range(poisson(rng, MONTHLY_OTHER)):
                day = max(month, day_in_month(rng, month, until=last))
                self._project(
                    "other",
                    False,
                    day,
                    amount_between(rng, 10000, 90000),
                    category="other",
                    source_hint="other",
                )

    # 3. Leads and negotiations that have not signed (yet), and the Beijing office's leads.

    def plan_open(self) -> None:
        rng = self.rng
        for month in months(T.FIRST_DAY, self.ref):
            last = min(self.ref, (month + timedelta(days=31)).replace(day=1) - timedelta(days=1))
            for _i in range(poisson(rng, MONTHLY_OPEN * SEASON[month.month])):
                created = day_in_month(rng, month, until=last)
                roll = rng.random()
                if roll < 0.22:
                    total = None
                elif roll < 0.55:
                    total = amount_between(rng, 1000, 10000)
                else:
                    total = amount_above(rng, floor=10000, mean=60000, sigma=1.1)
                self._project("open", False, None, total, created_on=created, source_hint="open")
        first = date(2025, 3, 3)
        for _i in range(BEIJING_LEADS):
            created = working_day(rng, first, self.ref)
            total = ledger_round(rng.uniform(30000, 600000))
            self._project(
                "beijing",
                False,
                None,
                total,
                created_on=created,
                source_hint="central_soe",
                channel="station",
            )

    # 4. Districts and industries.

    def place_districts(self) -> None:
        rng = self.rng
        start, end = self.jingkai_window
        window = [p for p in self.projects if self._in(p.signed_on, start, end)]
        big = [p for p in window if p.counted and p.total >= T.BIG_WAN]
        huge = [p for p in big if p.total >= T.HUGE_WAN]
        large = [p for p in big if p.total < T.HUGE_WAN and p.source_hint not in ("hk", "foreign")]
        chosen = rng.sample(huge, T.JINGKAI_HUGE) + rng.sample(
            large, T.JINGKAI_BIG - T.JINGKAI_HUGE
        )
        for p in chosen:
            p.planted_jingkai = True
        for p in window:
            if not p.planted_jingkai and p.total is not None and p.total >= T.BIG_WAN:
                p.no_jingkai = True
        for p in self.projects:
            counted_category = p.category != "other"
            pool = COUNTED_INDUSTRIES if counted_category else OTHER_INDUSTRIES
            boost = {}
            if p.group == "h125-event" or p.source_hint == "shanghai":
                boost = {
                    "航空航天及低空": 4,
                    "汽车零部件": 3,
                    "新材料及精细化工": 1.5,
                    "智能装备及涉港产业": 1.5,
                    "新一代信息技术": 1.5,
                }
            if p.group == "beijing" or p.source_hint == "central_soe":
                boost = {
                    "新能源及新型电力装备": 3,
                    "新材料及精细化工": 2,
                    "现代物流": 1.5,
                    "高端装备制造": 1.5,
                }
            pairs = []
            for code, district in DISTRICTS.items():
                if code == "jingkai" and p.no_jingkai:
                    continue
                if p.planted_jingkai and code != "jingkai":
                    continue
                affinity = district.industries
                scale = sum(affinity.values())
                for industry in pool:
                    weight = district.weight * (affinity.get(industry, 0.05) / scale)
                    pairs.append(((code, industry), weight * boost.get(industry, 1)))
            p.district, p.industry = weighted(rng, pairs)
            spec = INDUSTRY_BY_NAME[p.industry]
            p.category = spec.category
            if p.planted_jingkai and p.category == "service" and rng.random() < 0.7:
                p.industry = rng.choice(
                    [
                        "新能源及新型电力装备",
                        "航空航天及低空",
                        "新材料及精细化工",
                        "生物医药及大健康",
                    ]
                )
                p.category = "industrial"

    # 5. Sources and ownership.

    def draw_sources(self) -> None:
        rng, src = self.rng, self.sources
        fixed_h1 = (T.SIGNED_2025_H1.start, T.SIGNED_2025_H1.end)
        for p in self.projects:
            counties = DISTRICTS[p.district].counties
            hint = p.source_hint
            in_2025_h1 = self._in(p.signed_on, *fixed_h1)
            if hint == "shanghai":
                p.source = src.domestic(weights=SHANGHAI_AREA)
            elif hint == "gba_mainland":
                p.source = src.domestic(
                    weights={c: w for c, w in GBA_WEIGHTS.items() if c not in GBA_SAR}
                )
            elif hint == "hk":
                p.source = src.foreign(country="HK")
            elif hint == "foreign":
                p.source = src.foreign(gba=False)
            elif hint in ("JP", "AT", "KR"):
                p.source = src.foreign(country=hint)
            elif hint == "central_soe":
                p.source = src.beijing()
                p.ownership = "central_soe"
            elif hint == "domestic_no_gba":
                if rng.random() < 0.2:
                    p.source = src.local(counties)
                else:
                    p.source = src.domestic(gba=False)
            elif hint in ("small", "other") and in_2025_h1:
                p.source = src.local(counties) if rng.random() < 0.4 else src.domestic(gba=False)
            else:
                roll = rng.random()
                local_share = {"small": 0.38, "other": 0.5, "open": 0.12}.get(hint, 0.17)
                foreign_share = {"small": 0.07, "other": 0.0, "open": 0.1}.get(hint, 0.085)
                if roll < local_share:
                    p.source = src.local(counties)
                elif roll < local_share + foreign_share:
                    p.source = src.foreign()
                else:
                    p.source = src.domestic()
            if p.source.kind == "local" and p.signed_on and rng.random() < 0.55:
                p.kind = "expansion"
            if p.source.is_foreign:
                p.ownership = "hmt" if p.source.hmt else "foreign"
            elif p.ownership != "central_soe":
                roll = rng.random()
                if p.source.kind == "local":
                    p.ownership = "local_soe" if roll < 0.1 else "private"
                else:
                    p.ownership = (
                        "central_soe" if roll < 0.06 else "local_soe" if roll < 0.14 else "private"
                    )
                if p.ownership == "central_soe" and p.source_hint not in ("gba_mainland",):
                    p.source = src.beijing() if rng.random() < 0.8 else src.shanghai()
                elif p.ownership == "central_soe":
                    p.ownership = "private"
        self._state_owned_in_jingkai()

    def _state_owned_in_jingkai(self) -> None:
        """Exactly three state-owned investors among 经开区's signings in the window."""
        start, end = self.jingkai_window
        signed = [
            p
            for p in self.projects
            if p.district == "jingkai" and self._in(p.signed_on, start, end)
        ]
        eligible = [
            p
            for p in signed
            if p.counted and not p.source.is_foreign and p.source_hint != "gba_mainland"
        ]
        chosen = self.rng.sample(eligible, T.JINGKAI_STATE_OWNED)
        for p in signed:
            if p in chosen:
                continue
            if p.ownership in ("central_soe", "local_soe"):
                p.ownership = "private"
        for i, p in enumerate(chosen):
            if p.source.kind == "local" or i == 2:
                p.ownership = "local_soe"
            else:
                p.ownership = "central_soe"
                p.source = self.sources.beijing()
            p.kind = "new"

    # 6. Stages, status, dates.

    def progress(self) -> None:
        for p in self.projects:
            if p.signed_on is not None:
                self._progress_signed(p)
            else:
                self._progress_open(p)

    def _lead_dates(self, signed_on: date) -> tuple[date, date]:
        rng = self.rng
        lead = signed_on - timedelta(days=round(rng.triangular(45, 480, 130)))
        lead = max(lead, EARLIEST_LEAD)
        span = (signed_on - lead).days
        negotiating = lead + timedelta(days=max(1, round(span * rng.uniform(0.15, 0.7))))
        return lead, min(negotiating, signed_on - timedelta(days=1))

    def _progress_signed(self, p: ProjectPlan) -> None:
        rng, ref = self.rng, self.ref
        lead, negotiating = self._lead_dates(p.signed_on)
        p.created_on = lead
        p.stages = [("lead", lead, ""), ("negotiating", negotiating, "")]
        if rng.random() < 0.2:
            framework = negotiating + timedelta(days=(p.signed_on - negotiating).days // 2)
            p.stages[-1] = (
                "negotiating",
                negotiating,
                f"{framework.year}年{framework.month}月{framework.day}日签订框架协议",
            )
        note = ""
        if p.event:
            note = EVENT_BY_KEY[p.event].name + "现场签约"
        p.stages.append(("signed", p.signed_on, note))
        p.agreement = "formal"
        size = p.total or Decimal(0)
        chances = [
            ("registered", 0.86, (10, 150, 40)),
            (
                "started",
                0.6 if size < 10000 else 0.42 if size < 50000 else 0.34 if size < 100000 else 0.28,
                (20, 360, 100),
            ),
            ("completed", 0.72, (150, 600, 300)),
            ("producing", 0.9, (5, 90, 30)),
            ("full", 0.6, (150, 720, 360)),
        ]
        for stage, chance, (low, high, mode) in chances:
            if rng.random() >= chance:
                break
            day = after(rng, p.stages[-1][1], low, high, mode)
            if day > ref:
                break
            p.stages.append((stage, day, ""))
        if p.stage in ("signed", "registered") and rng.random() < 0.07:
            p.status = "paused"
            p.status_reason = rng.choice(words()["paused_reasons"])

    def _progress_open(self, p: ProjectPlan) -> None:
        rng, ref = self.rng, self.ref
        created = p.created_on
        p.stages = [("lead", created, "")]
        age = (ref - created).days
        if rng.random() < (0.35 if p.group == "beijing" else 0.6):
            negotiating = after(rng, created, 7, 150, 40)
            if negotiating <= ref:
                note = ""
                if p.group != "beijing" and rng.random() < 0.15:
                    p.agreement = "framework"
                    note = "签订框架协议（未转正式投资协议）"
                p.stages.append(("negotiating", negotiating, note))
        if p.group == "beijing":
            p.notes = "央企（北京）招商代表处在手在谈项目，已引荐至板块，联合开展综合评估"
            return
        roll = rng.random()
        if age > 270:
            if roll < 0.3:
                p.status, reason_key = "lost", "lost_reasons"
            elif roll < 0.42:
                p.status, reason_key = "terminated", "terminated_reasons"
            elif roll < 0.62:
                p.status, reason_key = "paused", "paused_reasons"
            else:
                return
        elif age > 90 and roll < 0.12:
            p.status, reason_key = "paused", "paused_reasons"
        else:
            return
        reason = rng.choice(words()[reason_key])
        if p.status == "lost":
            if rng.random() < 0.8:
                p.lost_to = weighted(
                    rng,
                    {
                        "320500": 4,
                        "320200": 2,
                        "320400": 2,
                        "320100": 2,
                        "340100": 2,
                        "330400": 1,
                        "320600": 1,
                        "321000": 1,
                        "321200": 1,
                        "340200": 1,
                        "340500": 0.5,
                    },
                )
                place = full_name(p.lost_to)
            else:
                p.lost_to = weighted(rng, {"VN": 3, "TH": 1, "MX": 1, "HU": 1, "MY": 1})
                place = {
                    "VN": "越南",
                    "TH": "泰国",
                    "MX": "墨西哥",
                    "HU": "匈牙利",
                    "MY": "马来西亚",
                }[p.lost_to]
            reason = reason.format(place=place)
        p.status_reason = reason

    # 7. Exact 入库列统 totals.

    def settle_in_statistics(self) -> None:
        self._settle(
            date(2025, 1, 1),
            date(2025, 6, 30),
            T.IN_STATISTICS_2025_H1_WAN,
            anchor_signed=(date(2024, 7, 1), date(2024, 11, 30)),
        )
        self._settle(
            date(2024, 1, 1),
            date(2024, 6, 30),
            T.IN_STATISTICS_2024_H1_WAN,
            anchor_signed=(date(2023, 3, 1), date(2023, 10, 31)),
        )

    def _settle(self, start: date, end: date, target: Decimal, anchor_signed) -> None:
        rng = self.rng
        members = [p for p in self.projects if self._in(p.fai_on, start, end)]
        anchors = [
            p
            for p in members
            if p.counted and self._in(p.signed_on, *anchor_signed) and p.category != "other"
        ]
        if anchors:
            anchor = rng.choice(anchors)
        else:
            anchor = self._force_anchor(start, end, anchor_signed)
            members.append(anchor)
        others = [p for p in members if p is not anchor]
        rng.shuffle(others)
        total = sum(p.total for p in members)
        postponed = []
        while total > target and others:
            p = others.pop()
            postponed.append(p)
            total -= p.total
        # Bring back what still fits, largest first, to leave the anchor little to make up.
        for p in sorted(postponed, key=lambda p: p.total, reverse=True):
            if total + p.total <= target:
                total += p.total
                postponed.remove(p)
        for p in postponed:
            later = after(rng, end, 5, 150, 40)
            p.fai_on = later if later <= self.ref else None
        anchor.total += target - total

    def _force_anchor(self, start: date, end: date, anchor_signed) -> ProjectPlan:
        """A project signed outside the fixed half years that starts and enters statistics in
        the half year (only when the draw left none)."""
        candidates = [
            p
            for p in self.projects
            if p.counted
            and p.category != "other"
            and self._in(p.signed_on, *anchor_signed)
            and not p.reached("started")
            and p.status == "active"
        ]
        p = self.rng.choice(candidates)
        registered = p.reached("registered") or after(self.rng, p.signed_on, 10, 60, 20)
        started = working_day(
            self.rng, max(start, registered + timedelta(days=1)), end - timedelta(days=50)
        )
        p.stages = [s for s in p.stages if s[0] in ("lead", "negotiating", "signed")]
        p.stages += [("registered", registered, ""), ("started", started, "")]
        p.fai_on = started + timedelta(days=self.rng.randint(3, 40))
        if not p.fai_code:
            p.fai_code = (
                f"{registered:%y%m}-{HOME_REGION}-"
                f"{INDUSTRY_BY_NAME[p.industry].fai_class}-03-"
                f"{self.rng.randint(100000, 999999):06d}"
            )
        return p

    # 8. Duplicates: name variants in other districts, merged and deleted copies.

    def duplicates(self) -> None:
        rng = self.rng
        investors = [
            p
            for p in self.projects
            if p.source
            and p.source.kind == "domestic"
            and p.ownership == "private"
            and p.company.parent is None
            and p.signed_on is not None
        ]
        for original in rng.sample(investors, 8):
            variant_name = self._variant(original.company.name, original.company.region)
            if not variant_name:
                continue
            district = rng.choice([d for d in DISTRICTS if d != original.district])
            company = self._company(
                variant_name,
                original.company.region,
                "private",
                original.industry,
                original.created_on,
                uscc=False,
                brand=original.company.brand,
            )
            self._fill(company)
            created = working_day(
                rng,
                original.created_on + timedelta(days=20),
                min(self.ref, original.created_on + timedelta(days=200)),
            )
            copy = self._project(
                "variant",
                False,
                None,
                original.total,
                category=original.category,
                industry=original.industry,
                source=original.source,
                ownership="private",
                district=district,
                created_on=created,
                channel=rng.choice(["business", "agency", "other"]),
            )
            copy.company = company
            copy.name = original.name.replace("项目", "").rstrip("一二期") + "项目"
            copy.stages = [("lead", created, "")]
            if rng.random() < 0.6 and after(rng, created, 7, 60) <= self.ref:
                copy.stages.append(("negotiating", after(rng, created, 7, 60), ""))
            units = [u.code for u in UNITS if u.parent == district and u.kind == "bureau"]
            copy.unit = units[0] if units and district != "jingkai" else district
            copy.responsible_person = rng.choice(self.staff[copy.unit])
            copy.first_contact = copy.responsible_person
        for kind in ("merged", "deleted"):
            pool = [
                p
                for p in self.projects
                if p.group == "h125-rest"
                and p.district != "jingkai"
                and p.total < T.BIG_WAN
                and p.source.kind == "domestic"
                and p.ownership == "private"
                and p.company.uscc
            ]
            for original in rng.sample(pool, 2):
                district = rng.choice(
                    [d for d in DISTRICTS if d not in ("jingkai", original.district)]
                )
                units = [u.code for u in UNITS if u.parent == district and u.kind == "bureau"]
                copy = self._project(
                    kind,
                    False,
                    original.signed_on,
                    original.total,
                    category=original.category,
                    industry=original.industry,
                    source=original.source,
                    ownership=original.ownership,
                    district=district,
                    unit=units[0],
                    created_on=original.created_on + timedelta(days=3),
                    channel=original.channel,
                    agreement="formal",
                )
                copy.company, copy.controller = original.company, original.controller
                copy.name = original.name
                copy.stages = [
                    s for s in original.stages if s[0] in ("lead", "negotiating", "signed")
                ]
                copy.responsible_person = rng.choice(self.staff[copy.unit])
                copy.first_contact = copy.responsible_person
                if kind == "merged":
                    copy.merged_into = original
                    copy.notes = "与另一板块填报的同一项目重复，已合并"
                else:
                    copy.deleted = True
                    copy.notes = "重复录入，已删除"

    def _variant(self, name: str, region: str) -> str | None:
        """Another way the same investor's name reaches a ledger (same normalized name)."""
        candidates = []
        if "股份有限公司" in name:
            candidates.append(name.replace("股份有限公司", "有限公司"))
        elif name.endswith("有限公司"):
            candidates.append(name.removesuffix("有限公司") + "股份有限公司")
        place = short_name(region)
        if place and name.startswith(place):
            candidates.append(name[len(place) :])
        else:
            candidates.append(place + name)
        self.rng.shuffle(candidates)
        key = normalize_company_name(name)
        for candidate in candidates:
            if normalize_company_name(candidate) == key and self.namer.claim(candidate):
                return candidate
        return None

    def plan(self) -> DemoPlan:
        """Each step draws on what the steps before it decided; the order is part of the seed."""
        self.plan_counted()
        self.plan_uncounted()
        self.plan_open()
        self.place_districts()
        self.draw_sources()
        self.progress()
        self.assign_people()  # yinli.demo.details
        self.build_companies()  # yinli.demo.companies
        self.finish_projects()  # yinli.demo.details: names, investment codes, 入库列统
        self.settle_in_statistics()
        self.money()  # yinli.demo.details: foreign investment, land, output, funds
        self.tags()
        self.duplicates()
        return DemoPlan(self.seed, self.ref, self.companies, self.projects, self.staff)


def plan_demo(*, seed: int, reference_date: date) -> DemoPlan:
    return Planner(seed, reference_date).plan()
