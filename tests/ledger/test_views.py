"""The import pages, step by step and persona by persona: upload → columns → preview → commit,
the history, undo, the 入库 list. Ledgers come from tests/ledger/builders.py."""

from __future__ import annotations

import re
import threading
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from yinli.ledger import jobs
from yinli.ledger.models import BatchStatus, ImportBatch, ImportMapping
from yinli.projects.models import Conflict, Project
from yinli.projects.services import project_update

from .builders import HEADER, messy_xlsx, write_csv
from .test_import import good_row


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.LEDGER_UPLOAD_DIR = tmp_path / "uploads"
    return settings.LEDGER_UPLOAD_DIR


def as_file(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def gbk_csv(tmp_path, rows, name="京口台账.csv"):
    return write_csv(tmp_path / name, [HEADER, *rows], encoding="gbk")


def upload(client, path, *, district=None, mapping=None, name=None):
    data = {"file": as_file(path, name)}
    if district is not None:
        data["district"] = district.pk
    if mapping is not None:
        data["mapping"] = mapping.pk
    return client.post(reverse("ledger:upload"), data)


def token_of(response) -> str:
    match = re.search(r"/ledger/upload/([0-9a-f]{32})/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def mapping_post(client, token, changes=None, save_as=""):
    """Post the mapping page as shown (each select at its current value), with changes."""
    page = client.get(reverse("ledger:mapping", args=[token]))
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name.startswith("col_")}
    data.update(changes or {})
    if "save_as" in form.fields:
        data["save_as"] = save_as
    return client.post(reverse("ledger:mapping", args=[token]), data)


def column_key(client, token, header) -> str:
    page = client.get(reverse("ledger:mapping", args=[token]))
    for row in page.context["rows"]:
        if row["column"].header == header:
            return row["field"].name
    raise AssertionError(f"no column {header!r}")


def through_to_preview(client, path, **kwargs):
    response = upload(client, path, **kwargs)
    assert response.status_code == 302, response.content.decode()[:2000]
    token = token_of(response)
    response = mapping_post(client, token)
    assert response.status_code == 302
    return token, client.get(reverse("ledger:preview", args=[token]))


# -- the way in --------------------------------------------------------------------------------


def test_the_navigation_links_to_the_import_pages(city, as_user):
    body = as_user(city.jingkou_editor).get(reverse("home")).content.decode()
    assert f'href="{reverse("ledger:index")}"' in body
    index = as_user(city.jingkou_editor).get(reverse("ledger:index")).content.decode()
    assert reverse("ledger:upload") in index


def test_a_viewer_sees_the_history_but_may_not_upload(city, as_user, tmp_path):
    client = as_user(city.outsider)
    index = client.get(reverse("ledger:index"))
    assert index.status_code == 200
    assert reverse("ledger:upload") not in index.content.decode()
    assert client.get(reverse("ledger:upload")).status_code == 403
    path = gbk_csv(tmp_path, [good_row(1)])
    assert upload(client, path, district=city.jingkou).status_code == 403


def test_a_district_clerk_gets_her_own_district_only(city, as_user):
    page = as_user(city.jingkou_editor).get(reverse("ledger:upload"))
    field = page.context["form"]["district"]
    assert list(field.field.queryset) == [city.jingkou]
    assert field.value() == city.jingkou.pk
    admin_page = as_user(city.admin).get(reverse("ledger:upload"))
    assert set(admin_page.context["form"].fields["district"].queryset) >= {
        city.jingkou,
        city.jingkai,
    }


def test_a_forged_post_for_another_district_is_refused(city, industries, as_user, tmp_path):
    client = as_user(city.jingkou_editor)
    response = upload(client, gbk_csv(tmp_path, [good_row(1)]), district=city.jingkai)
    assert response.status_code == 200
    assert response.context["form"].errors["district"]
    assert not list(jobs.upload_root().glob("*/meta.json"))  # the file was not even kept
    assert Project.objects.count() == 0


# -- a GBK CSV, all the way through -----------------------------------------------------------


def test_a_gbk_csv_goes_through_every_step(city, industries, as_user, tmp_path):
    client = as_user(city.jingkou_editor)
    path = gbk_csv(tmp_path, [good_row(1), good_row(2)])
    response = upload(client, path, district=city.jingkou)
    assert response.status_code == 302
    token = token_of(response)
    kept = jobs.get_upload(token, user=city.jingkou_editor)
    assert kept.path.read_bytes() == path.read_bytes()  # the file as uploaded, kept privately
    assert kept.folder.parent == jobs.upload_root()

    page = client.get(reverse("ledger:mapping", args=[token]))
    body = page.content.decode()
    assert "总投资(万元)" in body and "年产1万吨锂电池材料项目" in body  # header and a sample
    fields = {row["column"].header: row["field"].value() for row in page.context["rows"]}
    assert fields["项目名称"] == "name" and fields["总投资(万元)"] == "total_investment"

    assert mapping_post(client, token).status_code == 302
    preview = client.get(reverse("ledger:preview", args=[token]))
    assert preview.status_code == 200
    counts = preview.context["counts"]
    assert (counts["rows"], counts["create"], counts["error"]) == (2, 2, 0)
    assert Project.objects.count() == 0  # the preview writes nothing

    done = client.post(reverse("ledger:commit", args=[token]))
    batch = ImportBatch.objects.get()
    assert done["Location"] == reverse("ledger:batch-detail", args=[batch.pk])
    assert (batch.status, batch.created, batch.user) == (
        BatchStatus.COMMITTED,
        2,
        city.jingkou_editor,
    )
    assert set(Project.objects.values_list("district", flat=True)) == {city.jingkou.pk}
    assert not kept.folder.exists()  # cleaned up after the commit
    detail = client.get(done["Location"]).content.decode()
    assert "京口台账.csv" in detail and batch.sha256 in detail
    assert "年产2万吨锂电池材料项目" in detail


def test_a_merged_two_row_header_is_shown_and_imported(city, industries, as_user, tmp_path):
    client = as_user(city.jingkou_editor)
    response = upload(client, messy_xlsx(tmp_path / "台账.xlsx"), district=city.jingkou)
    token = token_of(response)
    page = client.get(reverse("ledger:mapping", args=[token]))
    headers = [row["column"].header for row in page.context["rows"]]
    assert "投资情况 / 计划总投资(亿元)" in headers and "投资情况 / 协议外资(万美元)" in headers
    assert page.context["header_rows"] == [3, 4]
    assert mapping_post(client, token).status_code == 302
    preview = client.get(reverse("ledger:preview", args=[token]))
    assert preview.context["counts"]["create"] == 5
    assert "11" in [str(r["row"]) for r in preview.context["skipped_rows"]]  # the 合计 row
    client.post(reverse("ledger:commit", args=[token]))
    assert Project.objects.get(name="年产5万吨锂电池材料项目").total_investment == 35000


def test_bad_rows_every_error_is_shown_with_its_row_number(city, industries, as_user, tmp_path):
    client = as_user(city.jingkou_editor)
    rows = [
        good_row(1),
        good_row(2, **{"总投资(万元)": "很多", "签约时间": "2025-13-40"}),
        good_row(3, **{"项目进度": "搁置中"}),
        good_row(4, **{"来源地": "朝阳区"}),
        good_row(5),
    ]
    token, preview = through_to_preview(client, gbk_csv(tmp_path, rows), district=city.jingkou)
    body = preview.content.decode()
    problems = re.findall(r'<tr class="problem" data-row="(\d+)">', body)
    assert problems == ["3", "3", "4", "5"]
    for value in ["很多", "2025-13-40", "搁置中", "朝阳区"]:
        assert value in body
    assert "F3" in body  # the cell of the first problem
    assert preview.context["counts"]["error"] == 3

    # Without "skip invalid rows" nothing is written.
    refused = client.post(reverse("ledger:commit", args=[token]), follow=True)
    assert Project.objects.count() == 0 and ImportBatch.objects.count() == 0
    assert refused.redirect_chain[-1][0] == reverse("ledger:preview", args=[token])
    # With it, the valid rows are imported and the rest reported.
    done = client.post(reverse("ledger:commit", args=[token]), {"skip_invalid": "on"}, follow=True)
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.created, batch.skipped) == (BatchStatus.PARTIAL, 2, 3)
    detail = done.content.decode()
    assert re.findall(r'<tr class="problem" data-row="(\d+)">', detail) == ["3", "3", "4", "5"]


