"""撞车: the conflict queue, each kind of ruling, notifications and what each persona sees."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests import factories
from yinli.core.notifications import notifications_for, unread_count
from yinli.core.services import PermissionDeniedError
from yinli.projects import claims, conflicts
from yinli.projects.models import (
    Claim,
    Conflict,
    ConflictOrigin,
    ConflictStatus,
    DuplicateDecision,
    FundsInPlace,
    Project,
    Ruling,
)

SECRET_NAME = "经开区保密光学膜项目"


@pytest.fixture
def pair(city):
    """经开区 reported the investor first; 京口区 entered the same investment later."""
    investor = factories.company("恒远光电科技（常州）有限公司")
    a = factories.project(
        city,
        district=city.jingkai,
        name=SECRET_NAME,
        company=investor,
        responsible_unit=city.team,
        total_wan="76543",
    )
    b = factories.project(city, district=city.jingkou, name="京口区光学膜项目", company=investor)
    Claim.objects.create(
        project=a,
        unit=city.team,
        district=city.jingkai,
        claimed_on=date(2025, 1, 5),
        evidence_kind="visit",
        evidence="经开区招商局赴常州拜访董事长",
    )
    Claim.objects.create(
        project=b, unit=city.jingkou, district=city.jingkou, claimed_on=date(2025, 2, 1)
    )
    FundsInPlace.objects.create(project=b, on=date(2025, 4, 1), amount=Decimal("800"))
    conflict = conflicts.conflict_open(
        project_a=a,
        project_b=b,
        by=city.jingkou_editor,
        origin=ConflictOrigin.ENTRY,
        check_permission=False,
    )
    return a, b, conflict


def rule(conflict, city, ruling, **extra):
    return conflicts.conflict_rule(
        conflict=conflict,
        ruling=ruling,
        reason=extra.pop("reason", "经核实"),
        by=city.analyst,
        **extra,
    )


def fresh(project):
    return Project.all_objects.get(pk=project.pk)


# --- the rulings -----------------------------------------------------------------------------


def test_keep_leaves_the_project_with_one_side_and_merges_the_other(city, pair):
    a, b, conflict = pair
    rule(conflict, city, Ruling.KEEP, side="a", reason="经开区首报首谈在先")
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.RULED
    assert (conflict.ruling, conflict.ruling_side) == (Ruling.KEEP, "a")
    assert conflict.ruled_by == city.analyst and conflict.ruled_at is not None
    assert fresh(b).merged_into == a
    # b's records moved to a; its claim was released by the ruling.
    assert FundsInPlace.objects.get().project == a
    released = Claim.objects.get(unit=city.jingkou)
    assert released.project == a and released.released_on is not None
    assert conflict.merge.merged == fresh(b)


def test_transfer_moves_the_first_record_to_the_other_district(city, pair):
    a, b, conflict = pair
    rule(conflict, city, Ruling.TRANSFER, side="b", reason="项目实际落地京口区")
    a = fresh(a)
    assert a.district == city.jingkou
    assert a.responsible_unit.district_id == city.jingkou.pk
    assert fresh(b).merged_into == a
    assert a.history.filter(district=city.jingkai).exists()  # the move is in its history
    assert all(c.released_on for c in Claim.objects.filter(unit=city.team))


def test_joint_records_the_lead_and_the_split(city, pair):
    a, b, conflict = pair
    rule(conflict, city, Ruling.JOINT, side="a", lead_share="70")
    conflict.refresh_from_db()
    assert (conflict.lead_share, conflict.other_share) == (Decimal("70.00"), Decimal("30.00"))
    assert fresh(b).merged_into == a
    assert fresh(a).district == city.jingkai


def test_joint_shares_must_add_up(city, pair):
    _a, _b, conflict = pair
    with pytest.raises(ValidationError):
        rule(conflict, city, Ruling.JOINT, side="a", lead_share="70", other_share="40")
    assert Conflict.objects.get().status == ConflictStatus.OPEN


def test_distinct_investments_keep_both_with_the_reason(city, pair):
    a, b, conflict = pair
    rule(conflict, city, Ruling.DISTINCT, reason="两个独立的生产基地")
    for project in (fresh(a), fresh(b)):
        assert project.merged_into is None
        assert project.duplicate_decision == DuplicateDecision.DISTINCT
        assert "两个独立的生产基地" in project.duplicate_reason


def test_reject_changes_nothing_but_the_conflict(city, pair):
    a, b, conflict = pair
    before = (fresh(a).version, fresh(b).version)
    rule(conflict, city, Ruling.REJECT, reason="证据不足")
    assert (fresh(a).version, fresh(b).version) == before
    assert Conflict.objects.get().ruling == Ruling.REJECT


def test_a_ruling_needs_a_reason_and_a_side(city, pair):
    _a, _b, conflict = pair
    with pytest.raises(ValidationError):
        rule(conflict, city, Ruling.KEEP, side="a", reason=" ")
    with pytest.raises(ValidationError):
        rule(conflict, city, Ruling.KEEP)


def test_a_conflict_is_ruled_once(city, pair):
    _a, _b, conflict = pair
    rule(conflict, city, Ruling.REJECT)
    with pytest.raises(ValidationError):
        rule(conflict, city, Ruling.KEEP, side="a")


def test_both_districts_are_notified_of_the_ruling(city, pair):
    _a, _b, conflict = pair
    before = unread_count(city.jingkai_editor), unread_count(city.jingkou_editor)
    rule(conflict, city, Ruling.KEEP, side="a")
    assert unread_count(city.jingkai_editor) == before[0] + 1
    assert unread_count(city.jingkou_editor) == before[1] + 2  # its unit, and its opener
    latest = notifications_for(city.jingkou_editor).first()
    assert "裁定" in latest.text and str(conflict.pk) in latest.link
    assert not notifications_for(city.outsider).exists()


def test_a_conflict_needs_two_districts(city):
    a = factories.project(city, district=city.jingkai)
    b = factories.project(city, district=city.jingkai)
    with pytest.raises(ValidationError):
        conflicts.conflict_open(project_a=a, project_b=b, by=city.analyst)


# --- persona rules ---------------------------------------------------------------------------


def test_a_district_may_not_rule(city, pair):
    _a, _b, conflict = pair
    with pytest.raises(PermissionDeniedError):
        conflicts.conflict_rule(
            conflict=conflict,
            ruling=Ruling.KEEP,
            side="b",
            reason="我方在先",
            by=city.jingkou_editor,
        )


def test_the_ruling_form_posted_by_a_district_is_forbidden(city, pair, as_user):
    _a, _b, conflict = pair
    response = as_user(city.jingkou_editor).post(
        reverse("projects:conflict", args=[conflict.pk]),
        {"ruling": "keep", "ruling_side": "b", "ruling_reason": "我方在先"},
    )
    assert response.status_code == 403
    assert Conflict.objects.get().status == ConflictStatus.OPEN


def test_a_district_sees_that_the_conflict_exists_and_with_whom_not_the_record(city, pair, as_user):
    _a, _b, conflict = pair
    client = as_user(city.jingkou_editor)
    queue = client.get(reverse("projects:conflicts"))
    assert [row["conflict"] for row in queue.context["rows"]] == [conflict]
    page = client.get(reverse("projects:conflict", args=[conflict.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "镇江经开区" in text and "京口区光学膜项目" in text
    assert SECRET_NAME not in text
    assert "76543" not in text and "7.6543" not in text
    assert "赴常州拜访董事长" not in text  # the other side's evidence
    side_a = page.context["sides"][0]
    assert side_a["visible"] is False and side_a["project"] is None
    assert page.context["form"] is None


def test_after_the_ruling_the_district_sees_it(city, pair, as_user):
    _a, _b, conflict = pair
    rule(conflict, city, Ruling.KEEP, side="a", reason="经开区首报首谈在先")
    page = as_user(city.jingkou_editor).get(reverse("projects:conflict", args=[conflict.pk]))
    assert "经开区首报首谈在先" in page.content.decode()


def test_the_city_sees_both_records_side_by_side_and_rules_from_the_page(city, pair, as_user):
    a, b, conflict = pair
    client = as_user(city.analyst)
    page = client.get(reverse("projects:conflict", args=[conflict.pk]))
    text = page.content.decode()
    assert SECRET_NAME in text and "京口区光学膜项目" in text and "赴常州拜访董事长" in text
    response = client.post(
        reverse("projects:conflict", args=[conflict.pk]),
        {"ruling": "joint", "ruling_side": "b", "lead_share": "55", "ruling_reason": "共同引进"},
    )
    assert response.status_code == 302
    conflict.refresh_from_db()
    assert (conflict.ruling, conflict.lead_share) == (Ruling.JOINT, Decimal("55.00"))
    assert fresh(a).merged_into == b


def test_an_outsider_does_not_learn_of_the_conflict(city, pair, as_user):
    _a, _b, conflict = pair
    client = as_user(city.outsider)
    assert client.get(reverse("projects:conflict", args=[conflict.pk])).status_code == 404
    assert client.get(reverse("projects:conflicts")).context["rows"] == []


def test_the_conflict_shows_on_both_projects_pages(city, pair, as_user):
    a, b, conflict = pair
    page = as_user(city.jingkai_editor).get(reverse("projects:detail", args=[a.pk]))
    assert list(page.context["conflicts"]) == [conflict]
    page = as_user(city.jingkou_editor).get(reverse("projects:detail", args=[b.pk]))
    assert list(page.context["conflicts"]) == [conflict]
    assert reverse("projects:conflict", args=[conflict.pk]) in page.content.decode()


def test_the_home_panel_names_open_conflicts_of_the_users_district(city, pair, as_user):
    _a, _b, conflict = pair
    home = as_user(city.jingkou_editor).get(reverse("home"))
    panel = {p["name"]: p for p in home.context["panels"]}["open-conflicts"]
    assert panel["items"] == [conflict]
    outsider = as_user(city.outsider).get(reverse("home"))
    assert "open-conflicts" not in {p["name"] for p in outsider.context["panels"]}


def test_the_navigation_links_the_queue_and_the_bell_counts(city, pair, as_user):
    page = as_user(city.analyst).get(reverse("projects:conflicts"))
    text = page.content.decode()
    assert reverse("projects:conflicts") in text
    assert 'id="notification-count"' in text
    listing = as_user(city.analyst).get(reverse("notifications:list"))
    assert listing.status_code == 200
    assert len(listing.context["page"]) == unread_count(city.analyst) > 0


def test_the_city_opens_a_conflict_from_the_queue(city, as_user):
    a = factories.project(city, district=city.jingkai)
    b = factories.project(city, district=city.jingkou)
    response = as_user(city.analyst).post(
        reverse("projects:conflict-open"),
        {"project_a": a.pk, "project_b": b.pk, "note": "疑似重复"},
    )
    conflict = Conflict.objects.get()
    assert response["Location"] == reverse("projects:conflict", args=[conflict.pk])
    assert conflict.origin == ConflictOrigin.CITY
    assert (
        as_user(city.jingkou_editor)
        .post(reverse("projects:conflict-open"), {"project_a": a.pk, "project_b": b.pk})
        .status_code
        == 403
    )


# --- the import's service --------------------------------------------------------------------


def test_the_import_service_records_a_distinct_answer(city, pair):
    a, _b, _conflict = pair
    row = factories.project(city, district=city.jingkou, company=a.company)
    conflicts.import_row_decision(
        project=row, decision="distinct", reason="三期扩产", by=city.jingkou_editor
    )
    row.refresh_from_db()
    assert (row.duplicate_decision, row.duplicate_reason) == ("distinct", "三期扩产")


def test_the_import_service_opens_a_conflict_for_the_same_project(city):
    investor = factories.company("江苏测试储能科技有限公司")
    existing = factories.project(city, district=city.jingkai, company=investor)
    row = factories.project(city, district=city.jingkou, company=investor)
    conflict = conflicts.import_row_decision(
        project=row, decision="same", same_as=existing.pk, by=city.jingkou_editor
    )
    assert (conflict.project_a, conflict.project_b, conflict.origin) == (
        existing,
        row,
        ConflictOrigin.IMPORT,
    )


def test_the_import_service_wants_a_reason_for_distinct(city):
    investor = factories.company("江苏测试储能科技有限公司")
    factories.project(city, district=city.jingkai, company=investor)
    row = factories.project(city, district=city.jingkou, company=investor)
    with pytest.raises(ValidationError):
        conflicts.import_row_decision(project=row, decision="distinct", by=city.jingkou_editor)


def test_claims_read_in_the_conflict_show_validity(city, pair):
    a, _b, conflict = pair
    side = conflicts.side_view(conflict, "a", city.analyst)
    assert side["claims"][0]["unit"] == city.team.display_name
    assert side["claims"][0]["valid_until"] == claims.state_of(a.claims.first()).valid_until
