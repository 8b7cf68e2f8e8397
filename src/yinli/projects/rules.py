"""What each stage requires, in one place (the UI shows what is missing before a stage)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Agreement, Project, Stage, stage_rank


@dataclass(frozen=True)
class Requirement:
    field: str
    label: str

    def missing(self, project: Project) -> bool:
        if self.field == "agreement":
            return project.agreement != Agreement.FORMAL
        if self.field == "company.uscc":
            return not (project.company_id and project.company.uscc)
        if self.field == "source":
            return not (project.signing_region_id or project.controller_region_id)
        value = getattr(project, self.field + "_id", None) if self._is_fk(self.field) else None
        if self._is_fk(self.field):
            return value is None
        value = getattr(project, self.field)
        return value in (None, "")

    @staticmethod
    def _is_fk(field: str) -> bool:
        return field in {"company", "district", "industry", "channel", "responsible_unit"}


# Each stage adds to what the stages before it need.
STAGE_REQUIREMENTS: dict[str, list[Requirement]] = {
    Stage.LEAD: [
        Requirement("name", _("project name")),
        Requirement("district", _("district")),
    ],
    Stage.NEGOTIATING: [
        Requirement("company", _("investor")),
        Requirement("industry", _("industry direction")),
        Requirement("responsible_unit", _("responsible unit")),
    ],
    Stage.SIGNED: [
        Requirement(
            "agreement", _("a formal investment agreement (a framework agreement is not a signing)")
        ),
        Requirement("total_investment", _("total investment")),
        Requirement("category", _("category")),
        Requirement("source", _("where the investor comes from")),
        Requirement("channel", _("channel")),
    ],
    Stage.REGISTERED: [Requirement("company.uscc", _("the registered company's credit code"))],
    Stage.STARTED: [Requirement("fai_code", _("investment project code (投资项目代码)"))],
    Stage.COMPLETED: [],
    Stage.PRODUCING: [],
    Stage.FULL: [],
}


def requirements_for(stage: str) -> list[Requirement]:
    """Everything a project needs to stand at `stage`."""
    needed: list[Requirement] = []
    for candidate in Stage:
        needed.extend(STAGE_REQUIREMENTS[candidate])
        if candidate == stage:
            break
    return needed


def incomplete_fields(project: Project, stage: str | None = None) -> list[Requirement]:
    """What the project still lacks to reach `stage` (default: the next stage)."""
    if stage is None:
        rank = stage_rank(project.stage)
        order = list(Stage)
        if rank + 1 >= len(order):
            return []
        stage = order[rank + 1]
    return [req for req in requirements_for(stage) if req.missing(project)]
