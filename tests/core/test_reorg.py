"""Reorganisation: 镇江经开区 merges its eight investment bureaus into six on 2025-01-01."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests import factories
from yinli.core.history import object_history
from yinli.core.models import OrgKind, OrgUnit, Role
from yinli.core.reorg import reorganize
from yinli.projects.models import Project, Status

ON = date(2025, 1, 1)

OLD_BUREAUS = [
    ("jk-old-bio", "生物医药产业招商局", "jk-bio"),
    ("jk-old-aero", "航空航天产业招商局", "jk-aero"),
    ("jk-old-energy", "新能源产业招商局", "jk-energy"),
    ("jk-old-material", "新材料产业招商局", "jk-material"),
    ("jk-old-chemical", "精细化工产业招商局", "jk-material"),
    ("jk-old-equipment", "高端装备产业招商局", "jk-equipment"),
    ("jk-old-hk", "港澳招商局", "jk-equipment"),
    ("jk-old-service", "现代服务业招商局", "jk-service"),
]
NEW_BUREAUS = [
    ("jk-bio", "生物医药及大健康产业招商局"),
    ("jk-aero", "航空航天及低空产业招商局"),
    ("jk-energy", "新能源及新型电力装备产业招商局"),
    ("jk-material", "新材料及精细化工产业招商局"),
    ("jk-equipment", "智能装备及涉港产业招商局"),
    ("jk-service", "科技及服务业招商局"),
]


@pytest.fixture
def zone(city):
    """The city of tests/factories.py plus the development zone's eight old and six new bureaus."""
    old = {}
    for code, name, _new in OLD_BUREAUS:
        old[code] = factories.unit(code, name, OrgKind.BUREAU, city.jingkai)
        old[code].valid_from = date(2019, 1, 1)
        old[code].save()
    new = {}
    for code, name in NEW_BUREAUS:
        new[code] = factories.unit(code, name, OrgKind.BUREAU, city.jingkai)
        new[code].valid_from = ON
        new[code].save()
    mapping = {old[code]: new[target] for code, _name, target in OLD_BUREAUS}
    return SimpleNamespace(city=city, old=old, new=new, mapping=mapping)


def test_it_ends_every_old_bureau_the_day_before_and_names_its_successor(zone):
    reorganize(on=ON, mapping=zone.mapping, by=zone.city.admin)
    for code, _name, target in OLD_BUREAUS:
        unit = OrgUnit.objects.get(code=code)
        assert unit.valid_to == date(2024, 12, 31)
        assert unit.successor.code == target
        assert not unit.is_active_on(ON)
    assert OrgUnit.objects.filter(code__startswith="jk-old-", valid_to__isnull=True).count() == 0
    assert all(OrgUnit.objects.get(code=c).is_active_on(ON) for c, _n in NEW_BUREAUS)


def test_it_merges_two_bureaus_into_one_and_moves_their_open_projects(zone):
    material = factories.project(zone.city, responsible_unit=zone.old["jk-old-material"])
    chemical = factories.project(zone.city, responsible_unit=zone.old["jk-old-chemical"])
    summary = reorganize(on=ON, mapping=zone.mapping, by=zone.city.admin)
    material.refresh_from_db()
    chemical.refresh_from_db()
    assert material.responsible_unit == zone.new["jk-material"]
    assert chemical.responsible_unit == zone.new["jk-material"]
    assert summary.projects_moved == 2
    assert len(summary.units) == 8


def test_it_moves_paused_projects_but_leaves_lost_and_merged_ones_with_the_old_bureau(zone):
    bureau = zone.old["jk-old-energy"]
    paused = factories.project(zone.city, responsible_unit=bureau, status=Status.PAUSED)
    lost = factories.project(zone.city, responsible_unit=bureau, status=Status.LOST)
    terminated = factories.project(zone.city, responsible_unit=bureau, status=Status.TERMINATED)
    kept = factories.project(zone.city, responsible_unit=bureau)
    duplicate = factories.project(zone.city, responsible_unit=bureau, merged_into=kept)
    reorganize(on=ON, mapping=zone.mapping, by=zone.city.admin)
    assert Project.objects.get(pk=paused.pk).responsible_unit == zone.new["jk-energy"]
    assert Project.objects.get(pk=kept.pk).responsible_unit == zone.new["jk-energy"]
    for record in (lost, terminated, duplicate):
        assert Project.objects.get(pk=record.pk).responsible_unit == bureau


def test_it_leaves_soft_deleted_projects_alone(zone):
    gone = factories.project(
        zone.city, responsible_unit=zone.old["jk-old-bio"], deleted_at=timezone.now()
    )
    reorganize(on=ON, mapping=zone.mapping, by=zone.city.admin)
    assert Project.all_objects.get(pk=gone.pk).responsible_unit == zone.old["jk-old-bio"]


