"""The demo city's follow-through: 实际使用外资 on the foreign projects' funds, permit checklists.

The planner already records funds in place for every started project (yinli.demo.details), some
of them below 30% of the total a year after the start, so the default alert rules have something
to find. Here:

- every arrival of foreign capital (source 外资) of a foreign or HK/Macao/Taiwan-funded project
  gets its 实际使用外资 in 万美元, converted at a rough yuan-per-dollar rate of its year; the
  creation records in the change history say the same;
- the projects signed in the reference date's year above 1亿元 that are still live get the permit checklist
  of their template, its items done, in progress or not started as far as the project has come
  (a started project holds its 施工许可), a few in progress past their planned day.

Its own random generator (seeded with the demo seed) leaves the planner's streams untouched; no
project's stage, amount or date changes, so the report's figures stay as they are.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Min
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from yinli.companies.models import FOREIGN_FUNDED
from yinli.core.models import User
from yinli.followup.defaults import create_defaults
from yinli.followup.models import PermitItem, PermitStatus, PermitTemplate
from yinli.followup.selectors import template_for
from yinli.projects.models import FundsInPlace, FundsSource, Project, Stage, StageChange, Status

BATCH = 500
# Yuan per US dollar, rough yearly averages (the figures' own rates are stats.ConversionRate).
USD_RATE = {2023: Decimal("7.05"), 2024: Decimal("7.12"), 2025: Decimal("7.18")}
FOLLOWED_ABOVE_WAN = Decimal(10000)
# Permits a project may not need (不涉及), and how often.
OFTEN_NOT_NEEDED = {"安全预评价": 0.7, "能评（节能审查）": 0.3, "用地预审与选址": 0.15}


def _foreign_capital() -> int:
    rows = list(
        FundsInPlace.objects.filter(
            source=FundsSource.FOREIGN,
            project__company__ownership__in=[str(o) for o in FOREIGN_FUNDED],
        ).order_by("pk")
    )
    for row in rows:
        rate = USD_RATE.get(row.on.year, USD_RATE[2025])
        row.foreign_amount = (row.amount / rate).quantize(Decimal(1), ROUND_HALF_UP)
    FundsInPlace.objects.bulk_update(rows, ["foreign_amount"], batch_size=BATCH)
    history = FundsInPlace.history.model
    records = list(history.objects.filter(id__in=[r.pk for r in rows], history_type="+"))
    amounts = {r.pk: r.foreign_amount for r in rows}
    for record in records:
        record.foreign_amount = amounts[record.id]
    history.objects.bulk_update(records, ["foreign_amount"], batch_size=BATCH)
    return len(rows)


def _stage_days(project_ids: list[int]) -> dict[tuple[int, str], date]:
    return {
        (row["project_id"], row["stage"]): row["first"]
        for row in StageChange.objects.filter(project_id__in=project_ids)
        .values("project_id", "stage")
        .annotate(first=Min("on"))
        .order_by()
    }


def _between(rng: random.Random, start: date, end: date) -> date:
    if end <= start:
        return start
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _checklist(rng, project, items, days, reference_date) -> list[PermitItem]:
    signed = project.first_signed_on
    registered = days.get((project.pk, Stage.REGISTERED))
    started = next(
        (days[(project.pk, s)] for s in Stage.values[4:] if (project.pk, s) in days), None
    )
    # How far the checklist has come: all of it once started, else a share of it.
    if started is not None:
        settled_until = len(items)
    elif registered is not None:
        settled_until = rng.randint(2, max(2, len(items) - 3))
    else:
        settled_until = rng.randint(0, 1)
    end = started or reference_date
    made = []
    for index, template_item in enumerate(items):
        status, started_on, due_on, done_on = PermitStatus.NOT_STARTED, None, None, None
        if rng.random() < OFTEN_NOT_NEEDED.get(template_item.name, 0):
            status = PermitStatus.NOT_APPLICABLE
        elif index < settled_until:
            status = PermitStatus.DONE
            if started is not None and template_item.name == "施工许可":
                done_on = started
            else:
                done_on = _between(rng, signed, end)
            started_on = max(signed, done_on - timedelta(days=rng.randint(10, 60)))
        elif index == settled_until:
            status = PermitStatus.IN_PROGRESS
            started_on = _between(rng, signed, reference_date)
            # Some are past their planned day: the list shows them in red.
            due_on = started_on + timedelta(days=rng.choice([30, 45, 60, 90, 120]))
        made.append(
            PermitItem(
                project=project,
                template_item=template_item,
                name=template_item.name,
                department=template_item.department,
                order=template_item.order,
                status=status,
                started_on=started_on,
                due_on=due_on,
                done_on=done_on,
            )
        )
    return made


def _permits(*, seed: int, reference_date: date, by: User | None) -> int:
    rng = random.Random(f"{seed}-followup-permits")
    create_defaults()
    templates: dict[tuple[str, str], PermitTemplate | None] = {}
    items_of: dict[int, list] = {}
    projects = list(
        Project.objects.filter(
            merged_into__isnull=True,
            first_signed_on__gte=date(reference_date.year, 1, 1),
            first_signed_on__lte=reference_date,
            total_investment__gte=FOLLOWED_ABOVE_WAN,
            status__in=[Status.ACTIVE, Status.PAUSED],
        ).order_by("pk")
    )
    days = _stage_days([p.pk for p in projects])
    rows: list[PermitItem] = []
    now = timezone.now()
    for project in projects:
        key = (project.category, project.kind)
        if key not in templates:
            templates[key] = template_for(project)
        template = templates[key]
        if template is None:
            continue
        if template.pk not in items_of:
            items_of[template.pk] = list(template.items.order_by("order", "pk"))
        for item in _checklist(rng, project, items_of[template.pk], days, reference_date):
            item.created_at = item.updated_at = now
            item.created_by = item.updated_by = by
            item._history_user = by
            rows.append(item)
    bulk_create_with_history(rows, PermitItem, batch_size=BATCH, default_user=by)
    return len(rows)


def build_followup(*, seed: int, reference_date: date, users: dict[str, User]) -> dict[str, int]:
    return {
        "foreign_capital_arrivals": _foreign_capital(),
        "permit_items": _permits(seed=seed, reference_date=reference_date, by=users.get("admin")),
    }
