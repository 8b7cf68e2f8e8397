"""`yinli backup` carries the uploaded documents' files with the rows that name them, and
`yinli restore` writes them back through the documents storage, on either engine."""

from __future__ import annotations

import zipfile

import pytest
from django.core.management import call_command

from yinli.core.backup import read_manifest
from yinli.supervision.models import Document
from yinli.supervision.services import document_delete

from .conftest import pdf_bytes, png_bytes
from .test_documents import attach

pytestmark = pytest.mark.django_db(transaction=True)


def _use_folder(settings, folder):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }


def test_backup_and_restore_carry_the_document_files(projects, document_dir, tmp_path, settings):
    kept = attach(projects, projects.jingkou_project, content=pdf_bytes("正式合同"))
    photo = attach(projects, projects.jingkou_project, name="现场.png", content=png_bytes())
    deleted = attach(projects, projects.jingkou_project, name="作废.pdf", content=pdf_bytes("作废"))
    document_delete(user=projects.jingkou_editor, document=Document.objects.get(pk=deleted.pk))

    path = tmp_path / "backup.zip"
    call_command("backup", str(path), verbosity=0)
    manifest = read_manifest(path)
    assert manifest.files["documents"]["files"] == 3  # the soft-deleted one can be restored
    assert manifest.files["documents"]["missing"] == []
    with zipfile.ZipFile(path) as archive:
        assert archive.read(f"files/documents/{kept.stored_name}") == pdf_bytes("正式合同")

    # A new machine: an empty document folder and a flushed database.
    elsewhere = tmp_path / "elsewhere"
    _use_folder(settings, elsewhere)
    call_command("flush", interactive=False, verbosity=0)
    call_command("restore", str(path), verbosity=0)

    assert Document._base_manager.count() == 3
    assert (elsewhere / kept.stored_name).read_bytes() == pdf_bytes("正式合同")
    assert (elsewhere / photo.stored_name).read_bytes() == png_bytes()
    assert (elsewhere / deleted.stored_name).read_bytes() == pdf_bytes("作废")


def test_a_missing_file_is_named_in_the_manifest(projects, document_dir, tmp_path):
    gone = attach(projects, projects.jingkou_project)
    (document_dir / gone.stored_name).unlink()
    path = tmp_path / "backup.zip"
    call_command("backup", str(path), verbosity=0)
    files = read_manifest(path).files["documents"]
    assert files["files"] == 0 and files["missing"] == [gone.stored_name]
