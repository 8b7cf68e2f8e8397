"""Documents: attached to projects, obstacles and instructions, limited in size and type (by the
extension and by the first bytes), stored outside the public URLs and served only to those who
see the owner."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from yinli.core.services import PermissionDeniedError
from yinli.supervision import selectors, services
from yinli.supervision.models import Document, DocumentKind

from .conftest import (
    days,
    department,
    docx_bytes,
    pdf_bytes,
    png_bytes,
    upload,
    xlsx_bytes,
    zip_bytes,
)


def attach(city, owner, name="投资协议.pdf", content=None, **extra):
    return services.document_attach(
        user=extra.pop("user", city.jingkou_editor),
        owner=owner,
        upload=upload(name, pdf_bytes() if content is None else content),
        **extra,
    )


def test_a_pdf_is_stored_under_a_generated_name_outside_the_public_urls(projects, document_dir):
    document = attach(
        projects, projects.jingkou_project, title="投资协议（正式）", kind=DocumentKind.AGREEMENT
    )
    stored = document_dir / document.stored_name
    assert stored.read_bytes() == pdf_bytes()
    assert "投资协议" not in document.stored_name
    assert document.filename == "投资协议.pdf"
    assert document.size == len(pdf_bytes())
    assert document.mime_type == "application/pdf"
    assert document.created_by == projects.jingkou_editor
    assert document.owner == projects.jingkou_project


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("厂区照片.png", png_bytes()),
        ("用地清单.xlsx", xlsx_bytes()),
        ("补充协议.docx", docx_bytes()),
    ],
)
def test_it_accepts_genuine_files_of_the_allowed_types(projects, name, content):
    document = attach(projects, projects.jingkou_project, name=name, content=content)
    assert document.filename == name


def test_it_refuses_a_type_not_allowed(projects, document_dir):
    with pytest.raises(ValidationError) as error:
        attach(projects, projects.jingkou_project, name="安装包.exe", content=b"MZ\x90\x00")
    message = error.value.message_dict["file"][0]
    assert "安装包.exe" in message and "pdf" in message
    assert not document_dir.exists() or not any(document_dir.rglob("*.*"))


def test_it_refuses_a_program_disguised_as_a_pdf(projects, document_dir):
    with pytest.raises(ValidationError) as error:
        attach(projects, projects.jingkou_project, name="批文.pdf", content=b"MZ\x90\x00" * 10)
    assert "批文.pdf" in error.value.message_dict["file"][0]
    assert error.value.error_dict["file"][0].code == "content"
    assert Document.objects.count() == 0
    assert not document_dir.exists() or not any(document_dir.rglob("*.*"))


def test_it_refuses_a_zip_disguised_as_an_xlsx(projects):
    with pytest.raises(ValidationError) as error:
        attach(
            projects,
            projects.jingkou_project,
            name="台账.xlsx",
            content=zip_bytes({"readme.txt": b"not a workbook"}),
        )
    assert "台账.xlsx" in error.value.message_dict["file"][0]


def test_it_refuses_a_file_over_the_size_limit(projects, settings):
    settings.YINLI_DOCUMENT_MAX_MB = 1
    big = pdf_bytes() + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError) as error:
        attach(projects, projects.jingkou_project, name="扫描件.pdf", content=big)
    message = error.value.message_dict["file"][0]
    assert "扫描件.pdf" in message and "1.0 MB" in message
    assert Document.objects.count() == 0


def test_a_file_at_the_size_limit_is_accepted(projects, settings):
    settings.YINLI_DOCUMENT_MAX_MB = 1
    exact = pdf_bytes()
    exact += b"0" * (1024 * 1024 - len(exact))
    assert attach(projects, projects.jingkou_project, content=exact).size == 1024 * 1024


def test_allowed_types_are_a_setting(projects, settings):
    settings.YINLI_DOCUMENT_TYPES = ["pdf"]
    with pytest.raises(ValidationError):
        attach(projects, projects.jingkou_project, name="照片.png", content=png_bytes())


def test_an_empty_file_is_refused(projects):
    with pytest.raises(ValidationError) as error:
        attach(projects, projects.jingkou_project, name="空.pdf", content=b"")
    assert "空.pdf" in error.value.message_dict["file"][0]


def test_a_district_cannot_attach_to_another_districts_project(projects):
    with pytest.raises(PermissionDeniedError):
        attach(projects, projects.jingkai_project)


def test_documents_attach_to_obstacles_and_instructions(projects):
    obstacle = services.obstacle_raise(
        user=projects.jingkou_editor,
        project=projects.jingkou_project,
        title="用地指标不足",
        category="land",
        department=department(),
        deadline=days(30),
    )
    on_obstacle = attach(projects, obstacle, name="用地预审意见.pdf")
    instruction = services.instruction_create(
        user=projects.analyst,
        text="请京口区加快推进。",
        issued_on=days(0),
        deadline=days(10),
        units=[projects.jingkou],
        leader_name="王市长",
        project=projects.jingkou_project,
    )
    on_instruction = attach(projects, instruction, name="批示扫描件.pdf", user=projects.analyst)
    assert list(selectors.documents_for(user=projects.jingkou_editor, owner=obstacle)) == [
        on_obstacle
    ]
    assert list(selectors.documents_for(user=projects.jingkou_editor, owner=instruction)) == [
        on_instruction
    ]
    assert not selectors.documents_for(user=projects.jingkai_editor, owner=obstacle).exists()


def test_the_owner_sees_and_downloads_it(projects, as_user):
    document = attach(projects, projects.jingkou_project)
    response = as_user(projects.jingkou_editor).get(
        reverse("supervision:document-download", args=[document.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("persona", ["jingkai_editor", "outsider", "team_member"])
def test_a_guessed_download_url_is_404_outside_the_scope(projects, as_user, persona):
    document = attach(projects, projects.jingkou_project)
    response = as_user(getattr(projects, persona)).get(
        reverse("supervision:document-download", args=[document.pk])
    )
    assert response.status_code == 404


def test_the_city_downloads_every_districts_document(projects, as_user):
    document = attach(projects, projects.jingkou_project)
    response = as_user(projects.analyst).get(
        reverse("supervision:document-download", args=[document.pk])
    )
    assert response.status_code == 200


def test_a_signed_out_visitor_is_sent_to_the_login(projects, client):
    document = attach(projects, projects.jingkou_project)
    response = client.get(reverse("supervision:document-download", args=[document.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_removed_document_is_soft_deleted_and_no_longer_served(projects, as_user, document_dir):
    document = attach(projects, projects.jingkou_project)
    client = as_user(projects.jingkou_editor)
    response = client.post(reverse("supervision:document-delete", args=[document.pk]))
    assert response.status_code == 302
    assert Document.all_objects.get(pk=document.pk).deleted_at is not None
    assert (document_dir / document.stored_name).exists()  # restorable
    response = client.get(reverse("supervision:document-download", args=[document.pk]))
    assert response.status_code == 404


def test_another_district_cannot_remove_it(projects, as_user):
    document = attach(projects, projects.jingkou_project)
    response = as_user(projects.jingkai_editor).post(
        reverse("supervision:document-delete", args=[document.pk])
    )
    assert response.status_code == 404
    assert Document.objects.filter(pk=document.pk).exists()


def test_the_upload_form_attaches_and_returns_to_the_page(projects, as_user):
    project = projects.jingkou_project
    page = reverse("projects:detail", args=[project.pk])
    client = as_user(projects.jingkou_editor)
    response = client.get(page)
    assert f'id="documents-project-{project.pk}"' in response.content.decode()
    url = response.content.decode().split('enctype="multipart/form-data" action="')[1].split('"')[0]
    response = client.post(
        url,
        {
            "file": upload("投资协议.pdf", pdf_bytes()),
            "title": "投资协议",
            "kind": "agreement",
            "next": page,
        },
    )
    assert response.status_code == 302 and response["Location"] == page
    document = Document.objects.get()
    assert document.kind == "agreement" and document.owner == project
    assert "投资协议" in client.get(page).content.decode()


def test_a_bad_upload_through_the_page_shows_the_chinese_error(projects, as_user):
    project = projects.jingkou_project
    page = reverse("projects:detail", args=[project.pk])
    client = as_user(projects.jingkou_editor)
    from django.contrib.contenttypes.models import ContentType

    url = reverse(
        "supervision:document-upload",
        args=[ContentType.objects.get_for_model(project).pk, project.pk],
    )
    response = client.post(
        url, {"file": upload("病毒.pdf", b"MZ" * 50), "kind": "other", "next": page}, follow=True
    )
    assert "病毒.pdf" in response.content.decode()
    assert Document.objects.count() == 0


def test_an_upload_to_a_guessed_owner_outside_the_scope_is_404(projects, as_user):
    from django.contrib.contenttypes.models import ContentType

    project = projects.jingkai_project
    url = reverse(
        "supervision:document-upload",
        args=[ContentType.objects.get_for_model(project).pk, project.pk],
    )
    response = as_user(projects.jingkou_editor).post(
        url, {"file": upload("a.pdf", pdf_bytes()), "kind": "other"}
    )
    assert response.status_code == 404
    assert Document.objects.count() == 0


def test_an_upload_to_a_record_that_takes_no_documents_is_404(projects, as_user):
    from django.contrib.contenttypes.models import ContentType

    url = reverse(
        "supervision:document-upload",
        args=[ContentType.objects.get_for_model(projects.admin).pk, projects.admin.pk],
    )
    response = as_user(projects.admin).post(
        url, {"file": upload("a.pdf", pdf_bytes()), "kind": "other"}
    )
    assert response.status_code == 404


def test_the_default_storage_is_a_folder_outside_the_public_urls(settings):
    from yinli.supervision.documents import document_storage

    assert str(settings.YINLI_DOCUMENT_DIR) not in (
        str(settings.STATIC_ROOT),
        str(settings.MEDIA_ROOT),
    )
    del settings.STORAGES["documents"]
    assert document_storage().location == str(settings.YINLI_DOCUMENT_DIR)
