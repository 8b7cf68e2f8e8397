"""Planning the demo city's companies: investors, their groups, and the companies they
register here (a foreign or out-of-city investor's local company: 恒远光电科技（镇江）有限公司).

A mixin of yinli.demo.plan.Planner: it uses the planner's random generator, namer and lists.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from .city import COUNTED_INDUSTRIES, DISTRICTS
from .naming import weighted
from .records import CompanyPlan, ProjectPlan
from .regions import COUNTRY_NAMES, full_name, places, short_name


class CompanyPlanning:
    def _company(
        self, name: str, region: str, ownership: str, industry: str, created_on: date, **extra
    ) -> CompanyPlan:
        extra.setdefault("brand", self._brand_of_name.get(name, ""))
        plan = CompanyPlan(
            len(self.companies) + 1, name, region, ownership, industry, created_on, **extra
        )
        self.companies.append(plan)
        return plan

    def build_companies(self) -> None:
        ordered = sorted(self.projects, key=lambda p: (p.created_on, p.key))
        for p in ordered:
            self._companies_for(p)

    def _established(self, low: int = 1996, high: int = 2021) -> date:
        rng = self.rng
        return date(rng.randint(low, high), rng.randint(1, 12), rng.randint(1, 28))

    def _fill(self, company: CompanyPlan) -> CompanyPlan:
        rng = self.rng
        if company.established_on is None:
            company.established_on = self._established()
        company.legal_representative = self.namer.person()
        company.registered_capital = Decimal(
            rng.choice([500, 1000, 2000, 3000, 5000, 8000, 10000, 20000, 50000, 100000])
        )
        company.insured_staff = int(rng.lognormvariate(4.2, 1.1))
        company.address = self.namer.address(full_name(company.region))
        return company

    def _name(
        self,
        *,
        brand: str,
        industry: str,
        prefix: str = "",
        bracket: str = "",
        form: str | None = None,
    ) -> str:
        for attempt in range(30):
            name = self.namer.company(
                brand=brand,
                phrase=self.namer.phrase(industry),
                prefix=prefix,
                bracket=bracket,
                form=form,
            )
            if name:
                self._brand_of_name[name] = brand
                return name
            if attempt >= 5:
                brand = self.namer.brand()
        raise RuntimeError("no free company name")  # pragma: no cover

    def _central_group(self) -> CompanyPlan:
        """One of a handful of invented central state-owned groups (中X…集团), most in Beijing."""
        rng = self.rng
        if len(self._central_groups) < 8 or rng.random() < 0.25:
            brand = self.namer.brand(soe=True)
            industry = rng.choice(
                ["新能源及新型电力装备", "新材料及精细化工", "高端装备制造", "现代物流"]
            )
            region = (
                self.sources.beijing().region
                if len(self._central_groups) % 4
                else self.sources.shanghai().region
            )
            name = self._name(brand=brand, industry=industry, form="集团有限公司")
            group = self._fill(
                self._company(
                    name,
                    region,
                    "central_soe",
                    industry,
                    date(2022, 1, 1),
                    established_on=self._established(1990, 2010),
                )
            )
            self._central_groups.append(group)
            return group
        return rng.choice(self._central_groups)

    def _investor(self, p: ProjectPlan, brand: str) -> tuple[CompanyPlan, CompanyPlan | None]:
        """The investor (signing entity before registration) and its actual controller."""
        rng, source, created = self.rng, p.source, p.created_on - timedelta(days=30)
        if p.ownership == "central_soe":
            group = self._central_group()
            industry = p.industry if p.industry in COUNTED_INDUSTRIES else group.industry
            brand = group.name[:2]
            name = self._name(brand=brand, industry=industry, form="有限公司")
            region = source.region
            investor = self._fill(
                self._company(name, region, "central_soe", p.industry, created, parent=group)
            )
            return investor, group
        if source.is_foreign:
            country = source.country
            phrase = self.namer.phrase(p.industry)
            styles = {
                "KR": f"韩国{brand}{phrase}株式会社",
                "JP": f"日本{brand}{phrase}株式会社",
                "SG": f"新加坡{brand}{phrase}控股私人有限公司",
                "US": f"美国{brand}{phrase}公司",
                "HK": f"{brand}{phrase}（香港）有限公司",
                "MO": f"澳门{brand}{phrase}有限公司",
                "TW": f"台湾{brand}{phrase}股份有限公司",
            }
            name = styles.get(country, f"{COUNTRY_NAMES[country]}{brand}{phrase}集团")
            if self.namer.claim(name):
                self._brand_of_name[name] = brand
            else:
                name = self._name(
                    brand=brand, industry=p.industry, prefix=COUNTRY_NAMES[country], form="集团"
                )
            parent = self._fill(
                self._company(name, source.region, p.ownership, p.industry, created, uscc=False)
            )
            return parent, None
        if source.kind == "local":
            pool_key = (p.district, p.ownership)
            if p.kind == "expansion" and self._local_pool[pool_key] and rng.random() < 0.5:
                existing = rng.choice(self._local_pool[pool_key])
                return existing, existing.parent
            prefix = weighted(rng, {"镇江": 35, "江苏": 20, "": 25})
            seat = self._seat(source.region)
            if seat != "镇江" and rng.random() < 0.5:
                prefix = seat  # 丹阳XX光学有限公司
            if p.ownership == "local_soe":
                name = self._name(
                    brand=brand, industry=p.industry, prefix="镇江", form="产业发展有限公司"
                )
            else:
                name = self._name(brand=brand, industry=p.industry, prefix=prefix)
            company = self._fill(
                self._company(name, source.region, p.ownership, p.industry, created)
            )
            self._local_pool[pool_key].append(company)
            return company, None
        # Domestic, out of the city.
        city_short = short_name(source.region)
        if p.ownership == "local_soe":
            name = self._name(
                brand=brand, industry=p.industry, prefix=city_short, form="产业投资集团有限公司"
            )
            return self._fill(
                self._company(name, source.region, "local_soe", p.industry, created)
            ), None
        prefix = weighted(rng, {city_short: 50, "": 50})
        name = self._name(brand=brand, industry=p.industry, prefix=prefix)
        investor = self._fill(self._company(name, source.region, p.ownership, p.industry, created))
        if rng.random() < 0.15:
            group_name = self._name(
                brand=brand, industry=p.industry, prefix=prefix, form="集团有限公司"
            )
            group = self._fill(
                self._company(group_name, source.region, p.ownership, p.industry, created)
            )
            investor.parent = group
            return investor, group
        return investor, None

    @staticmethod
    def _seat(code: str) -> str:
        """The place in a local company's name: 丹阳, 句容, 扬中 for those cities, else 镇江."""
        place = places().get(code)
        if place and place.name.endswith("市") and place.level == "county":
            return place.short_name
        return "镇江"

    def _companies_for(self, p: ProjectPlan) -> None:
        rng = self.rng
        brand = self.namer.brand()
        investor, controller = self._investor(p, brand)
        registered = p.reached("registered")
        local_seat = rng.choice(DISTRICTS[p.district].counties)
        if p.source.is_foreign and (registered or p.kind == "expansion"):
            # A foreign investor registers a company here: 外资 with its credit code.
            name = self._name(brand=brand, industry=p.industry, bracket=self._seat(local_seat))
            company = self._fill(
                self._company(
                    name,
                    local_seat,
                    p.ownership,
                    p.industry,
                    registered or p.created_on,
                    parent=investor,
                    established_on=registered or self._established(2005, 2021),
                )
            )
            p.company, p.controller = company, investor
            return
        if (
            registered
            and p.source.kind == "domestic"
            and rng.random() < 0.35
            and investor.parent is None
        ):
            name = self._name(brand=brand, industry=p.industry, bracket=self._seat(local_seat))
            company = self._fill(
                self._company(
                    name,
                    local_seat,
                    investor.ownership,
                    p.industry,
                    registered,
                    parent=investor,
                    established_on=registered,
                )
            )
            p.company, p.controller = company, investor
            return
        p.company, p.controller = investor, controller
