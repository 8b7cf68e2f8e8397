"""Alerts: the signed projects an active rule finds late, on any as-of date.

Alerts are computed when read, not stored. The rules are few (a handful), each one is a single
query over indexed columns (the stage log's (project, on) and (stage, on), funds by project), so
the city's whole list costs a few queries; and computing them on the fly means the list is right
for any as-of date (last month's, for a report) with nothing to refresh after a stage change, a
funds entry or a rule edit, and no stale row to explain.

How a rule reads the records, as of day D:

- the project counts if it is live, not merged, not 流失 or 终止, and the user follows it
  (yinli.followup.scoping.alert_projects);
- it *reached* stage A on its first stage-log entry at A or a later stage on or before D (for 签约,
  its `first_signed_on`); a project at A or later without such an entry counts from its
  `stage_on`;
- it has *reached* stage B by D if the stage log has an entry at B or later on or before D (or, with
  no such entry at all, its current stage is B or later since a day not after D);
- the alert opens N calendar months after the day A was reached (the same day of the month, or
  the month's last day when it is shorter: 2024-08-31 + 6 months = 2025-02-28; 2024-02-29 + 12
  months = 2025-02-28) and stays open while B is not reached — for a funds rule, while the funds
  in place recorded by D stay below X% of the total investment (exactly X% is not below).

`since` is the day the alert opened, `days` how long it has been open on D (0 on the day itself).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    DateField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from yinli.core.models import OrgUnit
from yinli.projects.claims import add_months
from yinli.projects.models import (
    STAGE_ORDER,
    FundsInPlace,
    Project,
    Stage,
    StageChange,
    Status,
    stage_rank,
)

from .models import AlertKind, AlertRule
from .scoping import alert_projects

WAN = DecimalField(max_digits=30, decimal_places=8)
CLOSED_STATUSES = [Status.LOST, Status.TERMINATED]


def stages_from(stage: str) -> list[str]:
    """The stage and every later one."""
    return STAGE_ORDER[stage_rank(stage) :]


def opening_cutoff(as_of: date, months: int) -> date:
    """The last day d with add_months(d, months) <= as_of: a rule counting from d is open on as_of.

    Subtracting the months gives it, except at a month's end, where the whole end of the earlier
    (longer) month maps onto it: on 2025-02-28, six months back reaches every day up to 2024-08-31.
    """
    back = add_months(as_of, -months)
    if as_of.day == calendar.monthrange(as_of.year, as_of.month)[1]:
        return back.replace(day=calendar.monthrange(back.year, back.month)[1])
    return back


def reached_on(stage: str, as_of: date):
    """The day a project first reached `stage` (or a later one) on or before `as_of`."""
    logged = (
        StageChange.objects.filter(project=OuterRef("pk"), stage__in=stages_from(stage))
        .filter(on__lte=as_of)
        .order_by()
        .values("project")
        .annotate(first=Min("on"))
        .values("first")
    )
    current = Case(
        When(
            Q(stage__in=stages_from(stage), stage_on__lte=as_of),
            then=F("stage_on"),
        ),
        default=None,
        output_field=DateField(),
    )
    expression = Coalesce(Subquery(logged, output_field=DateField()), current)
    if stage == Stage.SIGNED:
        return Case(
            When(first_signed_on__lte=as_of, then=F("first_signed_on")),
            default=expression,
            output_field=DateField(),
        )
    return expression


def reached_by(stage: str, as_of: date) -> Q:
    """Whether a project had reached `stage` (or a later one) by `as_of` (see the docstring)."""
    later = stages_from(stage)
    logged = StageChange.objects.filter(project=OuterRef("pk"), stage__in=later)
    return Q(Exists(logged.filter(on__lte=as_of))) | (
        Q(stage__in=later)
        & (Q(stage_on__isnull=True) | Q(stage_on__lte=as_of))
        & ~Q(Exists(logged))
    )


def funds_by(as_of: date | None = None):
    """Σ funds in place (万元) recorded on or before `as_of` (all of them without a date); 0 if none."""
    funds = FundsInPlace.objects.filter(project=OuterRef("pk"))
    if as_of is not None:
        funds = funds.filter(on__lte=as_of)
    total = funds.order_by().values("project").annotate(total=Sum("amount")).values("total")
    return Coalesce(Subquery(total, output_field=WAN), Value(Decimal(0)), output_field=WAN)


def rule_projects(rule: AlertRule, *, as_of: date, projects: QuerySet) -> QuerySet[Project]:
    """The projects of `projects` that `rule` finds late on `as_of`, annotated with
    `fu_reached_on` (the day the rule counts from) and, for a funds rule, `fu_funds`."""
    queryset = (
        projects.filter(merged_into__isnull=True)
        .exclude(status__in=CLOSED_STATUSES)
        .annotate(fu_reached_on=reached_on(rule.from_stage, as_of))
        .filter(fu_reached_on__lte=opening_cutoff(as_of, rule.months))
    )
    if rule.kind == AlertKind.FUNDS_BELOW:
        pct = Decimal(rule.funds_pct or 0)
        return (
            queryset.filter(total_investment__gt=0)
            .annotate(
                fu_funds=funds_by(as_of),
                fu_expected=ExpressionWrapper(F("total_investment") * pct / 100, output_field=WAN),
            )
            .filter(fu_funds__lt=F("fu_expected"))
        )
    return queryset.exclude(reached_by(rule.to_stage or Stage.REGISTERED, as_of))


@dataclass(frozen=True)
class Alert:
    rule: AlertRule
    project_id: int
    project_name: str
    district_id: int
    district_name: str
    unit_id: int | None
    unit_name: str
    reached_on: date
    since: date
    days: int
    total_wan: Decimal | None
    funds_wan: Decimal | None

    @property
    def funds_pct(self) -> Decimal | None:
        if self.funds_wan is None or not self.total_wan:
            return None
        return self.funds_wan * 100 / self.total_wan

    @property
    def key(self) -> str:
        return f"{self.rule.pk}-{self.project_id}"

    def as_dict(self) -> dict:
        return {
            "rule": {"id": self.rule.pk, "name": self.rule.name, "kind": self.rule.kind},
            "project": {"id": self.project_id, "name": self.project_name},
            "district": {"id": self.district_id, "name": self.district_name},
            "responsible_unit": (
                {"id": self.unit_id, "name": self.unit_name} if self.unit_id else None
            ),
            "reached_on": self.reached_on,
            "since": self.since,
            "days": self.days,
            "total_investment_wan": self.total_wan,
            "funds_in_place_wan": self.funds_wan,
            "funds_in_place_pct": self.funds_pct,
        }


def active_rules(rule: AlertRule | None = None) -> list[AlertRule]:
    if rule is not None:
        return [rule]
    return list(AlertRule.objects.filter(active=True))


def _scoped(user, *, district: OrgUnit | None, project: Project | None) -> QuerySet:
    projects = alert_projects(user)
    if district is not None:
        projects = projects.filter(district=district)
    if project is not None:
        projects = projects.filter(pk=project.pk)
    return projects


def open_alerts(
    *,
    user,
    as_of: date,
    rule: AlertRule | None = None,
    district: OrgUnit | None = None,
    project: Project | None = None,
) -> list[Alert]:
    """The open alerts the user follows on `as_of`, longest open first (one query per rule)."""
    return evaluate(_scoped(user, district=district, project=project), as_of=as_of, rule=rule)


def project_alerts(*, project: Project, as_of: date) -> list[Alert]:
    """Every open alert of one project, whoever follows it (for its page: the caller has checked
    that the user sees the project)."""
    return evaluate(Project.objects.filter(pk=project.pk), as_of=as_of)


def evaluate(projects: QuerySet, *, as_of: date, rule: AlertRule | None = None) -> list[Alert]:
    alerts: list[Alert] = []
    for each in active_rules(rule):
        funds = each.kind == AlertKind.FUNDS_BELOW
        fields = [
            "pk",
            "name",
            "district_id",
            "district__name",
            "responsible_unit_id",
            "responsible_unit__name",
            "total_investment",
            "fu_reached_on",
        ] + (["fu_funds"] if funds else [])
        for row in rule_projects(each, as_of=as_of, projects=projects).values(*fields):
            since = add_months(row["fu_reached_on"], each.months)
            alerts.append(
                Alert(
                    rule=each,
                    project_id=row["pk"],
                    project_name=row["name"],
                    district_id=row["district_id"],
                    district_name=row["district__name"],
                    unit_id=row["responsible_unit_id"],
                    unit_name=row["responsible_unit__name"] or "",
                    reached_on=row["fu_reached_on"],
                    since=since,
                    days=(as_of - since).days,
                    total_wan=row["total_investment"],
                    funds_wan=Decimal(row["fu_funds"]) if funds else None,
                )
            )
    alerts.sort(key=lambda a: (-a.days, a.rule.sort_order, a.rule.pk, a.project_id))
    return alerts


def alert_counts(
    *, user, as_of: date, district: OrgUnit | None = None
) -> list[tuple[AlertRule, int]]:
    """How many alerts each active rule has open for the user (one COUNT per rule)."""
    projects = _scoped(user, district=district, project=None)
    return [
        (each, rule_projects(each, as_of=as_of, projects=projects).count())
        for each in active_rules()
    ]


def alert_count(*, user, as_of: date) -> int:
    return sum(count for _rule, count in alert_counts(user=user, as_of=as_of))
