"""Permit templates and a project's checklist made from one."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tests.followup.conftest import followed
from yinli.core.services import PermissionDeniedError, StaleWriteError
from yinli.followup import selectors, services
from yinli.followup.models import PermitItem, PermitStatus, PermitTemplate, PermitTemplateItem
from yinli.projects.models import Category, Kind

pytestmark = pytest.mark.django_db


def test_the_default_templates_are_seeded_in_order_with_departments(db):
    industrial = PermitTemplate.objects.get(category=Category.INDUSTRIAL)
    names = list(industrial.items.values_list("name", flat=True))
    assert names[0] == "立项/备案" and names[-1] == "施工许可"
    assert industrial.items.get(name="环评批复").department == "生态环境局"


def test_the_template_of_a_project_is_the_most_specific_that_fits(city):
    industrial = followed(city, signed_on=date(2025, 1, 1), category=Category.INDUSTRIAL)
    other = followed(city, signed_on=date(2025, 1, 1), category=Category.OTHER)
    assert selectors.template_for(industrial).category == Category.INDUSTRIAL
    assert selectors.template_for(other).name == "通用审批清单"
    expansion = PermitTemplate.objects.create(
        name="工业增资扩产清单", category=Category.INDUSTRIAL, kind=Kind.EXPANSION
    )
    grown = followed(
        city, signed_on=date(2025, 1, 1), category=Category.INDUSTRIAL, kind=Kind.EXPANSION
    )
    assert selectors.template_for(grown) == expansion
    assert selectors.template_for(industrial).category == Category.INDUSTRIAL
    expansion.active = False
    expansion.save()
    assert selectors.template_for(grown) != expansion


def test_the_checklist_copies_the_template_once(city):
    project = followed(city, signed_on=date(2025, 1, 1))
    template = selectors.template_for(project)
    added = services.permits_from_template(user=city.admin, project=project)
    assert [p.name for p in added] == list(template.items.values_list("name", flat=True))
    assert added[0].department == template.items.first().department
    assert all(p.status == PermitStatus.NOT_STARTED for p in added)
    assert services.permits_from_template(user=city.admin, project=project) == []
    # A permit added to the template later joins on the next click; the others stay as they are.
    first = PermitItem.objects.filter(project=project).first()
    services.permit_update(
        user=city.admin,
        item=first,
        data={"status": PermitStatus.IN_PROGRESS, "started_on": date(2025, 2, 1)},
        version=first.version,
    )
    PermitTemplateItem.objects.create(template=template, name="消防设计审查", order=99)
    [new] = services.permits_from_template(user=city.admin, project=project)
    assert new.name == "消防设计审查"
    first.refresh_from_db()
    assert first.status == PermitStatus.IN_PROGRESS


def test_only_those_who_change_the_project_make_its_checklist(city):
    project = followed(city, signed_on=date(2025, 1, 1), district=city.jingkai)
    with pytest.raises(PermissionDeniedError):
        services.permits_from_template(user=city.jingkou_editor, project=project)
    assert services.permits_from_template(user=city.jingkai_editor, project=project)


def test_progress_counts_settled_in_progress_and_overdue(city):
    project = followed(city, signed_on=date(2025, 1, 1))
    items = services.permits_from_template(user=city.admin, project=project)
    updates = [
        {"status": PermitStatus.DONE, "done_on": date(2025, 2, 1)},
        {"status": PermitStatus.NOT_APPLICABLE},
        {"status": PermitStatus.IN_PROGRESS, "due_on": date(2025, 3, 1)},
        {"status": PermitStatus.IN_PROGRESS, "due_on": date(2025, 9, 1)},
    ]
    for item, data in zip(items, updates, strict=False):
        services.permit_update(user=city.admin, item=item, data=data, version=item.version)
    progress = selectors.permit_progress(project=project, today=date(2025, 8, 10))
    assert (progress.total, progress.settled, progress.in_progress, progress.overdue) == (
        len(items),
        2,
        2,
        1,
    )
    assert progress.pct == round(200 / len(items))


def test_a_stale_permit_update_is_refused(city):
    project = followed(city, signed_on=date(2025, 1, 1))
    item = services.permits_from_template(user=city.admin, project=project)[0]
    services.permit_update(user=city.admin, item=item, data={"note": "已报送"}, version=1)
    stale = PermitItem.objects.get(pk=item.pk)
    stale.version = 1
    with pytest.raises(StaleWriteError):
        services.permit_update(user=city.admin, item=stale, data={"note": "再次"}, version=1)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": PermitStatus.DONE}, "done_on"),
        ({"status": PermitStatus.IN_PROGRESS, "done_on": date(2025, 3, 1)}, "done_on"),
        (
            {
                "status": PermitStatus.DONE,
                "started_on": date(2025, 3, 1),
                "done_on": date(2025, 2, 1),
            },
            "done_on",
        ),
        ({"status": "granted"}, "status"),
    ],
)
def test_inconsistent_permit_states_are_refused(city, data, field):
    project = followed(city, signed_on=date(2025, 1, 1))
    item = services.permits_from_template(user=city.admin, project=project)[0]
    with pytest.raises(ValidationError) as error:
        services.permit_update(user=city.admin, item=item, data=data, version=item.version)
    assert field in error.value.error_dict
    item.refresh_from_db()
    assert item.status == PermitStatus.NOT_STARTED and item.version == 1
