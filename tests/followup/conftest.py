"""Projects with a stage log written by hand, for the followup tests."""

from __future__ import annotations

from datetime import date

import pytest

from tests import factories
from tests.api.conftest import api_as  # noqa: F401  (the API client per persona)
from yinli.followup.models import AlertRule
from yinli.projects.models import Project, StageChange


def followed(city, *, signed_on: date, steps=(), total_wan="20000", **extra) -> Project:
    """A project signed on `signed_on` that then reached each (stage, day) of `steps`."""
    project = factories.project(city, signed_on=signed_on, total_wan=total_wan, **extra)
    for stage, on in steps:
        StageChange.objects.create(project=project, stage=stage, on=on)
    if steps:
        stage, on = steps[-1]
        Project.objects.filter(pk=project.pk).update(stage=stage, stage_on=on)
        project.refresh_from_db()
    return project


@pytest.fixture
def rules(db) -> dict[str, AlertRule]:
    """The default rules, by name (seeded after migrate)."""
    return {rule.name: rule for rule in AlertRule.objects.all()}
