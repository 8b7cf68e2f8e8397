"""The rest of each planned project: who handles it, its name, codes, money, funds and tags.

A mixin of yinli.demo.plan.Planner: it uses the planner's random generator, namer and lists.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from . import targets as T
from .city import (
    DISTRICTS,
    INDUSTRY_BY_NAME,
    JINGKAI_NEW_BUREAU,
    JINGKAI_OLD_BUREAU,
    PARKS,
    REORGANISED_ON,
    TAGS,
    UNITS,
)
from .draws import after, ledger_round
from .naming import weighted, words
from .records import ProjectPlan
from .regions import EURO_COUNTRIES

# Exchange rates for agreed foreign investment (万元 per 万 of the currency), rough averages.
CNY_PER = {
    "USD": Decimal("7.15"),
    "EUR": Decimal("7.8"),
    "JPY": Decimal("0.048"),
    "HKD": Decimal("0.915"),
}

CHANNELS = {
    "business": 28,
    "agency": 12,
    "commissioned": 8,
    "station": 10,
    "event": 8,
    "online": 4,
    "other": 6,
}


class RecordDetails:
    def assign_people(self) -> None:
        rng, namer = self.rng, self.namer
        for unit in UNITS:
            count = {"bureau": (3, 6), "team": (2, 4), "office": (3, 4)}.get(unit.kind, (2, 3))
            self.staff[unit.code] = [namer.person() for _i in range(rng.randint(*count))]
        units_of = defaultdict(list)
        for unit in UNITS:
            if unit.kind in ("bureau", "team") and not unit.code.startswith("jk-"):
                district = unit.parent
                while district not in DISTRICTS:
                    district = next(u.parent for u in UNITS if u.code == district)
                units_of[district].append(unit.code)
        focus = {
            "眼镜": "danyang-glasses",
            "汽车零部件": "danyang-auto",
            "新能源及新型电力装备": "yangzhong-power",
            "文旅": "jurong-tourism",
            "新一代信息技术": "jingkou-tech",
            "数字经济": "jingkou-tech",
        }
        teams_of = defaultdict(list)
        for unit in UNITS:
            if unit.kind == "team" and unit.parent and unit.parent.startswith("jk-"):
                teams_of[unit.parent].append(unit.code)
        for p in self.projects:
            if p.group == "beijing":
                p.unit = "beijing-office"
            elif p.district == "jingkai":
                p.unit = self._jingkai_unit(p, teams_of)
            else:
                own = units_of[p.district]
                focused = focus.get(p.industry)
                roll = rng.random()
                if focused in own and roll < 0.6:
                    p.unit = focused
                elif roll < 0.9:
                    p.unit = own[0]
                else:
                    p.unit = p.district
            p.responsible_person = rng.choice(self.staff[p.unit])
            roll = rng.random()
            if p.group == "beijing":
                p.first_contact = rng.choice(self.staff["beijing-office"])
            elif roll < 0.6:
                p.first_contact = p.responsible_person
            elif roll < 0.85:
                p.first_contact = rng.choice(self.staff[p.unit])
            else:
                p.first_contact = rng.choice(self.staff["city-ipc"])
            if p.event:
                p.channel = "event"
            elif p.group != "beijing":
                weights = dict(CHANNELS)
                if p.district == "gaoxin":
                    weights.update({"commissioned": 20, "agency": 24})
                p.channel = weighted(rng, weights)
            if p.channel == "commissioned":
                p.introducer = rng.choice(words()["introducers"])
            elif p.channel == "agency":
                brand = self.namer.brand()
                p.introducer = f"{brand}招商咨询服务有限公司"

    def _jingkai_unit(self, p: ProjectPlan, teams_of) -> str:
        rng = self.rng
        created = p.created_on
        city = p.source.city if p.source else ""
        if created >= date(2023, 3, 1) and rng.random() < 0.15:
            if city == "310100":
                return "jk-squad-shanghai"
            if city == "440300":
                return "jk-squad-shenzhen"
        if created < REORGANISED_ON:
            bureau = JINGKAI_OLD_BUREAU.get(p.industry, "jk-old-service")
            if bureau == "jk-old-material" and (
                p.industry == "新材料及精细化工" and rng.random() < 0.5
            ):
                bureau = "jk-old-chemical"
            if bureau == "jk-old-equipment" and rng.random() < 0.25:
                bureau = "jk-old-port"
            return bureau
        bureau = JINGKAI_NEW_BUREAU.get(p.industry, "jk-service")
        if p.source and p.source.country in EURO_COUNTRIES and rng.random() < 0.5:
            return "jk-squad-europe"
        if teams_of[bureau] and rng.random() < 0.5:
            return rng.choice(teams_of[bureau])
        return bureau

    def finish_projects(self) -> None:
        rng = self.rng
        serials: set[int] = set()
        for p in self.projects:
            brand = p.company.brand
            p.name = self.namer.project(
                industry=p.industry, brand=brand, kind=p.kind, service=p.category == "service"
            )
            registered = p.reached("registered")
            started = p.reached("started")
            if registered and (started or rng.random() < 0.7):
                issued = after(rng, registered, 3, 90, 20)
                if started and issued > started:
                    issued = started - timedelta(days=rng.randint(1, 20))
                issued = min(issued, self.ref)
                serial = rng.randint(100000, 999999)
                while serial in serials:
                    serial = rng.randint(100000, 999999)
                serials.add(serial)
                adcode = next(u.region for u in UNITS if u.code == p.district)
                approval = "02" if rng.random() < 0.15 else "03"
                fai_class = INDUSTRY_BY_NAME[p.industry].fai_class
                p.fai_code = f"{issued:%y%m}-{adcode}-{fai_class}-{approval}-{serial:06d}"
            if started and rng.random() < 0.85 and p.total and p.total >= 500:
                fai_on = after(rng, started, 1, 45, 12)
                if fai_on <= self.ref:
                    p.fai_on = fai_on

    def money(self) -> None:
        rng = self.rng
        for p in self.projects:
            total = p.total
            if total is None:
                continue
            if p.ownership in ("foreign", "hmt") and p.category != "other":
                currency = "USD"
                if p.total >= 10000:
                    if p.source.country in EURO_COUNTRIES and rng.random() < 0.5:
                        currency = "EUR"
                    elif p.source.country == "JP" and rng.random() < 0.5:
                        currency = "JPY"
                    elif p.source.country == "HK" and rng.random() < 0.4:
                        currency = "HKD"
                share = Decimal(str(rng.uniform(0.45, 1.0)))
                amount = total * share / CNY_PER[currency]
                step = Decimal(1000) if currency == "JPY" else Decimal(10)
                foreign = (amount / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
                if p.usd_only:
                    limit = (total / CNY_PER["USD"] / 10).quantize(Decimal(1)) * 10
                    foreign = max(
                        Decimal(1000), min(limit, Decimal(1000) + 10 * rng.randint(0, 25))
                    )
                elif currency == "USD" and total < 10000:
                    foreign = min(foreign, Decimal(990))
                p.foreign, p.currency = max(foreign, step), currency
            if p.category == "industrial":
                p.land_mu = (total / Decimal(str(rng.uniform(180, 650)))).quantize(Decimal("0.1"))
                p.expected_output = ledger_round(total * Decimal(str(rng.uniform(1.0, 2.8))))
            elif p.category == "service":
                if rng.random() < 0.5:
                    p.land_mu = (total / Decimal(str(rng.uniform(400, 1500)))).quantize(
                        Decimal("0.1")
                    )
                p.expected_output = ledger_round(total * Decimal(str(rng.uniform(0.4, 1.2))))
            else:
                p.land_mu = (total / Decimal(str(rng.uniform(80, 300)))).quantize(Decimal("0.1"))
            if p.expected_output:
                p.expected_tax = ledger_round(
                    p.expected_output * Decimal(str(rng.uniform(0.025, 0.07)))
                )
            p.jobs = max(5, int(float(total) / rng.uniform(80, 500)))
            if total >= T.BIG_WAN or (total >= 50000 and rng.random() < 0.5):
                p.task_force = f"{p.name.removesuffix('项目')}推进专班"
                p.linked_leader = f"{self._leader_title(p)} {self.namer.person()}"
            self._funds(p)

    def _leader_title(self, p: ProjectPlan) -> str:
        """A city leader for the largest projects, else one of the district's or park's."""
        titles = words()["leader_titles"]
        if p.total >= T.HUGE_WAN or self.rng.random() < 0.3:
            return self.rng.choice(titles["city"])
        unit = next(u for u in UNITS if u.code == p.district)
        if p.district in PARKS:
            return unit.short_name + self.rng.choice(titles["park"])
        return unit.name + self.rng.choice(titles[unit.name[-1]])

    def _funds(self, p: ProjectPlan) -> None:
        rng = self.rng
        started = p.reached("started")
        if not started or not p.total:
            return
        share = {
            "started": (0.08, 0.5),
            "completed": (0.5, 0.9),
            "producing": (0.7, 1.0),
            "full": (0.85, 1.0),
        }[p.stage]
        target = p.total * Decimal(str(rng.uniform(*share)))
        days = []
        day = started + timedelta(days=rng.randint(5, 40))
        while day <= self.ref and len(days) < 12:
            days.append(day)
            day += timedelta(days=rng.randint(45, 120))
        if not days:
            return
        weights = [rng.uniform(0.5, 1.5) for _d in days]
        scale = target / Decimal(str(sum(weights)))
        source = "foreign" if p.ownership in ("foreign", "hmt") else "own"
        paid = Decimal(0)
        for day, weight in zip(days, weights, strict=True):
            amount = (scale * Decimal(str(weight)) / 10).quantize(Decimal(1)) * 10
            amount = min(amount, p.total - paid)  # rounding must not pay in more than the total
            if amount <= 0:
                continue
            kind = source if rng.random() < 0.7 else "loan"
            p.funds.append((day, amount, kind))
            paid += amount

    def tags(self) -> None:
        rng = self.rng
        for p in self.projects:
            total = p.total or Decimal(0)
            tags = []
            if total >= T.BIG_WAN:
                tags.append("重大项目")
                if rng.random() < 0.15:
                    tags.append("链主企业")
            if p.ownership == "central_soe":
                tags.append("央企合作")
            if p.ownership in ("foreign", "hmt") and total >= 50000 and rng.random() < 0.3:
                tags.append("世界500强")
            if p.ownership == "private" and total >= 50000 and rng.random() < 0.12:
                tags.append(rng.choice(["上市公司", "中国500强"]))
            if p.ownership == "private" and p.category == "industrial" and total < 50000:
                if rng.random() < 0.08:
                    tags.append("专精特新")
                if rng.random() < 0.08:
                    tags.append("高新技术企业")
            if "总部" in p.name:
                tags.append("总部项目")
            if "研发中心" in p.name:
                tags.append("研发中心")
            if p.event == T.SHANGHAI_EVENT_KEY or (p.signed_on and rng.random() < 0.03):
                tags.append("“876”创新引领工程")
            p.tags = [t for t in TAGS if t in tags]
