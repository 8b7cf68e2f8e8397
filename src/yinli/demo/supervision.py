"""The demo city's supervision (督办): task forces on the major projects, obstacles on signed
projects (some closed, some overdue on the reference date) and a few leaders' instructions with
the units' reports.

Invented and deterministic (its own random stream, so the other parts of the demo draw what they
drew before). Project records are not changed through the services: the task forces take the
names the ledger already gives (``task_force``, ``linked_leader``), so the demo's figures, and
its digest, stay as they were.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from yinli.core.models import OrgUnit, User
from yinli.projects.models import Project, Stage, Status
from yinli.supervision.models import (
    Department,
    Instruction,
    InstructionStatus,
    InstructionUnit,
    Obstacle,
    ObstacleNote,
    ObstacleStatus,
    TaskForce,
)

MAJOR_WAN = 100000  # 10亿元
SIGNED = [Stage.SIGNED, Stage.REGISTERED, Stage.STARTED, Stage.COMPLETED]

# category → department code, problems, progress notes, resolutions
PROBLEMS = {
    "land": (
        "zrzy",
        [
            "用地指标不足，需省级调剂",
            "地块征收拆迁未完成",
            "土地出让挂牌时间待定",
            "规划条件需调整",
        ],
        ["已与自然资源和规划局对接", "已上报省厅申请调剂指标"],
        ["省级调剂指标已下达", "地块已完成挂牌出让"],
    ),
    "energy": (
        "fgw",
        ["能耗指标缺口约1.5万吨标煤", "节能审查意见未出具"],
        ["已提交节能报告，专家评审中", "发改委已约谈企业优化工艺"],
        ["能耗指标已在全市统筹解决", "节能审查已通过"],
    ),
    "environment": (
        "sthj",
        ["环评批复未下", "排污总量指标不足"],
        ["环评报告已受理，公示中", "生态环境局已组织现场踏勘"],
        ["环评已批复", "排污权已通过交易取得"],
    ),
    "funding": (
        "jrj",
        ["项目贷款审批进度慢", "股东增资款未按期到位"],
        ["已组织银企对接会", "企业承诺下月到位"],
        ["银团贷款已获批", "增资款已到位"],
    ),
    "talent": (
        "rsj",
        ["高端技术人才引进困难", "一线技工招聘缺口较大"],
        ["已纳入人才计划支持名单", "人社局组织专场招聘会"],
        ["首批技术骨干已到岗", "专场招聘会解决用工需求"],
    ),
    "approval": (
        "spj",
        ["施工许可办理受阻", "消防设计审查未通过"],
        ["行政审批局已开通绿色通道", "企业正在补正材料"],
        ["施工许可证已核发", "消防审查已通过"],
    ),
    "utilities": (
        "power",
        ["厂区供电增容未落实", "天然气管网未接入", "污水管网配套滞后"],
        ["供电公司已完成现场踏勘", "管网施工已招标"],
        ["新建专线已送电", "管网已接通"],
    ),
}
CATEGORY_WEIGHTS = {
    "land": 5,
    "energy": 3,
    "environment": 2,
    "funding": 2,
    "talent": 1,
    "approval": 3,
    "utilities": 3,
}

INSTRUCTIONS = [
    ("请{district}会同相关部门，加快{project}要素保障，月底前报进展。", 30),
    ("{project}是全市重点项目，务必按期开工，请专班每周调度。", 20),
    ("请市自然资源和规划局、{district}研究{project}用地问题，提出解决方案。", 15),
    ("对{project}遇到的问题要逐项销号，确保年内投产。", 45),
]
RESPONSES = [
    "已召开专题协调会，明确责任分工和时间节点。",
    "已完成前期审批，正在推进施工准备。",
    "已与企业对接，问题正在逐项落实中。",
]


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _leads(users: dict[str, User], district_code: str) -> tuple[User, list[User]]:
    """The task force's lead and members: the district's own login where the demo has one,
    else the city's investment-promotion analyst; the analyst sits on every task force."""
    analyst = users["analyst"]
    if district_code == "jingkou":
        return users["jingkou"], [analyst]
    if district_code == "jingkai":
        return users["jingkai"], [users["newenergy"], analyst]
    return analyst, [users["beijing"]] if district_code == "gaoxin" else []


