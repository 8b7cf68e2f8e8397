"""Supervision test data on the personas' city: a project in each of 京口 and 经开区, documents
stored in a temporary folder, and small helpers to make real files."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests import factories
from yinli.supervision.models import Department


@pytest.fixture(autouse=True)
def document_dir(tmp_path, settings):
    """Documents go to a folder of the test's own, never var/documents."""
    folder = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


@pytest.fixture
def projects(city):
    city.jingkou_project = factories.project(
        city, district=city.jingkou, name="京口智能传感器产业园项目"
    )
    city.jingkai_project = factories.project(
        city, district=city.jingkai, name="经开区高端医疗器械项目"
    )
    return city


def department(code: str = "zrzy") -> Department:
    return Department.objects.get(code=code)


def today() -> date:
    return timezone.localdate()


def days(n: int) -> date:
    return today() + timedelta(days=n)


def pdf_bytes(text: str = "合同") -> bytes:
    return b"%PDF-1.4\n%" + text.encode() + b"\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def png_bytes() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "项目名称"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx_bytes() -> bytes:
    from docx import Document as WordDocument

    out = io.BytesIO()
    document = WordDocument()
    document.add_paragraph("投资协议")
    document.save(out)
    return out.getvalue()


def zip_bytes(names: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, content in names.items():
            package.writestr(name, content)
    return out.getvalue()


def upload(name: str, content: bytes, mime: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=mime)