def test_many_problems_are_all_listed_page_by_page(city, industries, as_user, tmp_path):
    client = as_user(city.jingkou_editor)
    rows = [good_row(n, **{"项目进度": "搁置中"}) for n in range(1, 131)]
    token, preview = through_to_preview(client, gbk_csv(tmp_path, rows), district=city.jingkou)
    first = re.findall(r'<tr class="problem" data-row="(\d+)">', preview.content.decode())
    second_page = client.get(reverse("ledger:preview", args=[token]), {"epage": 2})
    second = re.findall(r'<tr class="problem" data-row="(\d+)">', second_page.content.decode())
    assert [int(r) for r in first + second] == list(range(2, 132))


# -- the mapping -------------------------------------------------------------------------------


def test_a_corrected_mapping_is_used_and_can_be_saved(city, industries, as_user, tmp_path):
    client = as_user(city.jingkou_editor)
    header = [*HEADER, "跟进人", "备注"]
    rows = [[*good_row(1), "周八", "重点项目"], [*good_row(2), "吴九", ""]]
    path = write_csv(tmp_path / "台账.csv", [header, *rows], encoding="gbk")
    token = token_of(upload(client, path, district=city.jingkou))
    key = column_key(client, token, "跟进人")
    notes = column_key(client, token, "备注")
    response = mapping_post(
        client, token, {key: "responsible_person", notes: ""}, save_as="京口标准台账"
    )
    assert response.status_code == 302
    saved = ImportMapping.objects.get(district=city.jingkou, name="京口标准台账")
    assert saved.columns["跟进人"] == "responsible_person" and saved.columns["备注"] is None
    client.get(reverse("ledger:preview", args=[token]))
    client.post(reverse("ledger:commit", args=[token]))
    project = Project.objects.get(name="年产1万吨锂电池材料项目")
    assert project.responsible_person == "周八"
    assert project.notes == ""  # the ignored column

    # The next upload with the same headers gets the saved mapping by itself.
    again = upload(client, path, district=city.jingkou, name="台账(二).csv")
    page = client.get(again["Location"])
    fields = {row["column"].header: row["field"].value() for row in page.context["rows"]}
    assert fields["跟进人"] == "responsible_person"
    assert "京口标准台账" in page.content.decode()


