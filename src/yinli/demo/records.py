"""The records the demo city plans before writing them: companies, projects, the plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .regions import Source


@dataclass
class CompanyPlan:
    key: int
    name: str
    region: str
    ownership: str
    industry: str
    created_on: date
    parent: CompanyPlan | None = None
    uscc: bool = True  # whether it gets a credit code (Chinese registrations only)
    established_on: date | None = None
    legal_representative: str = ""
    registered_capital: Decimal | None = None
    insured_staff: int | None = None
    address: str = ""
    notes: str = ""
    brand: str = ""
    credit_code: str | None = None  # filled when written

    @property
    def depth(self) -> int:
        return 0 if self.parent is None else self.parent.depth + 1


@dataclass
class ProjectPlan:
    key: int
    group: str
    counted: bool  # counts under the default definition where it was signed
    signed_on: date | None
    total: Decimal | None
    category: str = "industrial"
    industry: str = ""
    kind: str = "new"
    source: Source | None = None
    ownership: str = "private"
    district: str = ""
    unit: str = ""
    event: str | None = None
    channel: str = "business"
    created_on: date | None = None
    stages: list[tuple[str, date, str]] = field(default_factory=list)
    status: str = "active"
    status_reason: str = ""
    lost_to: str | None = None
    agreement: str = ""
    company: CompanyPlan | None = None
    controller: CompanyPlan | None = None
    name: str = ""
    foreign: Decimal | None = None
    currency: str = "USD"
    usd_only: bool = False  # qualifies by 协议外资 ≥ 1000万美元 alone
    fai_code: str = ""
    fai_on: date | None = None
    land_mu: Decimal | None = None
    expected_output: Decimal | None = None
    expected_tax: Decimal | None = None
    jobs: int | None = None
    responsible_person: str = ""
    first_contact: str = ""
    task_force: str = ""
    linked_leader: str = ""
    introducer: str = ""
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    funds: list[tuple[date, Decimal, str]] = field(default_factory=list)
    merged_into: ProjectPlan | None = None
    deleted: bool = False
    source_hint: str = ""  # "shanghai", "gba", "gba_mainland", "hk", "foreign", "domestic" …
    planted_jingkai: bool = False
    no_jingkai: bool = False
    state_owned: str = ""  # forced ownership ("central_soe", "local_soe") or ""

    @property
    def stage(self) -> str:
        return self.stages[-1][0]

    @property
    def stage_on(self) -> date:
        return self.stages[-1][1]

    def reached(self, stage: str) -> date | None:
        return next((on for s, on, _n in self.stages if s == stage), None)


@dataclass
class DemoPlan:
    seed: int
    reference_date: date
    companies: list[CompanyPlan]
    projects: list[ProjectPlan]
    staff: dict[str, list[str]]
