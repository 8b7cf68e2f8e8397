"""Published reports: frozen figures, who publishes and reads, and what changed since."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.stats.conftest import signed
from yinli.core.services import PermissionDeniedError
from yinli.projects import services as project_services
from yinli.stats.definitions import definition_new_version
from yinli.stats.models import PublishedReport
from yinli.stats.publish import (
    NotPublished,
    diff_since_published,
    frozen_projects,
    publish_report,
    published_json,
    published_report_for,
    report_for,
    visible_published,
)
from yinli.stats.report import build_report


@pytest.fixture
def projects(city):
    return {
        "a": signed(city, wan="20000", source="440300", district=city.jingkou),
        "b": signed(city, wan="15000", district=city.jingkai),
        "c": signed(city, wan="12000", district=city.jingkai, fai_on=date(2025, 5, 1)),
    }


@pytest.fixture
def published(projects, city):
    return publish_report(user=city.analyst, period="2025H1", title="上半年通报")


def test_publishing_freezes_the_report_as_computed(published, city):
    live = build_report(user=city.analyst, period="2025H1")
    assert published.report["signed"] == live["signed"]
    assert published.report["bulletin"] == live["bulletin"]
    assert published.definition.version == live["definition"]["version"]
    assert published.period_code == "2025H1" and published.district is None
    assert published.published_by == city.analyst and published.title == "上半年通报"


def test_publishing_keeps_the_ids_each_headline_figure_counted(published, projects):
    ids = published.counted_ids
    assert ids["signed"] == sorted(p.pk for p in projects.values())
    assert ids["signed_industrial"] == ids["signed"]
    assert ids["signed_service"] == []
    assert ids["in_statistics"] == [projects["c"].pk]
    assert published.projects[str(projects["a"].pk)]["total_investment"] == "20000"
    assert published.projects[str(projects["a"].pk)]["district"] == "京口区"


def test_a_published_report_never_changes(published):
    published.title = "改过的标题"
    with pytest.raises(ValidationError):
        published.save()
    with pytest.raises(ValidationError):
        published.delete()
    assert PublishedReport.objects.get(pk=published.pk).title == "上半年通报"


def test_publishing_again_supersedes_the_previous_one(published, city):
    again = publish_report(user=city.admin, period="2025H1")
    assert again.supersedes == published
    published.refresh_from_db()
    assert published.superseded_by == again
    assert published_report_for(user=city.analyst, period="2025H1") == again
    assert published_json(published)["published"]["superseded_by"] == again.pk


def test_a_district_report_supersedes_only_its_own_scope(published, city):
    district = publish_report(user=city.analyst, period="2025H1", district="京口区")
    assert district.supersedes is None
    assert district.report["signed"]["count"] == 1
    assert published_report_for(user=city.analyst, period="2025H1") == published


def test_a_district_editor_may_not_publish(projects, city):
    with pytest.raises(PermissionDeniedError):
        publish_report(user=city.jingkou_editor, period="2025H1", district="京口区")
    assert not PublishedReport.objects.exists()


def test_a_bad_period_is_refused_in_chinese(city):
    with pytest.raises(ValidationError) as error:
        publish_report(user=city.analyst, period="2025H3")
    assert "2025H3" in error.value.message_dict["period"][0]


def test_every_district_reads_every_published_report(published, city):
    for user in (city.jingkou_editor, city.jingkai_editor, city.team_member, city.outsider):
        assert list(visible_published(user)) == [published]
        assert published_report_for(user=user, period="2025H1") == published


def test_a_user_outside_the_organisation_reads_none(published, city):
    city.team_member.org_unit = None  # a team member without a unit sees nothing
    city.team_member.save()
    assert not visible_published(city.team_member).exists()
    with pytest.raises(NotPublished):
        published_report_for(user=city.team_member, period="2025H1")


def test_the_published_json_is_the_frozen_report_after_an_edit(published, projects, city):
    project = projects["b"]
    project_services.project_update(
        project=project,
        data={"total_investment": Decimal("35000")},
        version=project.version,
        by=city.admin,
    )
    frozen = report_for(user=city.analyst, period="2025H1", published=True)
    live = report_for(user=city.analyst, period="2025H1")
    assert frozen["signed"]["investment_yi"] == 4.7
    assert live["signed"]["investment_yi"] == 6.7
    assert frozen["published"]["id"] == published.pk
    assert "published" not in live


def test_nothing_published_for_a_period(projects, city):
    with pytest.raises(NotPublished) as error:
        report_for(user=city.analyst, period="2024H1", published=True)
    assert "2024H1" in str(error.value)


def test_the_frozen_drilldown_lists_what_was_counted(published, projects, city):
    gone = projects["a"]
    project_services.project_delete(project=gone, by=city.admin, version=gone.version)
    rows, hidden = frozen_projects(published=published, figure="signed", user=city.analyst)
    assert {row["id"] for row in rows} == {p.pk for p in projects.values()}
    assert build_report(user=city.analyst, period="2025H1")["signed"]["count"] == 2
    assert hidden == 0


def test_the_frozen_drilldown_hides_other_districts_projects(published, projects, city):
    rows, hidden = frozen_projects(published=published, figure="signed", user=city.jingkou_editor)
    assert [row["id"] for row in rows] == [projects["a"].pk]
    assert hidden == 2


# --- what changed since --------------------------------------------------------------------


def _set(diff, key):
    return next(s for s in diff["sets"] if s["key"] == key)


def _figure(diff, key):
    return next(f for f in diff["figures"] if f["key"] == key)


def test_nothing_changed_right_after_publishing(published, city):
    diff = diff_since_published(published=published, user=city.analyst)
    assert diff["changed"] is False
    assert all(not s["added"] and not s["removed"] for s in diff["sets"])


def test_an_amount_edited_after_publishing_is_explained(published, projects, city):
    project = projects["b"]
    project_services.project_update(
        project=project,
        data={"total_investment": Decimal("35000")},
        version=project.version,
        by=city.admin,
    )
    diff = diff_since_published(published=published, user=city.analyst)
    figure = _figure(diff, "signed.investment_yi")
    assert (figure["published"], figure["live"], figure["change"]) == (4.7, 6.7, 2.0)
    changed = _set(diff, "signed")["changed"]
    assert [row["id"] for row in changed] == [project.pk]
    assert changed[0]["fields"] == [
        {
            "field": "total_investment",
            "label": "总投资（万元）",
            "before": "15000",
            "after": "35000",
        }
    ]


def test_a_project_falling_below_the_threshold_leaves_the_count(published, projects, city):
    project = projects["c"]
    project_services.project_update(
        project=project,
        data={"total_investment": Decimal("9999")},
        version=project.version,
        by=city.admin,
    )
    diff = diff_since_published(published=published, user=city.analyst)
    assert _figure(diff, "signed.count")["change"] == -1
    removed = _set(diff, "signed")["removed"]
    assert [row["id"] for row in removed] == [project.pk]
    assert removed[0]["fields"][0]["after"] == "9999"
    # 入库列统 has no threshold: still counted there, its amount changed.
    assert [row["id"] for row in _set(diff, "in_statistics")["changed"]] == [project.pk]


def test_a_project_entered_after_publishing_joins_the_count(published, city):
    late = signed(city, wan="50000", on=date(2025, 6, 30))
    diff = diff_since_published(published=published, user=city.analyst)
    added = _set(diff, "signed")["added"]
    assert [row["id"] for row in added] == [late.pk]
    assert added[0]["new"] is True


def test_an_older_project_whose_signing_moved_into_the_period_shows_the_date(published, city):
    moved = signed(city, wan="50000", on=date(2024, 12, 30))
    # created before publishing: make its history older than the publication
    moved.history.update(history_date=published.published_at.replace(year=2024))
    moved.first_signed_on = date(2025, 1, 2)
    moved.save()
    added = _set(diff_since_published(published=published, user=city.analyst), "signed")["added"]
    assert added[0]["new"] is False
    assert added[0]["fields"][0]["field"] == "first_signed_on"
    assert (added[0]["fields"][0]["before"], added[0]["fields"][0]["after"]) == (
        "2024-12-30",
        "2025-01-02",
    )


def test_a_project_moved_to_another_district_leaves_the_district_report(projects, city):
    district = publish_report(user=city.analyst, period="2025H1", district="镇江经开区")
    project = projects["b"]
    project.district = city.jingkou
    project.save()
    diff = diff_since_published(published=district, user=city.jingkai_editor)
    removed = _set(diff, "signed")["removed"]
    assert removed == []  # she no longer sees it …
    assert _set(diff, "signed")["hidden"] == 1  # … but its leaving is counted
    diff = diff_since_published(published=district, user=city.analyst)
    fields = _set(diff, "signed")["removed"][0]["fields"]
    assert fields[0]["before"] == "镇江经开区" and fields[0]["after"] == "京口区"


def test_a_new_definition_does_not_move_a_published_report(published, projects, city):
    definition_new_version(
        based_on=published.definition,
        changes={"threshold_total_wan": Decimal("18000")},
        by=city.analyst,
    )
    diff = diff_since_published(published=published, user=city.analyst)
    assert diff["changed"] is False  # compared under the version it was published with
    assert build_report(user=city.analyst, period="2025H1")["signed"]["count"] == 1


def test_a_district_compares_only_its_own_district_report(published, city):
    with pytest.raises(PermissionDenied):
        diff_since_published(published=published, user=city.jingkou_editor)
    own = publish_report(user=city.analyst, period="2025H1", district="京口区")
    assert diff_since_published(published=own, user=city.jingkou_editor)["changed"] is False


def test_a_team_compares_only_when_its_district_shares_the_ledger(projects, city):
    district = publish_report(user=city.analyst, period="2025H1", district="镇江经开区")
    city.jingkai.shares_with_subunits = False
    city.jingkai.save()
    city.team_member.refresh_from_db()
    with pytest.raises(PermissionDenied):
        diff_since_published(published=district, user=city.team_member)
    city.jingkai.shares_with_subunits = True
    city.jingkai.save()
    city.team_member.refresh_from_db()
    assert diff_since_published(published=district, user=city.team_member)["changed"] is False