def test_the_mapping_refuses_a_field_twice_or_no_project_name(city, industries, as_user, tmp_path):
    client = as_user(city.jingkou_editor)
    token = token_of(upload(client, gbk_csv(tmp_path, [good_row(1)]), district=city.jingkou))
    name_key = column_key(client, token, "项目名称")
    company_key = column_key(client, token, "投资方")
    twice = mapping_post(client, token, {company_key: "name"})
    assert twice.status_code == 200
    assert twice.context["form"].errors[company_key]
    none = mapping_post(client, token, {name_key: ""})
    assert none.status_code == 200 and none.context["form"].non_field_errors()


def test_a_saved_mapping_of_another_district_cannot_be_chosen(city, industries, as_user, tmp_path):
    other = ImportMapping.objects.create(district=city.jingkai, name="经开区", columns={})
    client = as_user(city.jingkou_editor)
    response = upload(
        client, gbk_csv(tmp_path, [good_row(1)]), district=city.jingkou, mapping=other
    )
    assert response.status_code == 200 and "mapping" in response.context["form"].errors


# -- the guards --------------------------------------------------------------------------------


def test_a_file_too_large_is_refused_in_chinese(city, industries, as_user, tmp_path, settings):
    settings.LEDGER_IMPORT_MAX_BYTES = 100
    response = upload(
        as_user(city.jingkou_editor), gbk_csv(tmp_path, [good_row(1)]), district=city.jingkou
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["file"])
    assert "不予接收" in errors and "MB" in errors


