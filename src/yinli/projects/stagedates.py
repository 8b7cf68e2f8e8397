"""The first dates of the stage log, kept on the project (what the pipeline figures range over).

The stage log (StageChange) is the record; five columns of Project repeat what the pipeline
figures need of it, so that a period's leads and the days between stages are range scans over
indexed columns of one table instead of an aggregate over the log of every project:

- ``entered_on`` and ``entered_stage``: the first entry of the log (earliest date, then the
  entry written first);
- ``lead_on``: the first date at 线索 or 洽谈;
- ``started_on``: the first date at 开工 or a later stage;
- ``producing_on``: the first date at 投产 or 达产.

They are never typed in. They follow the log:

- a stage change written or deleted one at a time (the services, the admin, a cascade) updates
  its project (signals, connected in ``ProjectsConfig.ready``);
- ``Project.save()`` derives them again from the log, so a project object that was loaded
  before a change cannot write back old dates;
- code that writes the log in bulk (``bulk_create``, plain INSERTs, ``QuerySet.update``) calls
  :func:`refresh_stage_dates` with the projects it touched (the ledger import, the demo).

tests/projects/test_stage_dates.py checks that they agree with the log after each write path.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Max, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save

from .models import STAGE_ORDER, Project, Stage, StageChange

LEAD_STAGES = [Stage.LEAD.value, Stage.NEGOTIATING.value]
STARTED_STAGES = STAGE_ORDER[STAGE_ORDER.index(Stage.STARTED) :]
PRODUCING_STAGES = STAGE_ORDER[STAGE_ORDER.index(Stage.PRODUCING) :]
#: The columns of Project this module keeps, in the order of :func:`stage_dates_from_log`.
FIELDS = ("entered_on", "entered_stage", "lead_on", "started_on", "producing_on")
#: How many projects one UPDATE of :func:`refresh_stage_dates` covers.
CHUNK = 5000


def stage_dates_from_log(log: Iterable[tuple[str, date]]) -> dict:
    """The five values from a project's log, given as (stage, on) in the order it was written."""
    values: dict = dict.fromkeys(FIELDS)
    values["entered_stage"] = ""
    for stage, on in log:
        if values["entered_on"] is None or on < values["entered_on"]:
            values["entered_on"], values["entered_stage"] = on, stage
        for key, stages in (
            ("lead_on", LEAD_STAGES),
            ("started_on", STARTED_STAGES),
            ("producing_on", PRODUCING_STAGES),
        ):
            if stage in stages and (values[key] is None or on < values[key]):
                values[key] = on
    return values


def stage_dates_of(project_id: int) -> dict:
    """The five values of one project, from its log in the database."""
    log = StageChange.objects.filter(project_id=project_id).order_by("id")
    return stage_dates_from_log(log.values_list("stage", "on"))


def _expressions() -> dict:
    log = StageChange.objects.filter(project=OuterRef("pk"))
    first = log.order_by("on", "id")

    def earliest(stages):
        return Subquery(
            log.filter(stage__in=stages)
            .values("project")
            .annotate(first=Min("on"))
            .values("first")[:1]
        )

    return {
        "entered_on": Subquery(first.values("on")[:1]),
        # A project without a log has "" (the column is not nullable).
        "entered_stage": Coalesce(Subquery(first.values("stage")[:1]), Value("")),
        "lead_on": earliest(LEAD_STAGES),
        "started_on": earliest(STARTED_STAGES),
        "producing_on": earliest(PRODUCING_STAGES),
    }


def refresh_stage_dates(*, project_ids: Iterable[int] | None = None, progress=None) -> int:
    """Derive the five columns again from the log: of `project_ids`, or of every project.

    One UPDATE per :data:`CHUNK` projects (by id range when it is every project); returns how
    many rows it updated. `progress`, if given, is called with (done, total) after each chunk.
    """
    projects = Project.all_objects.order_by()
    expressions = _expressions()
    if project_ids is None:
        bounds = projects.aggregate(low=Min("pk"), high=Max("pk"))
        if bounds["low"] is None:
            return 0
        chunks = [
            Q(pk__gte=low, pk__lt=low + CHUNK)
            for low in range(bounds["low"], bounds["high"] + 1, CHUNK)
        ]
    else:
        ids = sorted(set(project_ids))
        chunks = [Q(pk__in=ids[start : start + CHUNK]) for start in range(0, len(ids), CHUNK)]
    updated = 0
    for done, condition in enumerate(chunks, 1):
        updated += projects.filter(condition).update(**expressions)
        if progress is not None:
            progress(done, len(chunks))
    return updated


def _stage_change_written(sender, instance: StageChange, **kwargs) -> None:
    if kwargs.get("raw"):  # loaddata: the project's row comes with its own values
        return
    values = stage_dates_of(instance.project_id)
    Project.all_objects.filter(pk=instance.project_id).update(**values)
    # The caller's project object (the services hold one) gets them too.
    if StageChange.project.is_cached(instance):
        for key, value in values.items():
            setattr(instance.project, key, value)


def connect() -> None:
    """Keep the columns in step with single writes of the log (called by ProjectsConfig.ready)."""
    post_save.connect(_stage_change_written, sender=StageChange, dispatch_uid="stage-dates-save")
    post_delete.connect(
        _stage_change_written, sender=StageChange, dispatch_uid="stage-dates-delete"
    )


__all__ = [
    "FIELDS",
    "LEAD_STAGES",
    "PRODUCING_STAGES",
    "STARTED_STAGES",
    "connect",
    "refresh_stage_dates",
    "stage_dates_from_log",
    "stage_dates_of",
]
