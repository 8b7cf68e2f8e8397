"""Statistics never count one investment twice: merged duplicates and joint (撞车) projects."""

from datetime import date

from tests import factories
from tests.stats.conftest import signed
from yinli.projects import conflicts
from yinli.projects.merge import project_merge, project_unmerge
from yinli.stats.report import build_report
from yinli.stats.selectors import counted_projects, in_statistics_projects

H1 = (date(2025, 1, 1), date(2025, 6, 30))


def counted(definition, **kwargs):
    return set(counted_projects(definition=definition, start=H1[0], end=H1[1], **kwargs))


def by_district(report):
    return {row["name"]: row for row in report["by_district"]}


def test_a_merged_duplicate_is_counted_once(city, definition):
    investor = factories.company("恒远光电科技（常州）有限公司")
    kept = signed(city, wan="30000", company=investor, district=city.jingkai)
    duplicate = signed(city, wan="30000", company=investor, district=city.jingkou)
    assert counted(definition) == {kept, duplicate}
    project_merge(kept=kept, merged=duplicate, by=city.admin, reason="同一项目")
    assert counted(definition) == {kept}
    report = build_report(user=city.analyst, period="2025H1")
    assert report["signed"]["count"] == 1
    assert report["signed"]["investment_yi"] == 3.0


def test_undoing_the_merge_counts_both_again(city, definition):
    kept = signed(city, wan="30000", district=city.jingkai)
    duplicate = signed(city, wan="20000", district=city.jingkou)
    record = project_merge(kept=kept, merged=duplicate, by=city.admin)
    project_unmerge(record=record, by=city.admin)
    assert counted(definition) == {kept, duplicate}


def test_a_merged_duplicate_is_not_newly_in_statistics_twice(city):
    kept = signed(city, wan="30000", fai_on=date(2025, 4, 1))
    duplicate = signed(city, wan="30000", fai_on=date(2025, 4, 1), district=city.jingkou)
    project_merge(kept=kept, merged=duplicate, by=city.admin)
    assert set(in_statistics_projects(start=H1[0], end=H1[1])) == {kept}


def test_a_joint_project_counts_once_under_its_lead_district(city, definition):
    investor = factories.company("江苏测试储能科技有限公司")
    jingkai = signed(city, wan="50000", company=investor, district=city.jingkai)
    jingkou = signed(city, wan="50000", company=investor, district=city.jingkou)
    conflict = conflicts.conflict_open(project_a=jingkai, project_b=jingkou, by=city.analyst)
    conflicts.conflict_rule(
        conflict=conflict,
        ruling="joint",
        side="b",  # 京口区 leads
        lead_share="60",
        reason="双方共同洽谈，京口区牵头",
        by=city.analyst,
    )
    assert counted(definition) == {jingkou}
    assert counted(definition, district=city.jingkou) == {jingkou}
    assert counted(definition, district=city.jingkai) == set()
    districts = by_district(build_report(user=city.analyst, period="2025H1"))
    assert districts["京口区"]["count"] == 1
    assert "镇江经开区" not in districts or districts["镇江经开区"]["count"] == 0


def test_distinct_investments_both_count(city, definition):
    investor = factories.company("江苏测试储能科技有限公司")
    a = signed(city, wan="50000", company=investor, district=city.jingkai)
    b = signed(city, wan="20000", company=investor, district=city.jingkou)
    conflict = conflicts.conflict_open(project_a=a, project_b=b, by=city.analyst)
    conflicts.conflict_rule(
        conflict=conflict, ruling="distinct", reason="两期不同产品线", by=city.analyst
    )
    assert counted(definition) == {a, b}
