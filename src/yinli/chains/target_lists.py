"""Target lists (招商清单): saved from a node's ranking, assigned to a team, followed up.

Writes (save a list, make a lead from a target) and reads (a list's rows with whether each
company was visited and became a project; the Excel export). Who sees and changes a list:
chains.scoping.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yinli.core import scoping as core_scoping
from yinli.core.models import OrgUnit
from yinli.core.services import PermissionDeniedError, save_tracked

from . import scoping
from .models import ChainNode, TargetItem, TargetList
from .targets import PART_LABELS, PARTS, score_rule, targets_among

MAX_ITEMS = 500


def target_list_create(
    *,
    node: ChainNode,
    team: OrgUnit,
    company_ids: list[int],
    by,
    name: str = "",
    note: str = "",
) -> TargetList:
    """Save the chosen companies of the node's ranking as a list assigned to a team.

    Each company must be among the node's targets; its score and parts are kept as they were.
    """
    if not scoping.teams_for_target_lists(by).filter(pk=team.pk).exists():
        raise PermissionDeniedError(
            _("You may not assign a target list to %(unit)s.") % {"unit": team.display_name}
        )
    chosen = list(dict.fromkeys(int(pk) for pk in company_ids))
    if not chosen:
        raise ValidationError({"company_ids": _("Choose at least one target.")})
    if len(chosen) > MAX_ITEMS:
        raise ValidationError(
            {"company_ids": _("A list holds at most %(n)s targets.") % {"n": MAX_ITEMS}}
        )
    ranking = targets_among(node=node, company_ids=chosen)
    missing = [pk for pk in chosen if pk not in ranking]
    if missing:
        from yinli.companies.models import Company

        names = Company.objects.filter(pk__in=missing).values_list("name", flat=True)
        raise ValidationError(
            {
                "company_ids": _("Not among the targets of “%(node)s”: %(names)s.")
                % {"node": node.name, "names": "、".join(names) or ", ".join(map(str, missing))}
            }
        )
    name = " ".join((name or "").split()) or _("%(node)s targets, %(on)s") % {
        "node": node.name,
        "on": timezone.localdate().isoformat(),
    }
    with transaction.atomic():
        target_list = save_tracked(
            instance=TargetList(name=name[:100], node=node, team=team, note=note or ""), by=by
        )
        ordered = sorted(chosen, key=lambda pk: -ranking[pk].score)
        TargetItem.objects.bulk_create(
            TargetItem(
                target_list=target_list,
                company_id=pk,
                rank=rank,
                score=ranking[pk].score,
                parts={key: str(value) for key, value in ranking[pk].parts.items()},
            )
            for rank, pk in enumerate(ordered, start=1)
        )
    return target_list


@transaction.atomic
def target_make_lead(*, item: TargetItem, by, district: OrgUnit | None = None):
    """A lead (线索) for the target in one step: the company as investor, the list's team as the
    responsible unit, the team's district, the chain's first industry direction, 以商引商 as
    the channel when the company is tied to a local one. The row then points at the project."""
    from yinli.fieldwork.models import Channel
    from yinli.projects.models import Industry, Stage
    from yinli.projects.services import project_create

    target_list = item.target_list
    if not scoping.can_change_target_list(by, target_list):
        raise PermissionDeniedError()
    if item.project_id:
        raise ValidationError(
            _("This target already became the project “%(name)s”.") % {"name": item.project.name}
        )
    team = target_list.team
    district = district or (team.district if team.district_id else None)
    if district is None:
        raise ValidationError({"district": _("Choose the district the lead would land in.")})
    node = target_list.node
    chain = node.chain
    industry = Industry.objects.filter(name__in=chain.industry_names).order_by("pk").first()
    company = item.company
    data = {
        "name": _("%(company)s project") % {"company": company.name},
        "company": company,
        "signing_region": company.region,
        "district": district,
        "industry": industry,
        "notes": _("From the target list “%(list)s” (%(chain)s · %(node)s), score %(score)s.")
        % {"list": target_list.name, "chain": chain.name, "node": node.name, "score": item.score},
    }
    if team.district_id == district.pk:
        data["responsible_unit"] = team
    if str(item.parts.get("ties", "0")) not in ("0", "0.0"):
        data["channel"] = Channel.objects.filter(code="business").first()
    project = project_create(data=data, by=by, stage=Stage.LEAD)
    item.project = project
    item.save(update_fields=["project"])
    return project


# --- reads -------------------------------------------------------------------------------


@dataclass
class ListRow:
    item: TargetItem
    visited_on: object = None
    visits: int = 0
    projects: list = None

    @property
    def company(self):
        return self.item.company

    @property
    def parts(self) -> list[tuple[str, str]]:
        return [(str(PART_LABELS[k]), self.item.parts.get(k, "0")) for k in PARTS]


def list_rows(*, target_list: TargetList, user) -> list[ListRow]:
    """The list's targets with their follow-up: visits and projects the user may see."""
    from django.db.models import Count, Max

    items = list(
        target_list.items.select_related("company", "company__region", "project").order_by(
            "rank", "pk"
        )
    )
    ids = [i.company_id for i in items]
    visits = {
        row["company_id"]: row
        for row in core_scoping.visible_visits(user)
        .filter(company_id__in=ids)
        .values("company_id")
        .annotate(n=Count("pk"), last=Max("visited_on"))
    }
    projects: dict[int, list] = {}
    for project in (
        core_scoping.visible_projects(user)
        .filter(company_id__in=ids, merged_into__isnull=True)
        .order_by("-pk")
    ):
        projects.setdefault(project.company_id, []).append(project)
    rows = []
    for item in items:
        found = visits.get(item.company_id)
        own = projects.get(item.company_id, [])
        if (
            item.project_id
            and item.project not in own
            and core_scoping.can_see_project(user, item.project)
        ):
            own = [item.project, *own]
        rows.append(
            ListRow(
                item=item,
                visited_on=found["last"] if found else None,
                visits=found["n"] if found else 0,
                projects=own,
            )
        )
    return rows