def test_the_change_history_records_the_move_and_who_made_it(zone):
    record = factories.project(
        zone.city, responsible_unit=zone.old["jk-old-aero"], name="航空复合材料零部件项目"
    )
    record._history_user = zone.city.jingkai_editor
    record.save()  # a first change record naming the old bureau
    reorganize(on=ON, mapping=zone.mapping, by=zone.city.admin)
    record.refresh_from_db()
    assert record.version == 2
    history = object_history(record)
    latest = history[0]
    assert latest.user_id == zone.city.admin.pk
    change = next(c for c in latest.changes if c.field == "responsible_unit")
    assert change.before == "航空航天产业招商局"
    assert change.after == "航空航天及低空产业招商局"
    # The older record still names the bureau as it was then.
    rows = list(record.history.order_by("history_id"))
    assert rows[0].responsible_unit_id == zone.old["jk-old-aero"].pk
    assert rows[-1].responsible_unit_id == zone.new["jk-aero"].pk
    assert rows[-1].history_change_reason == "reorganize"


def test_it_can_date_the_change_records_of_an_earlier_reorganisation(zone):
    record = factories.project(zone.city, responsible_unit=zone.old["jk-old-service"])
    when = timezone.make_aware(datetime(2025, 1, 1, 9, 0))
    reorganize(on=ON, mapping=zone.mapping, by=zone.city.admin, recorded_at=when)
    assert record.history.latest("history_id").history_date == when


def test_it_moves_the_people_of_an_old_bureau(zone):
    member = factories.user("hk_team", Role.TEAM_MEMBER, zone.old["jk-old-hk"])
    summary = reorganize(on=ON, mapping=zone.mapping, by=zone.city.admin)
    member.refresh_from_db()
    assert member.org_unit == zone.new["jk-equipment"]
    assert summary.users_moved == 1


def test_it_moves_current_sub_units_under_the_new_bureau(zone):
    team = factories.unit(
        "jk-old-bio-team", "生物医药招商一组", OrgKind.TEAM, zone.old["jk-old-bio"]
    )
    ended = factories.unit(
        "jk-old-bio-team2", "医疗器械招商组", OrgKind.TEAM, zone.old["jk-old-bio"]
    )
    ended.valid_to = date(2023, 6, 30)
    ended.save()
    reorganize(on=ON, mapping=zone.mapping, by=zone.city.admin)
    team.refresh_from_db()
    ended.refresh_from_db()
    assert team.parent == zone.new["jk-bio"]
    assert team.district == zone.city.jingkai
    assert ended.parent == zone.old["jk-old-bio"]


def test_a_dry_run_changes_nothing(zone):
    record = factories.project(zone.city, responsible_unit=zone.old["jk-old-bio"])
    records_before = record.history.count()
    summary = reorganize(on=ON, mapping=zone.mapping, by=zone.city.admin, dry_run=True)
    assert summary.projects_moved == 1
    record.refresh_from_db()
    assert record.responsible_unit == zone.old["jk-old-bio"]
    assert record.version == 1
    assert OrgUnit.objects.get(code="jk-old-bio").valid_to is None
    assert record.history.count() == records_before


def test_it_refuses_to_map_a_unit_onto_itself(zone):
    with pytest.raises(ValidationError) as caught:
        reorganize(
            on=ON, mapping={zone.old["jk-old-bio"]: zone.old["jk-old-bio"]}, by=zone.city.admin
        )
    assert caught.value.code == "self"


def test_it_refuses_a_new_unit_that_has_ended(zone):
    zone.old["jk-old-aero"].valid_to = date(2024, 6, 30)
    zone.old["jk-old-aero"].save()
    with pytest.raises(ValidationError) as caught:
        reorganize(
            on=ON, mapping={zone.old["jk-old-bio"]: zone.old["jk-old-aero"]}, by=zone.city.admin
        )
    assert caught.value.code == "new_ended"
    assert "航空航天产业招商局" in caught.value.message


def test_it_refuses_an_old_unit_that_ended_before(zone):
    zone.old["jk-old-bio"].valid_to = date(2024, 6, 30)
    zone.old["jk-old-bio"].save()
    with pytest.raises(ValidationError) as caught:
        reorganize(on=ON, mapping={zone.old["jk-old-bio"]: zone.new["jk-bio"]}, by=zone.city.admin)
    assert caught.value.code == "old_ended"