def test_a_zip_bomb_is_refused_before_it_is_opened(city, industries, as_user, tmp_path, settings):
    settings.LEDGER_MAX_UNCOMPRESSED_BYTES = 1000
    response = upload(
        as_user(city.jingkou_editor), messy_xlsx(tmp_path / "台账.xlsx"), district=city.jingkou
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["file"])
    assert "展开" in errors or "解压" in errors, errors
    assert not any(p.is_dir() for p in jobs.upload_root().iterdir() if p.name[0] != ".")


def test_too_many_rows_and_no_header_are_clear_errors(
    city, industries, as_user, tmp_path, settings
):
    client = as_user(city.jingkou_editor)
    settings.LEDGER_IMPORT_MAX_ROWS = 2
    rows = [good_row(n) for n in range(1, 40)]
    response = upload(client, gbk_csv(tmp_path, rows), district=city.jingkou)
    assert "行" in " ".join(response.context["form"].errors["file"])
    settings.LEDGER_IMPORT_MAX_ROWS = 200_000
    path = write_csv(tmp_path / "杂项.csv", [["甲", "乙"], ["1", "2"]])
    response = upload(client, path, district=city.jingkou)
    assert "项目名称" in " ".join(response.context["form"].errors["file"])


def test_only_spreadsheets_and_csv_are_accepted(city, as_user, tmp_path):
    path = tmp_path / "台账.pdf"
    path.write_bytes(b"%PDF-1.4")
    response = upload(as_user(city.jingkou_editor), path, district=city.jingkou)
    assert ".xlsx" in " ".join(response.context["form"].errors["file"])


# -- duplicates, as the persona rule allows -----------------------------------------------------


def test_a_duplicate_in_another_district_is_told_not_shown(city, industries, as_user, tmp_path):
    other = factories.project(city, district=city.jingkai, name="年产1万吨锂电池材料项目")
    path = gbk_csv(tmp_path, [good_row(1)])
    _token, preview = through_to_preview(as_user(city.jingkou_editor), path, district=city.jingkou)
    [entry] = preview.context["duplicate_rows"]
    [item] = entry["items"]
    assert item["district"] == city.jingkai.display_name and not item["visible"]
    assert item["message"].startswith("镇江经开区已有同名项目")
    body = preview.content.decode()
    assert reverse("projects:detail", args=[other.pk]) not in body
    assert f"#{other.pk}" not in body.split('id="duplicates"')[1].split("</section>")[0]

    _token, preview = through_to_preview(as_user(city.admin), path, district=city.jingkou)
    [entry] = preview.context["duplicate_rows"]
    [item] = entry["items"]
    assert item["visible"] and item["name"] == other.name
    assert reverse("projects:detail", args=[other.pk]) in preview.content.decode()


# -- other people's uploads and imports --------------------------------------------------------


def test_another_users_upload_is_not_found(city, industries, as_user, tmp_path):
    token = token_of(
        upload(
            as_user(city.jingkou_editor), gbk_csv(tmp_path, [good_row(1)]), district=city.jingkou
        )
    )
    client = as_user(city.jingkai_editor)
    for name in ["mapping", "preview", "commit", "status"]:
        assert client.get(reverse(f"ledger:{name}", args=[token])).status_code == 404, name
    assert client.post(reverse("ledger:commit", args=[token])).status_code == 404
    assert client.post(reverse("ledger:cancel", args=[token])).status_code == 404
    assert client.get(reverse("ledger:preview", args=["not-a-token"])).status_code == 404
    assert client.get("/ledger/upload/..%2F..%2Fetc/preview/").status_code == 404
    assert Project.objects.count() == 0


@pytest.fixture
def jingkou_batch(city, industries, tmp_path, client):
    client.force_login(city.jingkou_editor, backend="django.contrib.auth.backends.ModelBackend")
    token, _preview = through_to_preview(
        client, gbk_csv(tmp_path, [good_row(1), good_row(2)]), district=city.jingkou
    )
    client.post(reverse("ledger:commit", args=[token]))
    client.logout()
    return ImportBatch.objects.get()


