"""Writing the demo city into the database, in one transaction, with bulk inserts.

`build_demo` creates the organisation (with the development zone's bureaus as they were before
2025), the demo logins, industry directions, tags and events; writes the planned companies,
projects, stage log and funds in place (yinli.demo.plan) with their creation in the change
history; then merges the zone's eight bureaus into six with `yinli.core.reorg.reorganize`, so
that the reorganisation is recorded as it would be in real use, and soft-deletes the two
duplicate entries the plan marks as deleted.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from yinli.companies.models import Company
from yinli.companies.uscc import generate_uscc
from yinli.core.models import OrgUnit, Region, User
from yinli.core.names import normalize_company_name, pinyin_initials
from yinli.core.reorg import reorganize
from yinli.core.services import soft_delete
from yinli.core.signals import DEFAULT_CHANNELS
from yinli.fieldwork.models import Channel, Event
from yinli.projects.models import FundsInPlace, Industry, Project, StageChange, Tag
from yinli.projects.stagedates import refresh_stage_dates

from . import city
from .accounts import DEMO_PASSWORD
from .chain_links import build_chain_links
from .chains import build_chains
from .conflicts import build_conflicts
from .enterprises import build_enterprises
from .fieldwork import build_fieldwork, programmes_for
from .followup import build_followup
from .naming import words
from .plan import plan_demo
from .records import CompanyPlan, DemoPlan, ProjectPlan
from .referrals import build as build_referrals
from .reporting import build as build_reports
from .services import DEMO_MARKER_KEY
from .supervision import build as build_supervision
from .targets_plan import build_targets

DEFAULT_SEED = 321100
BATCH = 500
SECTIONS = {"01": "A", "59": "G", "65": "I", "70": "K", "72": "L", "87": "R"}

# The steps of a build, for the progress bar.
STEPS = [
    "organisation",
    "logins",
    "reference data",
    "plan",
    "companies",
    "projects",
    "stage log",
    "funds in place",
    "reorganisation",
    "duplicates",
    "field work",
]


class DemoError(Exception):
    """The demo city cannot be built into this database."""


@dataclass
class DemoResult:
    seed: int
    reference_date: date
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[dict[str, str]] = field(default_factory=list)
    digest: str = ""

    def as_dict(self) -> dict:
        return {
            "seed": self.seed,
            "reference_date": self.reference_date.isoformat(),
            "counts": self.counts,
            "logins": self.logins,
            "password": DEMO_PASSWORD,
            "digest": self.digest,
        }


def reference_date_setting() -> date:
    return date.fromisoformat(getattr(settings, "DEMO_REFERENCE_DATE", "2025-08-10"))


def database_holds_data() -> bool:
    """Whether anything the demo would add to is there already (projects, companies, units)."""
    return Project.all_objects.exists() or Company.all_objects.exists() or OrgUnit.objects.exists()


def _aware(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class _Writer:
    def __init__(self, plan: DemoPlan, step: Callable[[str], None]):
        self.plan = plan
        self.step = step
        self.rng = random.Random(f"{plan.seed}-write")
        self.region_ids = dict(Region.objects.values_list("code", "id"))
        if not self.region_ids:
            raise DemoError(_("The region table is empty; run `yinli migrate` first."))
        self.units: dict[str, OrgUnit] = {}
        self.users: dict[str, User] = {}
        self.industries: dict[str, Industry] = {}
        self.tags: dict[str, Tag] = {}
        self.events: dict[str, Event] = {}
        self.channels: dict[str, Channel] = {}
        self.company_ids: dict[int, int] = {}
        self.project_ids: dict[int, int] = {}
        self.counts: dict[str, int] = {}

    def region(self, code: str | None) -> int | None:
        if not code:
            return None
        return self.region_ids.get(code)

    # Organisation, logins, reference data.

    def organisation(self) -> None:
        for spec in city.UNITS:
            unit = OrgUnit(
                code=spec.code,
                name=spec.name,
                short_name=spec.short_name or spec.name[:32],
                kind=spec.kind,
                parent=self.units.get(spec.parent) if spec.parent else None,
                region_id=self.region(spec.region)
                or (self.units[spec.parent].region_id if spec.parent else None),
                valid_from=spec.valid_from,
                industry_directions="\n".join(spec.industries),
                sort_order=len(self.units),
            )
            unit.save()
            self.units[spec.code] = unit
        self.counts["org_units"] = len(self.units)

    def logins(self) -> None:
        password = make_password(DEMO_PASSWORD)
        people = [
            User(
                username=login.username,
                display_name=login.display_name,
                first_name=login.display_name,
                role=login.role,
                org_unit=self.units[login.unit],
                is_superuser=login.superuser,
                is_staff=login.superuser,
                password=password,
            )
            for login in city.LOGINS
        ]
        User.objects.bulk_create(people)
        self.users = {
            u.username: u
            for u in User.objects.filter(username__in=[login.username for login in city.LOGINS])
        }
        self.counts["users"] = len(people)

    def reference_data(self) -> None:
        Industry.objects.bulk_create(
            Industry(
                name=spec.name,
                category=spec.category,
                synonyms="\n".join(spec.synonyms),
                sort_order=i,
            )
            for i, spec in enumerate(city.INDUSTRIES)
        )
        self.industries = {i.name: i for i in Industry.objects.all()}
        Tag.objects.bulk_create(Tag(name=name) for name in city.TAGS)
        self.tags = {t.name: t for t in Tag.objects.all()}
        for order, (code, name) in enumerate(DEFAULT_CHANNELS):
            Channel.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
        self.channels = {c.code: c for c in Channel.objects.all()}
        events = []
        programmes = programmes_for(city.EVENTS)
        for spec in city.EVENTS:
            if spec.held_on > self.plan.reference_date:
                continue
            event = Event(
                name=spec.name,
                kind=spec.kind,
                held_on=spec.held_on,
                ends_on=spec.ends_on,
                place_id=self.region(spec.place),
                organiser=self.units[spec.organiser],
                programme=programmes.get(spec.programme),
                leaders=spec.leaders,
                created_at=_aware(spec.held_on, 10),
                updated_at=_aware(spec.held_on, 10),
                created_by=self.users["admin"],
            )
            event._history_date = event.created_at
            event._history_user = self.users["admin"]
            events.append(event)
        bulk_create_with_history(events, Event, batch_size=BATCH)
        keys = {spec.name: spec.key for spec in city.EVENTS}
        self.events = {keys[e.name]: e for e in Event.objects.all()}
        self.counts["events"] = len(events)

    # Companies.

    def companies(self) -> None:
        plans = sorted(self.plan.companies, key=lambda c: (c.depth, c.created_on, c.key))
        codes: set[str] = set()
        scopes = words()["scopes"]
        by_depth: dict[int, list[tuple[CompanyPlan, Company]]] = {}
        for plan in plans:
            credit_code = None
            if plan.uscc and plan.region.isdigit() and plan.region[:2] not in ("71", "81", "82"):
                credit_code = generate_uscc(self.rng, region=plan.region)
                while credit_code in codes:
                    credit_code = generate_uscc(self.rng, region=plan.region)
                codes.add(credit_code)
            plan.credit_code = credit_code
            fai_class = city.INDUSTRY_BY_NAME[plan.industry].fai_class
            created = _aware(plan.created_on, self.rng.randint(8, 17), self.rng.randint(0, 59))
            company = Company(
                name=plan.name,
                name_normalized=normalize_company_name(plan.name)[:200],
                name_initials=pinyin_initials(plan.name)[:200],
                uscc=credit_code,
                region_id=self.region(plan.region),
                address=plan.address,
                ownership=plan.ownership,
                legal_representative=plan.legal_representative,
                registered_capital=plan.registered_capital,
                established_on=plan.established_on,
                registration_status="存续" if credit_code else "",
                industry_code=SECTIONS.get(fai_class, "C") + fai_class,
                insured_staff=plan.insured_staff,
                business_scope=scopes.get(plan.industry, ""),
                notes=plan.notes,
                version=1,
                created_at=created,
                updated_at=created,
            )
            company._history_date = created
            by_depth.setdefault(plan.depth, []).append((plan, company))
        for depth in sorted(by_depth):
            rows = by_depth[depth]
            for plan, company in rows:
                if plan.parent is not None:
                    company.parent_id = self.company_ids[plan.parent.key]
            created = bulk_create_with_history([c for _p, c in rows], Company, batch_size=BATCH)
            for (plan, _company), saved in zip(rows, created, strict=True):
                self.company_ids[plan.key] = saved.pk
        self.counts["companies"] = len(plans)

    # Projects.

    def _creator(self, plan: ProjectPlan) -> User | None:
        if plan.unit == "beijing-office":
            return self.users["beijing"]
        return self.users.get(plan.district) if plan.district in ("jingkou", "jingkai") else None

    def _project(self, plan: ProjectPlan) -> Project:
        created = _aware(plan.created_on, self.rng.randint(8, 17), self.rng.randint(0, 59))
        updated = max(created, _aware(plan.stage_on, 17, 30))
        creator = self._creator(plan)
        company = plan.company
        controller = plan.controller
        project = Project(
            name=plan.name,
            name_initials=pinyin_initials(plan.name)[:200],
            company_id=self.company_ids[company.key],
            signing_region_id=self.region(company.region),
            controller_name=controller.name if controller else "",
            controller_region_id=self.region(controller.region) if controller else None,
            district=self.units[plan.district],
            responsible_unit=self.units[plan.unit],
            responsible_person=plan.responsible_person,
            first_contact=plan.first_contact,
            task_force=plan.task_force,
            linked_leader=plan.linked_leader,
            channel=self.channels[plan.channel],
            introducer=plan.introducer,
            event=self.events.get(plan.event) if plan.event else None,
            industry=self.industries[plan.industry],
            stage=plan.stage,
            stage_on=plan.stage_on,
            agreement=plan.agreement,
            first_signed_on=plan.signed_on,
            status=plan.status,
            status_reason=plan.status_reason,
            lost_to_id=self.region(plan.lost_to),
            kind=plan.kind,
            category=plan.category,
            total_investment=plan.total,
            foreign_investment=plan.foreign,
            foreign_currency=plan.currency,
            land_mu=plan.land_mu,
            expected_output=plan.expected_output,
            expected_tax=plan.expected_tax,
            jobs=plan.jobs,
            fai_code=plan.fai_code,
            fai_on=plan.fai_on,
            notes=plan.notes,
            version=1,
            created_at=created,
            updated_at=updated,
            created_by=creator,
        )
        if plan.merged_into is not None:
            project.merged_into_id = self.project_ids[plan.merged_into.key]
        project._history_date = created
        project._history_user = creator
        return project

    def projects(self) -> None:
        ordered = sorted(self.plan.projects, key=lambda p: (p.created_on, p.key))
        for batch in (
            [p for p in ordered if p.merged_into is None],
            [p for p in ordered if p.merged_into is not None],
        ):
            objects = [self._project(p) for p in batch]
            saved = bulk_create_with_history(objects, Project, batch_size=BATCH)
            for plan, project in zip(batch, saved, strict=True):
                self.project_ids[plan.key] = project.pk
        through = Project.tags.through
        links = [
            through(project_id=self.project_ids[p.key], tag_id=self.tags[name].pk)
            for p in ordered
            for name in p.tags
        ]
        links = through.objects.bulk_create(links, batch_size=BATCH)
        # The creation records list the tags too, so that a later change does not show them
        # as added.
        history_tags = apps.get_model("projects", "HistoricalProject_tags")
        first_record = dict(
            Project.history.model.objects.filter(history_type="+").values_list("id", "history_id")
        )
        history_tags.objects.bulk_create(
            [
                history_tags(
                    id=link.pk,
                    history_id=first_record[link.project_id],
                    project_id=link.project_id,
                    tag_id=link.tag_id,
                )
                for link in links
            ],
            batch_size=BATCH,
        )
        self.counts["projects"] = len(ordered)

    def stage_log(self) -> None:
        rows = []
        for plan in self.plan.projects:
            creator = self._creator(plan)
            for stage, on, note in plan.stages:
                rows.append(
                    StageChange(
                        project_id=self.project_ids[plan.key],
                        stage=stage,
                        on=on,
                        note=note,
                        by=creator,
                    )
                )
        StageChange.objects.bulk_create(rows, batch_size=BATCH)
        refresh_stage_dates(project_ids=self.project_ids.values())  # the log's first dates
        self.counts["stage_changes"] = len(rows)

    def funds(self) -> None:
        rows = []
        for plan in self.plan.projects:
            creator = self._creator(plan)
            for on, amount, source in plan.funds:
                row = FundsInPlace(
                    project_id=self.project_ids[plan.key],
                    on=on,
                    amount=Decimal(amount),
                    source=source,
                    by=creator,
                )
                row._history_date = _aware(on, 16)
                row._history_user = creator
                rows.append(row)
        bulk_create_with_history(rows, FundsInPlace, batch_size=BATCH)
        self.counts["funds_in_place"] = len(rows)

    def reorganisation(self) -> None:
        mapping = {
            self.units[old]: self.units[new] for old, new in city.JINGKAI_REORGANISATION.items()
        }
        summary = reorganize(
            on=city.REORGANISED_ON,
            mapping=mapping,
            by=self.users["admin"],
            recorded_at=_aware(city.REORGANISED_ON, 9),
        )
        self.counts["reorganised_projects"] = summary.projects_moved

    def duplicates(self) -> None:
        deleted = [p for p in self.plan.projects if p.deleted]
        for plan in deleted:
            project = Project.all_objects.get(pk=self.project_ids[plan.key])
            soft_delete(instance=project, by=self.users["admin"])
        self.counts["deleted_projects"] = len(deleted)


def build_demo(
    *,
    seed: int = DEFAULT_SEED,
    reference_date: date | None = None,
    step: Callable[[str], None] | None = None,
) -> DemoResult:
    """Build the demo city into an empty database (see the module docstring).

    `step(name)` is called as each of STEPS begins (the command drives a progress bar with it).
    Raises DemoError when the database already holds data or demo logins.
    """
    reference_date = reference_date or reference_date_setting()
    step = step or (lambda name: None)
    if database_holds_data():
        raise DemoError(_("The database already holds projects, companies or units."))
    taken = list(
        User.objects.filter(username__in=[login.username for login in city.LOGINS])
        .order_by("username")
        .values_list("username", flat=True)
    )
    if taken:
        raise DemoError(
            _("These user names are taken already: %(names)s.") % {"names": ", ".join(taken)}
        )
    with transaction.atomic():
        step("organisation")
        writer = _Writer(DemoPlan(seed, reference_date, [], [], {}), step)
        writer.organisation()
        step("logins")
        writer.logins()
        step("reference data")
        writer.reference_data()
        step("plan")
        writer.plan = plan_demo(seed=seed, reference_date=reference_date)
        step("companies")
        writer.companies()
        step("projects")
        writer.projects()
        step("stage log")
        writer.stage_log()
        step("funds in place")
        writer.funds()
        step("reorganisation")
        writer.reorganisation()
        step("duplicates")
        writer.duplicates()
        _analyze()
        step("field work")
        writer.counts.update(build_fieldwork(seed=seed, reference_date=reference_date))
        writer.counts.update(
            build_referrals(units=writer.units, industries=writer.industries, users=writer.users)
        )
        writer.counts.update(build_chains(seed=seed))
        writer.counts.update(build_enterprises(seed=seed, user=writer.users["admin"]))
        _analyze()
        writer.counts.update(build_chain_links(seed=seed, users=writer.users))
        writer.counts.update(
            build_supervision(seed=seed, reference_date=reference_date, users=writer.users)
        )
        writer.counts.update(build_targets(admin=writer.users["admin"]))
        writer.counts.update(
            build_followup(seed=seed, reference_date=reference_date, users=writer.users)
        )
        writer.counts.update(build_conflicts(admin=writer.users["admin"]))
        writer.counts.update(build_reports(users=writer.users))
        _analyze()
    cache.delete(DEMO_MARKER_KEY)
    return DemoResult(
        digest=demo_digest(),
        seed=seed,
        reference_date=reference_date,
        counts=writer.counts,
        logins=[
            {"username": login.username, "name": login.display_name, "role": str(login.role)}
            for login in city.LOGINS
        ],
    )


def _analyze() -> None:
    """Planner statistics on PostgreSQL after the bulk steps: a table the planner still takes
    for empty gets nested-loop plans that run for minutes on tens of thousands of rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def demo_digest() -> str:
    """A fingerprint of the records a demo build wrote (ids left out, so it holds on any engine):
    the same seed and reference date give the same digest."""
    digest = hashlib.sha256()

    def feed(rows) -> None:
        for row in rows:
            digest.update(repr(tuple(str(v) for v in row)).encode())

    feed(
        OrgUnit.objects.order_by("code").values_list(
            "code", "name", "kind", "parent__code", "valid_from", "valid_to", "successor__code"
        )
    )
    feed(
        Company.all_objects.order_by("pk").values_list(
            "name", "uscc", "region__code", "ownership", "parent__name", "established_on"
        )
    )
    feed(
        (*row[:-1], row[-1] is None)
        for row in Project.all_objects.order_by("pk").values_list(
            "name",
            "company__name",
            "district__code",
            "responsible_unit__code",
            "stage",
            "stage_on",
            "first_signed_on",
            "status",
            "total_investment",
            "foreign_investment",
            "foreign_currency",
            "fai_code",
            "fai_on",
            "created_at",
            "merged_into__name",
            "version",
            "deleted_at",
        )
    )
    feed(
        StageChange.objects.order_by("project_id", "on", "pk").values_list(
            "project__name", "stage", "on", "note"
        )
    )
    feed(
        FundsInPlace.objects.order_by("project_id", "on", "pk").values_list(
            "project__name", "on", "amount", "source"
        )
    )
    return digest.hexdigest()