def test_it_refuses_a_chain_where_a_new_unit_also_ends(zone):
    with pytest.raises(ValidationError) as caught:
        reorganize(
            on=ON,
            mapping={
                zone.old["jk-old-bio"]: zone.old["jk-old-aero"],
                zone.old["jk-old-aero"]: zone.new["jk-aero"],
            },
            by=zone.city.admin,
        )
    assert caught.value.code == "chain"


def test_a_refused_mapping_writes_nothing(zone):
    record = factories.project(zone.city, responsible_unit=zone.old["jk-old-bio"])
    broken = dict(zone.mapping)
    broken[zone.old["jk-old-service"]] = zone.old["jk-old-service"]
    with pytest.raises(ValidationError):
        reorganize(on=ON, mapping=broken, by=zone.city.admin)
    record.refresh_from_db()
    assert record.responsible_unit == zone.old["jk-old-bio"]
    assert OrgUnit.objects.filter(valid_to__isnull=False).count() == 0


# The command line.


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("reorganize", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def map_args(olds=OLD_BUREAUS):
    args = []
    for code, _name, target in olds:
        args += ["--map", f"{code}={target}"]
    return args


def test_the_command_merges_eight_into_six_and_prints_json(zone):
    factories.project(zone.city, responsible_unit=zone.old["jk-old-chemical"])
    out, _err = run("--on", "2025-01-01", *map_args(), "--format", "json")
    summary = json.loads(out)
    assert summary["units_ended"] == 8
    assert summary["projects_moved"] == 1
    assert summary["by"] == "cityadmin"
    assert {u["new_code"] for u in summary["units"]} == {c for c, _n in NEW_BUREAUS}
    assert OrgUnit.objects.get(code="jk-old-chemical").successor.code == "jk-material"


def test_the_command_creates_new_units_from_a_spec(city):
    factories.unit("jk-old-a", "招商一局", OrgKind.BUREAU, city.jingkai)
    factories.unit("jk-old-b", "招商二局", OrgKind.BUREAU, city.jingkai)
    out, _err = run(
        "--on",
        "2025-01-01",
        "--create",
        "jk-ab:新能源及新型电力装备产业招商局:bureau:jingkai",
        "--map",
        "jk-old-a=jk-ab",
        "--map",
        "jk-old-b=jk-ab",
        "--format",
        "json",
    )
    assert json.loads(out)["created_units"] == ["jk-ab"]
    created = OrgUnit.objects.get(code="jk-ab")
    assert created.valid_from == ON
    assert created.parent == city.jingkai
    assert created.district == city.jingkai
    assert OrgUnit.objects.get(code="jk-old-a").valid_to == ON - timedelta(days=1)


def test_the_command_dry_run_changes_nothing_and_says_so(zone):
    out, err = run("--on", "2025-01-01", *map_args(), "--dry-run", "--format", "json")
    assert json.loads(out)["dry_run"] is True
    assert OrgUnit.objects.filter(valid_to__isnull=False).count() == 0
    _out, err = run(
        "--on",
        "2025-01-01",
        "--create",
        "x-new:新局:bureau:jingkai",
        "--map",
        "jk-old-bio=x-new",
        "--dry-run",
    )
    assert err
    assert not OrgUnit.objects.filter(code="x-new").exists()


def test_the_command_exits_1_for_an_unknown_code(zone):
    with pytest.raises(CommandError) as caught:
        run("--on", "2025-01-01", "--map", "jk-old-bio=no-such-unit")
    assert caught.value.returncode == 1
    assert "no-such-unit" in str(caught.value)


def test_the_command_exits_1_for_a_unit_mapped_onto_itself(zone):
    with pytest.raises(CommandError) as caught:
        run("--on", "2025-01-01", "--map", "jk-old-bio=jk-old-bio")
    assert caught.value.returncode == 1


def test_the_command_exits_1_for_a_new_unit_that_has_ended(zone):
    zone.new["jk-bio"].valid_to = date(2024, 12, 1)
    zone.new["jk-bio"].save()
    with pytest.raises(CommandError) as caught:
        run("--on", "2025-01-01", "--map", "jk-old-bio=jk-bio")
    assert caught.value.returncode == 1


@pytest.mark.parametrize(
    "args",
    [
        ["--on", "2025-13-01", "--map", "a=b"],
        ["--on", "2025-01-01"],
        ["--on", "2025-01-01", "--map", "jk-old-bio"],
        ["--on", "2025-01-01", "--map", "a=b", "--create", "x:名称"],
        ["--on", "2025-01-01", "--map", "a=b", "--create", "x:名称:planet:jingkai"],
        ["--on", "2025-01-01", "--map", "a=b", "--map", "a=c"],
    ],
)
def test_the_command_exits_2_for_a_usage_error(zone, args):
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert caught.value.returncode == 2
