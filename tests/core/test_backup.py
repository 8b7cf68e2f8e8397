"""`yinli backup` and `yinli restore` round-trip a whole database, on whichever engine the suite
runs (CI runs the suite on SQLite and on PostgreSQL, so both engines are proven)."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from tests import factories
from yinli.core.backup import backup_models, read_manifest
from yinli.core.models import ApiToken, Region, RegionGroup
from yinli.fieldwork.models import Event, EventKind
from yinli.projects import services as project_services
from yinli.projects.models import FundsInPlace, Project, Tag

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot() -> dict[str, list[dict]]:
    """Every row of every table a backup holds, by model, in primary-key order.

    Content types and permissions are made by `migrate` and their ids differ from one database
    to another (even after a flush), so references to them are compared by natural key.
    """
    natural = {
        ContentType: {ct.pk: (ct.app_label, ct.model) for ct in ContentType.objects.all()},
        Permission: {
            p.pk: (p.content_type.app_label, p.content_type.model, p.codename)
            for p in Permission.objects.select_related("content_type")
        },
    }
    result = {}
    for model in backup_models():
        translated = {
            f.attname: natural[f.related_model]
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model in natural
        }
        rows = list(model._base_manager.order_by("pk").values())
        for row in rows:
            for attname, keys in translated.items():
                if row[attname] is not None:
                    row[attname] = keys[row[attname]]
        result[model._meta.label_lower] = rows
    return result


def populate():
    city = factories.build_city()
    tag = Tag.objects.create(name="专精特新")
    parent = factories.company("镇江母公司集团有限公司")
    investor = factories.company(parent=parent)
    event = Event.objects.create(
        name="2025镇江（深圳）产业合作推介会",
        kind=EventKind.PROMOTION,
        held_on=date(2025, 5, 20),
        organiser=city.city,
        place=Region.objects.get(code="440300"),
    )
    signed = factories.project(city, company=investor, event=event, total_wan="123456.7890")
    project_services.project_update(
        project=signed,
        data={"notes": "已完成环评"},
        version=signed.version,
        by=city.admin,
        tags=[tag],
    )
    FundsInPlace.objects.create(
        project=signed, on=date(2025, 6, 30), amount=Decimal("2500.5"), by=city.jingkai_editor
    )
    lost = factories.project(city, district=city.jingkou, stage="lead", signed_on=None)
    lost.refresh_from_db()
    project_services.project_delete(project=lost, by=city.admin, version=lost.version)
    group = RegionGroup.objects.create(name="测试区域组")
    group.members.add(Region.objects.get(code="310000"), Region.objects.get(code="320000"))
    editors = Group.objects.create(name="项目编辑")
    editors.permissions.add(Permission.objects.get(codename="change_project"))
    city.analyst.groups.add(editors)
    city.analyst.user_permissions.add(Permission.objects.get(codename="view_company"))
    ApiToken.for_user(city.analyst)
    LogEntry.objects.create(
        user=city.admin,
        content_type=ContentType.objects.get_for_model(Project),
        object_id=str(signed.pk),
        object_repr=signed.name,
        action_flag=ADDITION,
    )
    return city, signed, lost


def test_backup_flush_restore_gives_back_every_row(tmp_path):
    city, signed, lost = populate()
    before = snapshot()
    # What the round trip must carry: history rows, soft-deleted rows, links, microseconds.
    assert len(before["projects.historicalproject"]) >= 4
    assert [p["id"] for p in before["projects.project"] if p["deleted_at"]] == [lost.pk]
    assert before["projects.project_tags"] and before["projects.historicalproject_tags"]
    assert any(p["created_at"].microsecond for p in before["projects.project"])

    path = tmp_path / "yinli.zip"
    call_command("backup", str(path), verbosity=0)
    manifest = read_manifest(path)
    assert manifest.engine == connection.vendor
    counts = {m.model: m.rows for m in manifest.models}
    assert counts == {label: len(rows) for label, rows in before.items()}
    with zipfile.ZipFile(path) as archive:
        raw = json.loads(archive.read("manifest.json"))
    assert raw["format"] == "yinli-backup" and raw["format_version"] == 1
    assert raw["total_rows"] == sum(counts.values())
    assert "contenttypes.contenttype" not in counts and "sessions.session" not in counts

    call_command("flush", interactive=False, verbosity=0)
    assert not Project.all_objects.exists()
    # A flushed database gets its reference data back from post_migrate; restore replaces it.
    call_command("restore", str(path), verbosity=0)

    after = snapshot()
    for label, rows in before.items():
        assert after[label] == rows, f"{label} differs after the round trip"
    assert Project.objects.count() == 1  # the soft-deleted one stays deleted
    assert Project.all_objects.get(pk=lost.pk).is_deleted
    assert signed.history.count() == len(
        [h for h in before["projects.historicalproject"] if h["id"] == signed.pk]
    )

    # Sequences follow the restored rows: new records get fresh ids on either engine.
    fresh = factories.project(city)
    assert fresh.pk > max(p["id"] for p in before["projects.project"])


def test_restore_refuses_a_database_with_data_unless_forced(tmp_path):
    city, signed, _lost = populate()
    path = tmp_path / "yinli.zip"
    call_command("backup", str(path), verbosity=0)
    before = snapshot()

    Project.all_objects.filter(pk=signed.pk).update(name="改过的名字")
    factories.company("备份之后新建的公司")
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(path), verbosity=0)
    assert Project.all_objects.get(pk=signed.pk).name == "改过的名字"

    # Permissions are matched by natural key, not by id: recreate one so that its id moves.
    moved = Permission.objects.get(codename="view_company")
    moved_key = (moved.content_type_id, moved.codename, moved.name)
    moved.delete()
    Permission.objects.create(
        content_type_id=moved_key[0], codename=moved_key[1], name=moved_key[2]
    )

    call_command("restore", str(path), force=True, verbosity=0)
    assert Project.all_objects.get(pk=signed.pk).name == signed.name
    analyst = type(city.analyst).objects.get(pk=city.analyst.pk)
    assert analyst.has_perm("companies.view_company")
    assert analyst.has_perm("projects.change_project")
    after = snapshot()
    for label, rows in before.items():
        assert after[label] == rows, f"{label} differs after the forced restore"


@pytest.mark.django_db
def test_restore_rejects_what_is_not_a_backup(tmp_path):
    bogus = tmp_path / "not-a-backup.zip"
    bogus.write_text("hello")
    with pytest.raises(CommandError, match="不是有效的引力备份文件"):
        call_command("restore", str(bogus), verbosity=0)
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "missing.zip"), verbosity=0)


def test_backup_keeps_aware_datetimes_to_the_microsecond(tmp_path):
    stamp = timezone.now().replace(microsecond=123456)
    region = Region.objects.get(code="321100")
    group = RegionGroup.objects.create(name="微秒测试")
    group.members.add(region)
    city = factories.build_city()
    project = factories.project(city)
    Project.all_objects.filter(pk=project.pk).update(updated_at=stamp, deleted_at=stamp)
    path = tmp_path / "b.zip"
    call_command("backup", str(path), verbosity=0)
    call_command("restore", str(path), force=True, verbosity=0)
    restored = Project.all_objects.get(pk=project.pk)
    assert restored.updated_at == stamp
    assert restored.deleted_at == stamp
