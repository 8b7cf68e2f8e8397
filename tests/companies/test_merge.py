"""Merging two companies moves every record pointing at the merged one; undoing it is exact."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests import factories
from yinli.companies.merge import company_merge, company_unmerge, merge_preview
from yinli.companies.models import Company, CompanyMerge
from yinli.core.services import PermissionDeniedError
from yinli.projects.models import Project


@pytest.fixture
def two(city):
    kept = factories.company("恒远光电科技（常州）有限公司")
    merged = factories.company("恒远光电")
    projects = [
        factories.project(city, district=city.jingkai, company=merged),
        factories.project(city, district=city.jingkou, company=merged),
    ]
    own = factories.project(city, district=city.jingkai, company=kept)
    subsidiary = factories.company("恒远光电（镇江）有限公司", parent=merged)
    return kept, merged, projects, own, subsidiary


def test_every_project_and_subsidiary_moves_to_the_kept_company(city, two):
    kept, merged, projects, own, subsidiary = two
    record = company_merge(kept=kept, merged=merged, by=city.analyst, reason="同一企业")
    assert set(Project.objects.filter(company=kept)) == {*projects, own}
    assert Company.objects.get(pk=subsidiary.pk).parent == kept
    merged.refresh_from_db()
    assert merged.merged_into == kept
    assert sorted(record.moved["projects.project.company"]) == sorted(p.pk for p in projects)
    assert record.moved["companies.company.parent"] == [subsidiary.pk]
    # The moved projects' versions rose, so an edit opened before the merge is refused.
    assert all(Project.objects.get(pk=p.pk).version == p.version + 1 for p in projects)


def test_undoing_the_merge_moves_back_exactly_those_records(city, two):
    kept, merged, projects, own, subsidiary = two
    record = company_merge(kept=kept, merged=merged, by=city.analyst)
    later = factories.project(city, district=city.jingkai, company=kept)
    company_unmerge(record=record, by=city.analyst)
    assert set(Project.objects.filter(company=merged)) == set(projects)
    assert set(Project.objects.filter(company=kept)) == {own, later}
    assert Company.objects.get(pk=subsidiary.pk).parent == merged
    merged.refresh_from_db()
    assert merged.merged_into is None


def test_the_preview_counts_the_records(city, two):
    kept, merged, *_ = two
    preview = merge_preview(kept=kept, merged=merged)
    assert preview["项目"] == 2
    assert sum(preview.values()) == 3


def test_a_merged_company_still_warns_of_its_projects(city, two):
    from yinli.companies.duplicates import duplicate_warnings

    kept, merged, projects, own, _ = two
    company_merge(kept=kept, merged=merged, by=city.analyst)
    assert own.company == kept
    warned = {w.project_id for w in duplicate_warnings(company_name="恒远光电", user=city.analyst)}
    assert {p.pk for p in projects} <= warned


def test_only_city_roles_merge_companies(city, two):
    kept, merged, *_ = two
    with pytest.raises(PermissionDeniedError):
        company_merge(kept=kept, merged=merged, by=city.jingkai_editor)
    with pytest.raises(ValidationError):
        company_merge(kept=kept, merged=kept, by=city.analyst)
    assert not CompanyMerge.objects.exists()


def test_the_company_page_offers_the_merge_to_the_city_only(city, two, as_user):
    kept, merged, *_ = two
    url = reverse("companies:merge", args=[merged.pk])
    assert (
        url
        in as_user(city.analyst).get(reverse("companies:detail", args=[merged.pk])).content.decode()
    )
    editor = as_user(city.jingkai_editor)
    assert url not in editor.get(reverse("companies:detail", args=[merged.pk])).content.decode()
    assert editor.post(url, {"target": kept.pk, "reason": "x", "confirm": "1"}).status_code == 403


def test_the_merge_page_previews_then_merges_and_undoes(city, two, as_user):
    kept, merged, projects, *_ = two
    client = as_user(city.analyst)
    url = reverse("companies:merge", args=[merged.pk])
    preview = client.post(url, {"target": kept.pk, "reason": "同一企业"})
    assert preview.context["preview"]["项目"] == 2
    assert Company.objects.get(pk=merged.pk).merged_into is None
    client.post(url, {"target": kept.pk, "reason": "同一企业", "confirm": "1"})
    assert Company.objects.get(pk=merged.pk).merged_into == kept
    client.post(reverse("companies:unmerge", args=[merged.pk]))
    assert Company.objects.get(pk=merged.pk).merged_into is None
    assert set(Project.objects.filter(company=merged)) == set(projects)


def test_a_one_to_one_record_moves_only_when_the_kept_company_has_none(city, two):
    from yinli.chains.models import CompanyProfile

    kept, merged, *_ = two
    mine = CompanyProfile.objects.create(company=merged, enterprise_type="有限责任公司")
    company_merge(kept=kept, merged=merged, by=city.analyst)
    assert CompanyProfile.objects.get(pk=mine.pk).company == kept

    other = factories.company("恒远光电股份有限公司")
    theirs = CompanyProfile.objects.create(company=other, enterprise_type="股份有限公司")
    record = company_merge(kept=kept, merged=other, by=city.analyst)
    # Both had one: each keeps its own, and the merge still goes through.
    assert CompanyProfile.objects.get(pk=theirs.pk).company == other
    assert "chains.companyprofile.company" not in record.moved
