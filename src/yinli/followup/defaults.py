"""The alert rules and permit templates a new database starts with.

The rules follow what Jiangsu cities commonly watch after a signing (谁签约谁跟踪谁落实): a company
that has not registered six months after the agreement, a registered one that has not started six
months later, a started one whose funds in place are below 30% of the total after a year, a
started one not producing after two years. The permit lists follow the usual sequence of an
enterprise investment project's approvals (核准/备案 → 用地 → 规划 → 环评 → 能评 → 施工许可) and
the departments that usually grant them. A city edits both as data (rule page, admin).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from yinli.projects.models import Category, Stage

from .models import AlertKind, AlertRule, PermitTemplate, PermitTemplateItem

# name, kind, from stage, to stage, months, funds %, description
DEFAULT_RULES = [
    (
        "签约未注册",
        AlertKind.STAGE_GAP,
        Stage.SIGNED,
        Stage.REGISTERED,
        6,
        None,
        "签约满6个月仍未注册",
    ),
    (
        "注册未开工",
        AlertKind.STAGE_GAP,
        Stage.REGISTERED,
        Stage.STARTED,
        6,
        None,
        "注册满6个月仍未开工",
    ),
    (
        "开工满一年到位资金不足30%",
        AlertKind.FUNDS_BELOW,
        Stage.STARTED,
        "",
        12,
        Decimal(30),
        "开工满12个月，到位资金低于总投资的30%",
    ),
    (
        "开工未投产",
        AlertKind.STAGE_GAP,
        Stage.STARTED,
        Stage.PRODUCING,
        24,
        None,
        "开工满24个月仍未投产",
    ),
]

_DEVELOPMENT = "发改委"
_LAND = "自然资源和规划局"
_ECOLOGY = "生态环境局"
_HOUSING = "住建局"

INDUSTRIAL_PERMITS = [
    ("立项/备案", _DEVELOPMENT, "企业投资项目备案或核准，取得投资项目代码"),
    ("用地预审与选址", _LAND, "用地预审与选址意见书"),
    ("土地出让", _LAND, "土地出让合同、不动产权证"),
    ("建设用地规划许可", _LAND, ""),
    ("建设工程规划许可", _LAND, ""),
    ("环评批复", _ECOLOGY, "环境影响评价文件审批"),
    ("能评（节能审查）", _DEVELOPMENT, "节能审查意见"),
    ("安全预评价", "应急管理局", "危险化学品等项目"),
    ("施工图审查", _HOUSING, ""),
    ("施工许可", _HOUSING, "建筑工程施工许可证"),
]

SERVICE_PERMITS = [
    ("立项/备案", _DEVELOPMENT, "企业投资项目备案"),
    ("用地预审与选址", _LAND, "新建用房的项目"),
    ("土地出让", _LAND, ""),
    ("建设工程规划许可", _LAND, ""),
    ("环评批复", _ECOLOGY, "登记表或报告表"),
    ("施工许可", _HOUSING, ""),
    ("营业执照与行业许可", "市场监管局", "经营所需的许可"),
]

DEFAULT_TEMPLATES = [
    ("工业项目审批清单", Category.INDUSTRIAL, INDUSTRIAL_PERMITS),
    ("服务业项目审批清单", Category.SERVICE, SERVICE_PERMITS),
    ("通用审批清单", "", SERVICE_PERMITS[:2] + INDUSTRIAL_PERMITS[5:7] + [SERVICE_PERMITS[5]]),
]


@transaction.atomic
def create_defaults(using: str = "default") -> None:
    """Seed the rules and templates into a database that has none (a flushed one included)."""
    if not AlertRule.objects.using(using).exists():
        # Seeded reference data, like the regions: no change-history rows, so that a freshly
        # migrated (or flushed) database still counts as empty for `yinli restore`.
        for i, (name, kind, start, end, months, pct, description) in enumerate(DEFAULT_RULES):
            AlertRule(
                name=name,
                kind=kind,
                from_stage=start,
                to_stage=end,
                months=months,
                funds_pct=pct,
                description=description,
                sort_order=i,
            ).save_without_historical_record(using=using)
    if not PermitTemplate.objects.using(using).exists():
        for name, category, items in DEFAULT_TEMPLATES:
            template = PermitTemplate(name=name, category=category)
            template.save_without_historical_record(using=using)
            PermitTemplateItem.objects.using(using).bulk_create(
                PermitTemplateItem(
                    template=template, name=item, department=department, order=i, note=note
                )
                for i, (item, department, note) in enumerate(items, start=1)
            )
