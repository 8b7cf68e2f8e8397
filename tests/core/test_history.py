"""Change records as people read them: who, when, and each field before → after."""

from decimal import Decimal

from django.utils import timezone

from tests import factories
from yinli.core.history import entries_from_records, object_history
from yinli.core.models import Region
from yinli.projects import services
from yinli.projects.models import Project, Stage, Status, Tag


def lead(city, **extra):
    return services.project_create(
        data={"name": "年产5万吨高性能碳纤维项目", "district": city.jingkai, **extra},
        by=city.jingkai_editor,
    )


def changes_of(entry):
    return {change.field: (change.before, change.after) for change in entry.changes}


def test_a_creation_lists_the_values_it_set(city):
    project = lead(city, total_investment=Decimal("35000"))
    [entry] = object_history(project)
    assert entry.action == "create"
    assert entry.who == city.jingkai_editor.username
    assert changes_of(entry)["name"] == ("", "年产5万吨高性能碳纤维项目")
    assert changes_of(entry)["total_investment"] == ("", "35000")


def test_an_update_shows_before_and_after_with_labels(city):
    project = lead(city, responsible_person="张伟")
    services.project_update(
        project=project, data={"responsible_person": "李明"}, version=1, by=city.admin
    )
    entry = object_history(project)[0]
    assert entry.action == "update"
    assert entry.who == city.admin.username
    assert entry.user_id == city.admin.pk
    [change] = entry.changes
    assert (change.before, change.after) == ("张伟", "李明")
    assert change.label == str(Project._meta.get_field("responsible_person").verbose_name)


def test_foreign_keys_are_shown_by_name(city):
    project = lead(city)
    services.project_update(
        project=project,
        data={
            "responsible_unit": city.bureau,
            "signing_region": Region.objects.get(code="440305"),
        },
        version=1,
        by=city.jingkai_editor,
    )
    changes = changes_of(object_history(project)[0])
    assert changes["responsible_unit"] == ("", "生物医药及大健康产业招商局")
    assert changes["signing_region"][1] == Region.objects.get(code="440305").full_name


def test_choices_are_shown_by_their_label(city):
    project = lead(city)
    services.project_set_status(
        project=project,
        status=Status.PAUSED,
        reason="资金未落实",
        by=city.jingkai_editor,
        version=1,
    )
    entry = object_history(project)[0]
    assert entry.action == "status"
    assert changes_of(entry)["status"] == (str(Status.ACTIVE.label), str(Status.PAUSED.label))


def test_bookkeeping_fields_are_not_listed(city):
    project = lead(city)
    services.project_update(project=project, data={"notes": "首次对接"}, version=1, by=city.admin)
    assert set(changes_of(object_history(project)[0])) == {"notes"}


def test_a_soft_delete_and_a_restore_say_so(city):
    project = lead(city)
    services.project_delete(project=project, by=city.jingkai_editor, version=1)
    services.project_restore(project=project, by=city.admin)
    entries = object_history(project)
    assert [e.action for e in entries] == ["restore", "delete", "create"]
    assert entries[0].who == city.admin.username
    assert entries[1].who == city.jingkai_editor.username


def test_a_stage_move_is_labelled_as_one(city):
    project = lead(
        city, company=factories.company(), industry=city.industry, responsible_unit=city.jingkai
    )
    services.project_advance_stage(
        project=project,
        stage=Stage.NEGOTIATING,
        on=timezone.localdate(),
        by=city.jingkai_editor,
        version=project.version,
    )
    entry = object_history(project)[0]
    assert entry.action == "stage"
    assert changes_of(entry)["stage"] == (str(Stage.LEAD.label), str(Stage.NEGOTIATING.label))


def test_tags_are_listed_by_name(city):
    project = lead(city)
    tag = Tag.objects.create(name="链主企业")
    services.project_update(project=project, data={}, version=1, by=city.admin, tags=[tag])
    entry = object_history(project)[0]
    assert changes_of(entry) == {"tags": ("", "链主企业")}
    assert entry.who == city.admin.username


def test_a_save_that_changed_nothing_is_not_listed(city):
    project = lead(city)
    services.project_update(project=project, data={}, version=1, by=city.admin)
    assert [e.action for e in object_history(project)] == ["create"]


def test_entries_of_many_objects_take_a_fixed_number_of_queries(
    city, django_assert_max_num_queries
):
    projects = [lead(city, responsible_person=f"负责人{n}") for n in range(5)]
    for project in projects:
        services.project_update(
            project=project, data={"responsible_unit": city.bureau}, version=1, by=city.admin
        )
    records = list(Project.history.order_by("-history_id"))
    with django_assert_max_num_queries(6):
        entries = entries_from_records(records)
    assert len(entries) == 10
    assert all(e.action in ("create", "update") for e in entries)


def test_an_object_without_history_has_no_entries(city):
    assert entries_from_records([]) == []
