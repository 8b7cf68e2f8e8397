"""The demo city's first-report claims (首报首谈) and a few 撞车 cases, so the conflict pages show
something when a newcomer opens them.

Every live project gets the claim a project entered through the form would have had. The cases
are the demo's own name variants: the same investor (the same normalized name) with projects in
two districts. Two are left open for the city's ruling; one is ruled "distinct investments".
No ruling merges or moves a project, so the demo's figures stay as they are.
"""

from __future__ import annotations

from collections import defaultdict

from yinli.core.models import User
from yinli.projects.claims import claims_for_new_projects
from yinli.projects.conflicts import conflict_open, conflict_rule
from yinli.projects.models import Project

CASES = 3


def build_conflicts(*, admin: User) -> dict[str, int]:
    live = Project.objects.filter(merged_into=None).select_related("district", "responsible_unit")
    claims = claims_for_new_projects(projects=live.order_by("pk"), by=admin)

    by_investor: dict[str, list[Project]] = defaultdict(list)
    for project in live.order_by("pk").select_related("company"):
        by_investor[project.company.name_normalized].append(project)
    pairs = []
    for projects in by_investor.values():
        first = projects[0]
        other = next((p for p in projects[1:] if p.district_id != first.district_id), None)
        if other is not None:
            pairs.append((first, other))
        if len(pairs) == CASES:
            break
    conflicts = [
        conflict_open(
            project_a=a,
            project_b=b,
            by=admin,
            note="演示：同一投资方的名称变体出现在两个板块的台账中。",
            check_permission=False,
        )
        for a, b in pairs
    ]
    if conflicts:
        conflict_rule(
            conflict=conflicts[-1],
            ruling="distinct",
            reason="演示：经核实为同一集团在两地的不同投资，分别计入。",
            by=admin,
        )
    return {"claims": len(claims), "conflicts": len(conflicts)}