def build(*, seed: int, reference_date: date, users: dict[str, User]) -> dict[str, int]:
    rng = random.Random(f"{seed}-supervision")
    admin = users["admin"]
    departments = {d.code: d for d in Department.objects.all()}
    counts = {"task_forces": 0, "obstacles": 0, "instructions": 0}
    signed = (
        Project.objects.filter(
            stage__in=SIGNED,
            status=Status.ACTIVE,
            merged_into__isnull=True,
            first_signed_on__isnull=False,
            first_signed_on__lte=reference_date,
        )
        .select_related("district")
        .order_by("pk")
    )

    # Task forces on the major projects (一项目一专班), named as the ledger names them.
    major = list(signed.filter(total_investment__gte=MAJOR_WAN).exclude(task_force=""))
    top = {p.pk for p in sorted(major, key=lambda p: -p.total_investment)[:6]}
    leader = users["leader"]
    for project in major:
        lead, members = _leads(users, project.district.code if project.district else "")
        task_force = TaskForce(
            project=project,
            name=project.task_force,
            lead=lead,
            linked_leader=leader if project.pk in top else None,
            linked_leader_name="" if project.pk in top else project.linked_leader,
            created_by=admin,
            created_at=_aware(project.first_signed_on),
            updated_at=_aware(project.first_signed_on),
        )
        task_force.save()
        task_force.members.set([m for m in members if m.pk != lead.pk])
        if project.pk in top:
            Project.all_objects.filter(pk=project.pk).update(linked_leader=str(leader)[:64])
        counts["task_forces"] += 1

    # Obstacles on about one signed project in six, raised after the signing.
    categories = list(CATEGORY_WEIGHTS)
    weights = [CATEGORY_WEIGHTS[c] for c in categories]
    recent = list(signed.filter(first_signed_on__gte=reference_date - timedelta(days=540)))
    chosen = [p for p in recent if p.pk in top or rng.random() < 0.16]
    for project in chosen:
        for _n in range(1 if rng.random() < 0.7 else 2):
            category = rng.choices(categories, weights)[0]
            code, problems, notes, resolutions = PROBLEMS[category]
            span = max((reference_date - project.first_signed_on).days, 1)
            raised_on = project.first_signed_on + timedelta(days=rng.randint(0, span))
            deadline = raised_on + timedelta(days=rng.choice([15, 30, 30, 45, 60, 90]))
            obstacle = Obstacle(
                project=project,
                title=rng.choice(problems),
                category=category,
                department=departments[code],
                raised_on=raised_on,
                deadline=deadline,
                created_by=admin,
                created_at=_aware(raised_on),
                updated_at=_aware(raised_on),
            )
            # Most obstacles whose deadline has passed were resolved; some are overdue.
            if deadline < reference_date and rng.random() < 0.7:
                closed_on = min(deadline + timedelta(days=rng.randint(-10, 20)), reference_date)
                obstacle.status = ObstacleStatus.CLOSED
                obstacle.closed_on = max(closed_on, raised_on)
                obstacle.closed_by = admin
                obstacle.resolution = rng.choice(resolutions)
            obstacle.save()
            note_on = raised_on + timedelta(days=rng.randint(1, 10))
            if note_on <= (obstacle.closed_on or reference_date):
                ObstacleNote.objects.create(
                    obstacle=obstacle, on=note_on, text=rng.choice(notes), by=admin
                )
            counts["obstacles"] += 1

    # A few leaders' instructions on the largest projects, some answered and done.
    for n, project in enumerate(sorted(major, key=lambda p: -p.total_investment)[:5]):
        template, days = INSTRUCTIONS[n % len(INSTRUCTIONS)]
        issued_on = reference_date - timedelta(days=rng.randint(10, 60))
        district_name = project.district.name if project.district else ""
        instruction = Instruction(
            text=template.format(district=district_name, project=project.name),
            issued_on=issued_on,
            deadline=issued_on + timedelta(days=days),
            leader=leader,
            project=project,
            created_by=users["analyst"],
            created_at=_aware(issued_on),
            updated_at=_aware(issued_on),
        )
        instruction.save()
        units = [u for u in [project.district, project.responsible_unit] if u is not None]
        units += list(OrgUnit.objects.filter(code="city-promotion"))
        answered = 0
        for unit in dict.fromkeys(units):
            part = InstructionUnit(instruction=instruction, unit=unit, created_by=users["analyst"])
            if rng.random() < 0.6:
                on = min(issued_on + timedelta(days=rng.randint(3, 15)), reference_date)
                part.response = rng.choice(RESPONSES)
                part.responded_at = _aware(on)
                part.responded_by = admin
                answered += 1
            part.save()
        if answered == len(dict.fromkeys(units)) and n % 2 == 0:
            instruction.status = InstructionStatus.DONE
            instruction.done_at = _aware(min(issued_on + timedelta(days=days), reference_date))
            instruction.done_by = users["analyst"]
            instruction.save()
        counts["instructions"] += 1
    return counts