def test_the_history_is_scoped(city, jingkou_batch, as_user):
    detail = reverse("ledger:batch-detail", args=[jingkou_batch.pk])
    undo = reverse("ledger:undo", args=[jingkou_batch.pk])
    for person in [city.jingkou_editor, city.admin, city.analyst]:
        client = as_user(person)
        assert jingkou_batch.file_name in client.get(reverse("ledger:batch-list")).content.decode()
        assert client.get(detail).status_code == 200
    for person in [city.jingkai_editor, city.outsider]:
        client = as_user(person)
        listed = client.get(reverse("ledger:batch-list")).content.decode()
        assert f'id="batch-{jingkou_batch.pk}"' not in listed
        assert client.get(detail).status_code == 404
        assert client.get(undo).status_code == 404
        assert client.post(undo).status_code == 404
    # The analyst reads every import but undoes none.
    assert as_user(city.analyst).post(undo).status_code == 403
    assert ImportBatch.objects.get().status == BatchStatus.COMMITTED


def test_undo_after_confirmation(city, jingkou_batch, as_user):
    client = as_user(city.jingkou_editor)
    undo = reverse("ledger:undo", args=[jingkou_batch.pk])
    confirm = client.get(undo)
    assert confirm.status_code == 200 and confirm.context["created_count"] == 2
    assert Project.objects.count() == 2
    response = client.post(undo, follow=True)
    assert Project.objects.count() == 0
    jingkou_batch.refresh_from_db()
    assert jingkou_batch.status == BatchStatus.UNDONE
    assert jingkou_batch.undone_by == city.jingkou_editor
    assert "batch-status" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("ledger:batch-detail", args=[jingkou_batch.pk])


def test_undo_is_refused_with_the_engines_message_after_a_change(city, jingkou_batch, as_user):
    project = Project.objects.get(name="年产1万吨锂电池材料项目")
    project_update(
        project=project, data={"notes": "已改"}, version=project.version, by=city.jingkou_editor
    )
    response = as_user(city.jingkou_editor).post(
        reverse("ledger:undo", args=[jingkou_batch.pk]), follow=True
    )
    body = response.content.decode()
    assert f"#{project.pk}" in body and project.name in body  # the engine's refusal names it
    assert "在导入后已被修改" in body
    assert Project.objects.count() == 2
    assert ImportBatch.objects.get().status == BatchStatus.COMMITTED


# -- a large file in the background ------------------------------------------------------------


def wait_for_job(token):
    for thread in threading.enumerate():
        if thread.name == f"ledger-{token[:8]}":
            thread.join()


@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_committed_in_the_background_with_progress(settings, tmp_path, client):
    city = factories.build_city()
    from yinli.projects.models import Category, Industry

    Industry.objects.create(name="新能源及新型电力装备", category=Category.INDUSTRIAL)
    settings.LEDGER_INLINE_ROWS = 3
    client.force_login(city.jingkou_editor, backend="django.contrib.auth.backends.ModelBackend")
    path = gbk_csv(tmp_path, [good_row(n) for n in range(1, 8)])
    token = token_of(upload(client, path, district=city.jingkou))
    mapping_post(client, token)
    first = client.get(reverse("ledger:preview", args=[token]))
    assert "job-progress" in first.content.decode()  # a preview in the background
    wait_for_job(token)
    polled = client.get(reverse("ledger:status", args=[token]), HTTP_HX_REQUEST="true")
    assert polled["HX-Redirect"] == reverse("ledger:preview", args=[token])
    preview = client.get(reverse("ledger:preview", args=[token]))
    assert preview.context["counts"]["create"] == 7

    started = client.post(reverse("ledger:commit", args=[token]))
    assert started["Location"] == reverse("ledger:commit", args=[token])
    wait_for_job(token)
    polled = client.get(reverse("ledger:status", args=[token]), HTTP_HX_REQUEST="true")
    assert polled["HX-Redirect"] == reverse("ledger:commit", args=[token])
    done = client.get(reverse("ledger:commit", args=[token]))
    batch = ImportBatch.objects.get(parent__isnull=True)
    assert done["Location"] == reverse("ledger:batch-detail", args=[batch.pk])
    assert (batch.created, batch.status) == (7, BatchStatus.COMMITTED)
    assert Project.objects.count() == 7
    assert jobs.get_upload(token, user=city.jingkou_editor) is None  # cleaned up