def list_summary(rows: list[ListRow]) -> dict:
    return {
        "targets": len(rows),
        "visited": sum(1 for r in rows if r.visits),
        "projects": sum(1 for r in rows if r.projects),
    }


def lists_for(user, *, scope: str = "all") -> QuerySet:
    """mine: lists I made; team: lists of my unit and those under it; all: every list I see."""
    lists = scoping.visible_target_lists(user).select_related("node", "node__chain", "team")
    if scope == "mine":
        lists = lists.filter(created_by=user)
    elif scope == "team":
        unit = getattr(user, "org_unit", None)
        lists = (
            lists.filter(team_id__in=core_scoping.unit_subtree_ids(unit.pk))
            if unit
            else lists.none()
        )
    return lists.order_by("-created_at", "-pk")


HEADERS = [
    "排名",
    "企业名称",
    "统一社会信用代码",
    "所在地区",
    "总分",
    "匹配度",
    "注册资本",
    "参保人数",
    "区域",
    "距离",
    "成立年限",
    "成长性",
    "以商引商",
    "走访次数",
    "最近走访",
    "已转项目",
]


def export_workbook(*, target_list: TargetList, user) -> bytes:
    """The list as an Excel workbook: a title, the header, one row per target."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    rows = list_rows(target_list=target_list, user=user)
    book = Workbook()
    sheet = book.active
    sheet.title = "招商清单"
    node = target_list.node
    sheet.append([f"{target_list.name}（{node.chain.name} · {node.name}）"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(
        [f"承办单位：{target_list.team.display_name}　导出日期：{timezone.localdate().isoformat()}"]
    )
    sheet.append(HEADERS)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        item = row.item
        sheet.append(
            [
                item.rank,
                item.company.name,
                item.company.uscc or "",
                item.company.region.full_name if item.company.region_id else "",
                float(item.score),
                *[float(item.parts.get(key, 0)) for key in PARTS],
                row.visits,
                row.visited_on.isoformat() if row.visited_on else "",
                "、".join(p.name for p in row.projects),
            ]
        )
    widths = [6, 36, 22, 24, 8, 8, 10, 10, 8, 8, 10, 8, 10, 10, 12, 36]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "C4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_filename(target_list: TargetList) -> str:
    stamp = datetime.now().strftime("%Y%m%d")
    return f"招商清单-{target_list.node.name}-{stamp}.xlsx"


def ranking_workbook(*, node: ChainNode, targets: list) -> bytes:
    """A node's ranking (chains.targets.Target rows) as an Excel workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "招商目标"
    sheet.append(
        [f"{node.chain.name} · {node.name} 招商目标（{timezone.localdate().isoformat()}）"]
    )
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([score_rule()])
    sheet.append(HEADERS[:13])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for rank, target in enumerate(targets, start=1):
        sheet.append(
            [
                rank,
                target.company.name,
                target.credit_code,
                target.region_name,
                float(target.score),
                *[float(target.parts[key]) for key in PARTS],
            ]
        )
    sheet.freeze_panes = "C4"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
