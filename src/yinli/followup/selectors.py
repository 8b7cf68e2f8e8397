"""Reads of the followup app: a project's funds in place, 实际使用外资 by month, permit progress.

A project's 资金到位率 is the same ratio yinli.stats.figures.follow_through takes over the signed
projects of a period: Σ funds in place recorded (all of them) ÷ total investment. Summed over
the projects a figure counts, these give exactly the figure (tests/followup/test_funds.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from yinli.core.models import OrgUnit
from yinli.projects.models import FundsInPlace, Project
from yinli.stats.selectors import live_projects

from .models import PermitItem, PermitStatus, PermitTemplate


@dataclass
class ProjectFunds:
    """A project's funds in place against its total investment (万元)."""

    entries: list[FundsInPlace]
    total_wan: Decimal | None
    funds_wan: Decimal
    foreign_wan_usd: Decimal

    @property
    def pct(self) -> Decimal | None:
        """资金到位率 of the project in percent (unrounded); None without a total."""
        if not self.total_wan:
            return None
        return self.funds_wan * 100 / self.total_wan

    @property
    def bar_pct(self) -> int:
        """The share for a progress bar (0…100)."""
        pct = self.pct
        return 0 if pct is None else int(max(Decimal(0), min(Decimal(100), pct)))


def project_funds(*, project: Project) -> ProjectFunds:
    entries = list(project.funds.select_related("by").order_by("on", "id"))
    return ProjectFunds(
        entries=entries,
        total_wan=project.total_investment,
        funds_wan=sum((e.amount for e in entries), Decimal(0)),
        foreign_wan_usd=sum((e.foreign_amount or Decimal(0) for e in entries), Decimal(0)),
    )


# --- 实际使用外资 ------------------------------------------------------------------------------


@dataclass
class ForeignCapital:
    """实际使用外资 (万美元) by month of arrival, for a period and a scope."""

    start: date
    end: date
    months: list[dict] = field(default_factory=list)
    total_wan_usd: Decimal = Decimal(0)
    projects: int = 0

    def as_dict(self) -> dict:
        return {
            "from": self.start,
            "to": self.end,
            "total_wan_usd": self.total_wan_usd,
            "projects": self.projects,
            "months": self.months,
        }


def foreign_capital_arrivals(
    *, user, start: date, end: date, district: OrgUnit | None = None
) -> QuerySet[FundsInPlace]:
    """The arrivals of foreign capital in [start, end] on the live projects the user sees."""
    return FundsInPlace.objects.filter(
        project__in=live_projects(user=user, district=district).values("pk"),
        on__gte=start,
        on__lte=end,
        foreign_amount__gt=0,
    )


def foreign_capital_by_month(
    *, user, start: date, end: date, district: OrgUnit | None = None
) -> ForeignCapital:
    """Σ 实际使用外资 per month of arrival (one GROUP BY), every month of the period listed."""
    arrivals = foreign_capital_arrivals(user=user, start=start, end=end, district=district)
    found = {
        _as_date(row["month"]): row
        for row in arrivals.annotate(month=TruncMonth("on"))
        .values("month")
        .annotate(
            amount=Sum("foreign_amount"),
            arrivals=Count("pk"),
            projects=Count("project", distinct=True),
        )
        .order_by()
    }
    totals = arrivals.aggregate(
        amount=Sum("foreign_amount"), projects=Count("project", distinct=True)
    )
    result = ForeignCapital(
        start=start,
        end=end,
        total_wan_usd=Decimal(totals["amount"] or 0),
        projects=totals["projects"],
    )
    month = date(start.year, start.month, 1)
    while month <= end:
        row = found.get(month, {})
        result.months.append(
            {
                "month": month.strftime("%Y-%m"),
                "amount_wan_usd": Decimal(row.get("amount") or 0),
                "arrivals": row.get("arrivals", 0),
                "projects": row.get("projects", 0),
            }
        )
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return result


def _as_date(value) -> date:
    # TruncMonth of a DateField is a date; some backends hand back a datetime.
    return value.date() if hasattr(value, "date") and callable(value.date) else value


# --- permits -----------------------------------------------------------------------------------


def template_for(project: Project) -> PermitTemplate | None:
    """The active template that fits the project best: category and kind, then category, then
    kind, then one for any project (ties: by name)."""
    candidates = PermitTemplate.objects.filter(active=True).filter(
        Q(category="") | Q(category=project.category), Q(kind="") | Q(kind=project.kind)
    )
    ranked = sorted(
        candidates, key=lambda t: (-(bool(t.category) * 2 + bool(t.kind)), t.name, t.pk)
    )
    return ranked[0] if ranked else None


@dataclass
class PermitProgress:
    total: int = 0
    done: int = 0
    not_applicable: int = 0
    in_progress: int = 0
    overdue: int = 0

    @property
    def settled(self) -> int:
        return self.done + self.not_applicable

    @property
    def pct(self) -> int:
        return round(self.settled * 100 / self.total) if self.total else 0

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "done": self.done,
            "not_applicable": self.not_applicable,
            "in_progress": self.in_progress,
            "overdue": self.overdue,
            "settled_pct": self.pct,
        }


def permit_documents(*, items: list[PermitItem]) -> dict[int, list]:
    """The live documents attached to each permit (yinli.supervision), in one query."""
    from django.contrib.contenttypes.models import ContentType

    from yinli.supervision.models import Document

    found: dict[int, list] = {item.pk: [] for item in items}
    if not items:
        return found
    documents = Document.objects.filter(
        owner_type=ContentType.objects.get_for_model(PermitItem), owner_id__in=list(found)
    ).select_related("created_by")
    for document in documents.order_by("-created_at", "-pk"):
        found[document.owner_id].append(document)
    return found


def overdue_q(today: date) -> Q:
    """A permit planned for a day that has passed and not settled."""
    return Q(due_on__lt=today, status__in=[PermitStatus.NOT_STARTED, PermitStatus.IN_PROGRESS])


def permit_progress(*, project: Project, today: date) -> PermitProgress:
    result = PermitItem.objects.filter(project=project).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=PermitStatus.DONE)),
        not_applicable=Count("pk", filter=Q(status=PermitStatus.NOT_APPLICABLE)),
        in_progress=Count("pk", filter=Q(status=PermitStatus.IN_PROGRESS)),
        overdue=Count("pk", filter=overdue_q(today)),
    )
    return PermitProgress(**result)