def test_the_progress_partial_shows_rows_done(city, as_user, tmp_path):
    client = as_user(city.jingkou_editor)
    kept = jobs.create_upload(
        user=city.jingkou_editor,
        file=as_file(gbk_csv(tmp_path, [good_row(1)])),
        kind="projects",
        district=city.jingkou,
    )
    jobs.claim(kept, action="commit", total=400)
    kept.set_status(state="running", phase="checking", done=100, total=400)
    partial = client.get(reverse("ledger:status", args=[kept.token]), HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert 'hx-trigger="every 1s"' in body and "25%" in body and "100" in body
    assert client.get(reverse("ledger:commit", args=[kept.token])).status_code == 200
    # The second pass (the writes) fills the second half of the bar.
    kept.set_status(phase="writing", step=1, steps=2, done=200, total=400)
    body = client.get(reverse("ledger:status", args=[kept.token])).content.decode()
    assert "75%" in body and "正在写入数据库" in body
    # A commit cannot be started twice, nor the upload cancelled, while one runs.
    assert client.post(reverse("ledger:cancel", args=[kept.token])).status_code == 302
    assert kept.folder.exists()


def test_cancel_removes_the_upload(city, industries, as_user, tmp_path):
    client = as_user(city.jingkou_editor)
    token = token_of(upload(client, gbk_csv(tmp_path, [good_row(1)]), district=city.jingkou))
    kept = jobs.get_upload(token, user=city.jingkou_editor)
    assert kept.folder.exists()
    assert client.post(reverse("ledger:cancel", args=[token])).status_code == 302
    assert not kept.folder.exists()


# -- the 入库 list ------------------------------------------------------------------------------


FAI_HEADER = ["序号", "项目代码", "项目名称", "入库月份", "计划总投资(万元)"]


def test_the_fai_list_sets_the_month_and_lists_unmatched_rows(city, as_user, tmp_path):
    project = factories.project(city, name="甲项目", fai_code="2501-321102-04-01-000001")
    path = write_csv(
        tmp_path / "入库.csv",
        [
            FAI_HEADER,
            [1, "2501-321102-04-01-000001", "甲项目", "2025年7月", "52000"],
            [2, "2501-321102-04-01-000003", "丙项目", "2025.7", "6000"],
        ],
        encoding="gbk",
    )
    client = as_user(city.admin)
    response = client.post(reverse("ledger:fai"), {"file": as_file(path)})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    body = preview.content.decode()
    assert "丙项目" in body and "甲项目" in body
    project.refresh_from_db()
    assert project.fai_on is None  # nothing written yet
    done = client.post(response["Location"], follow=True)
    project.refresh_from_db()
    assert project.fai_on == date(2025, 7, 1)
    assert re.findall(r'<tr class="unmatched" data-row="(\d+)">', done.content.decode()) == ["3"]


def test_the_fai_list_is_for_city_administrators(city, as_user, tmp_path):
    for person in [city.jingkou_editor, city.analyst]:
        assert as_user(person).get(reverse("ledger:fai")).status_code == 403


def test_a_job_whose_process_is_gone_is_reported_as_failed(city, tmp_path):
    kept = jobs.create_upload(
        user=city.jingkou_editor,
        file=as_file(gbk_csv(tmp_path, [good_row(1)])),
        kind="projects",
        district=city.jingkou,
    )
    jobs.claim(kept, action="commit", total=10)
    assert kept.active
    status = kept.set_status(state="running")
    status["pid"] = 2**22 + 12345  # no such process
    jobs._write_json(kept.folder / "status.json", status)
    assert kept.status()["state"] == "failed" and not kept.active
    assert "重新上传" in kept.status()["error"]


def test_old_uploads_are_cleaned_up(city, tmp_path, settings):
    import os
    import time

    kept = jobs.create_upload(
        user=city.jingkou_editor,
        file=as_file(gbk_csv(tmp_path, [good_row(1)])),
        kind="projects",
        district=city.jingkou,
    )
    fresh = jobs.create_upload(
        user=city.jingkou_editor,
        file=as_file(gbk_csv(tmp_path, [good_row(2)], name="新.csv")),
        kind="projects",
        district=city.jingkou,
    )
    old = time.time() - 3 * 24 * 3600
    os.utime(kept.folder, (old, old))
    assert jobs.clean_stale() == 1
    assert not kept.folder.exists() and fresh.folder.exists()


def test_the_home_page_shows_the_latest_imports(city, jingkou_batch, as_user):
    home = as_user(city.jingkou_editor).get(reverse("home")).content.decode()
    assert 'id="panel-imports"' in home and jingkou_batch.file_name in home
    other = as_user(city.jingkai_editor).get(reverse("home")).content.decode()
    assert 'id="panel-imports"' not in other


def test_a_city_admin_imports_rows_of_several_districts(city, industries, as_user, tmp_path):
    client = as_user(city.admin)
    rows = [good_row(1), good_row(2, **{"所属板块": "镇江经开区"})]
    response = client.post(reverse("ledger:upload"), {"file": as_file(gbk_csv(tmp_path, rows))})
    token = token_of(response)
    page = client.get(reverse("ledger:mapping", args=[token]))
    assert "save_as" not in page.context["form"].fields  # a mapping is saved for a district
    mapping_post(client, token)
    preview = client.get(reverse("ledger:preview", args=[token]))
    assert preview.context["counts"]["create"] == 2
    client.post(reverse("ledger:commit", args=[token]))
    districts = dict(Project.objects.values_list("name", "district__name"))
    assert districts == {
        "年产1万吨锂电池材料项目": "京口区",
        "年产2万吨锂电池材料项目": "镇江经开区",
    }
    # The batch names no district: the district editors do not see it, the city does.
    batch = ImportBatch.objects.get()
    assert batch.district is None
    detail = reverse("ledger:batch-detail", args=[batch.pk])
    assert as_user(city.jingkou_editor).get(detail).status_code == 404
    assert as_user(city.analyst).get(detail).status_code == 200


def test_the_progress_callback_tells_the_passes_apart(city, tmp_path, monkeypatch):
    kept = jobs.create_upload(
        user=city.jingkou_editor,
        file=as_file(gbk_csv(tmp_path, [good_row(1)])),
        kind="projects",
        district=city.jingkou,
    )
    monkeypatch.setattr(jobs, "_PROGRESS_EVERY", 0)
    progress = jobs.Progress(kept, expected=20, phases=["checking", "writing"])
    progress(10, 99)
    assert (kept.status()["phase"], kept.status()["done"]) == ("checking", 10)
    progress(20, 99)
    progress(5, 20)  # starts again from the beginning: the write pass
    status = kept.status()
    assert (status["phase"], status["step"], status["done"], status["total"]) == (
        "writing",
        1,
        5,
        20,
    )


def test_the_city_narrows_the_history_to_a_district(city, jingkou_batch, as_user):
    client = as_user(city.analyst)
    listed = client.get(reverse("ledger:batch-list"), {"district": city.jingkou.pk})
    assert list(listed.context["page"].object_list) == [jingkou_batch]
    other = client.get(reverse("ledger:batch-list"), {"district": city.jingkai.pk})
    assert list(other.context["page"].object_list) == []
    # A district's own list offers no such choice, and a guessed one changes nothing.
    own = as_user(city.jingkai_editor).get(
        reverse("ledger:batch-list"), {"district": city.jingkou.pk}
    )
    assert list(own.context["page"].object_list) == [] and not own.context["districts"]


# -- answering the duplicate warnings on the preview (issue 5) ---------------------------------


@pytest.fixture
def warned(city, industries):
    """Jingkai projects that rows 2 (same investor) and 3 (same name) of the ledger look like."""
    investor = factories.company(name="江苏恒远新能源1科技有限公司")
    return (
        factories.project(city, district=city.jingkai, company=investor, name="恒远一期项目"),
        factories.project(city, district=city.jingkai, name="年产2万吨锂电池材料项目"),
    )


def decide(client, token, row, decision, **extra):
    return client.post(
        reverse("ledger:decide", args=[token]), {"row": row, "decision": decision, **extra}
    )


def test_the_preview_warns_and_holds_rows_until_answered(city, warned, as_user, tmp_path):
    same_investor, same_name = warned
    client = as_user(city.jingkou_editor)
    path = gbk_csv(tmp_path, [good_row(1), good_row(2), good_row(3)])
    token, preview = through_to_preview(client, path, district=city.jingkou)
    rows = {entry["row"]: entry for entry in preview.context["duplicate_rows"]}
    assert set(rows) == {2, 3} and all(entry["decidable"] for entry in rows.values())
    [warning] = rows[2]["items"]
    # 该投资方已在X区有项目（负责单位、阶段、日期）, without the record the district may not see.
    assert warning["message"].startswith("该投资方已在镇江经开区有项目")
    assert "2025-03-12" in warning["message"] and same_investor.name not in warning["message"]
    assert preview.context["undecided_count"] == 2
    assert 'id="held-note"' in preview.content.decode()

    refused = decide(client, token, 2, "distinct", reason="  ")
    assert refused.status_code == 302
    assert jobs.get_upload(token, user=city.jingkou_editor).decisions == {}
    decide(client, token, 2, "distinct", reason="二期新厂")
    decide(client, token, 3, "same", same_as=same_name.pk)
    page = client.get(reverse("ledger:preview", args=[token]))
    assert page.context["undecided_count"] == 0
    assert {e["row"]: e["decision"]["decision"] for e in page.context["duplicate_rows"]} == {
        2: "distinct",
        3: "same",
    }
    client.post(reverse("ledger:commit", args=[token]))
    first = Project.objects.get(district=city.jingkou, name="年产1万吨锂电池材料项目")
    assert (first.duplicate_decision, first.duplicate_reason) == ("distinct", "二期新厂")
    second = Project.objects.get(district=city.jingkou, name="年产2万吨锂电池材料项目")
    conflict = Conflict.objects.get()
    assert (conflict.project_a, conflict.project_b) == (same_name, second)


def test_unanswered_rows_are_held_or_all_declared_different(city, warned, as_user, tmp_path):
    client = as_user(city.jingkou_editor)
    path = gbk_csv(tmp_path, [good_row(1), good_row(2), good_row(3)])
    token, _preview = through_to_preview(client, path, district=city.jingkou)
    missing = client.post(reverse("ledger:commit", args=[token]), {"undecided_distinct": "on"})
    assert missing.status_code == 200 and missing.context["form"].errors["undecided_reason"]
    done = client.post(reverse("ledger:commit", args=[token]), follow=True)
    batch = done.context["batch"]
    assert batch.status == BatchStatus.PARTIAL and batch.created == 1 and batch.skipped == 2
    assert [h["row"] for h in batch.summary["held_rows"]] == [2, 3]
    assert "年产3万吨锂电池材料项目" in done.content.decode()

    token, _preview = through_to_preview(client, path, district=city.jingkou)
    client.post(
        reverse("ledger:commit", args=[token]),
        {"undecided_distinct": "on", "undecided_reason": "集团在两个板块分别投资"},
    )
    reasons = set(
        Project.objects.filter(district=city.jingkou).values_list("duplicate_reason", flat=True)
    )
    assert reasons == {"", "集团在两个板块分别投资"}
    assert Project.objects.filter(district=city.jingkou).count() == 3


def test_only_the_uploader_answers_and_only_for_warned_rows(city, warned, as_user, tmp_path):
    path = gbk_csv(tmp_path, [good_row(1), good_row(2), good_row(3)])
    token, _preview = through_to_preview(as_user(city.jingkou_editor), path, district=city.jingkou)
    other = as_user(city.jingkai_editor)
    assert decide(other, token, 2, "distinct", reason="x").status_code == 404
    owner = as_user(city.jingkou_editor)
    assert decide(owner, token, 4, "distinct", reason="x").status_code == 404  # no warning
