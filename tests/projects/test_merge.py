"""Merging two projects moves every related record to the kept one, and undoing it is exact."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests import factories
from yinli.core.services import PermissionDeniedError
from yinli.projects.merge import merge_preview, project_merge, project_unmerge
from yinli.projects.models import Claim, FundsInPlace, Project, ProjectMerge, StageChange, Tag


@pytest.fixture
def two(city):
    kept = factories.project(city, district=city.jingkai, name="保留项目", notes="原有备注")
    merged = factories.project(city, district=city.jingkai, name="重复项目", notes="重复记录的备注")
    FundsInPlace.objects.create(project=merged, on=date(2025, 5, 1), amount=Decimal("1200"))
    FundsInPlace.objects.create(project=kept, on=date(2025, 5, 2), amount=Decimal("300"))
    Claim.objects.create(project=merged, unit=city.team, claimed_on=date(2025, 1, 9))
    tag = Tag.objects.create(name="专精特新")
    merged.tags.add(tag)
    return kept, merged


def snapshot(project):
    return {
        "stages": sorted(project.stage_changes.values_list("pk", flat=True)),
        "funds": sorted(project.funds.values_list("pk", flat=True)),
        "claims": sorted(project.claims.values_list("pk", flat=True)),
        "tags": sorted(project.tags.values_list("pk", flat=True)),
        "notes": Project.all_objects.get(pk=project.pk).notes,
    }


def test_a_merge_moves_stage_log_funds_claims_tags_and_notes(city, two):
    kept, merged = two
    moving = snapshot(merged)
    before = snapshot(kept)
    record = project_merge(kept=kept, merged=merged, by=city.admin, reason="同一项目重复录入")
    after = snapshot(kept)
    assert after["stages"] == sorted(before["stages"] + moving["stages"])
    assert after["funds"] == sorted(before["funds"] + moving["funds"])
    assert after["claims"] == sorted(before["claims"] + moving["claims"])
    assert after["tags"] == moving["tags"]
    assert "重复记录的备注" in after["notes"] and "原有备注" in after["notes"]
    merged = Project.all_objects.get(pk=merged.pk)
    assert merged.merged_into == kept
    assert not merged.stage_changes.exists() and not merged.funds.exists()
    assert record.moved["projects.fundsinplace.project"] == moving["funds"]
    assert merged.history.first().history_change_reason == "merge"


def test_undoing_a_merge_puts_back_exactly_what_moved(city, two):
    kept, merged = two
    before_kept, before_merged = snapshot(kept), snapshot(merged)
    record = project_merge(kept=kept, merged=merged, by=city.admin)
    # A record added to the kept project after the merge stays with it.
    later = FundsInPlace.objects.create(project=kept, on=date(2025, 7, 1), amount=Decimal("5"))
    project_unmerge(record=record, by=city.admin)
    assert snapshot(merged) == before_merged
    after = snapshot(kept)
    assert after == {**before_kept, "funds": sorted(before_kept["funds"] + [later.pk])}
    assert Project.objects.get(pk=merged.pk).merged_into is None
    record.refresh_from_db()
    assert record.undone_by == city.admin and record.undone_at is not None
    with pytest.raises(ValidationError):
        project_unmerge(record=record, by=city.admin)


def test_the_preview_counts_what_will_move(city, two):
    kept, merged = two
    preview = merge_preview(kept=kept, merged=merged)
    assert preview["到位资金"] == 1
    assert preview["阶段变更"] == 1
    assert preview["首报首谈"] == 1
    assert sum(preview.values()) == 4  # a stage, funds, a claim, a tag


def test_a_project_is_not_merged_twice_or_into_itself(city, two):
    kept, merged = two
    with pytest.raises(ValidationError):
        project_merge(kept=kept, merged=kept, by=city.admin)
    project_merge(kept=kept, merged=merged, by=city.admin)
    with pytest.raises(ValidationError):
        project_merge(kept=kept, merged=Project.all_objects.get(pk=merged.pk), by=city.admin)


def test_only_city_roles_merge(city, two):
    kept, merged = two
    with pytest.raises(PermissionDeniedError):
        project_merge(kept=kept, merged=merged, by=city.jingkai_editor)
    assert not ProjectMerge.objects.exists()


def test_the_merge_page_previews_then_merges(city, two, as_user):
    kept, merged = two
    client = as_user(city.analyst)
    url = reverse("projects:merge", args=[merged.pk])
    preview = client.post(url, {"target": kept.pk, "reason": "重复"})
    assert preview.status_code == 200
    assert preview.context["preview"]
    assert Project.objects.get(pk=merged.pk).merged_into is None
    done = client.post(url, {"target": kept.pk, "reason": "重复", "confirm": "1"})
    assert done["Location"] == reverse("projects:detail", args=[kept.pk])
    assert Project.objects.get(pk=merged.pk).merged_into == kept
    client.post(reverse("projects:unmerge", args=[merged.pk]))
    assert Project.objects.get(pk=merged.pk).merged_into is None


def test_a_district_editor_gets_no_merge_page(city, two, as_user):
    _kept, merged = two
    client = as_user(city.jingkai_editor)
    assert client.get(reverse("projects:merge", args=[merged.pk])).status_code == 403
    page = client.get(reverse("projects:detail", args=[merged.pk]))
    assert page.context["may_merge"] is False
    assert reverse("projects:merge", args=[merged.pk]) not in page.content.decode()


def test_stage_changes_of_a_merge_are_moved_not_copied(city, two):
    kept, merged = two
    total = StageChange.objects.count()
    project_merge(kept=kept, merged=merged, by=city.admin)
    assert StageChange.objects.count() == total
