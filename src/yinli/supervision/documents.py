"""Where uploaded documents are kept and what may be uploaded.

The storage is the "documents" alias of settings.STORAGES (by default a FileSystemStorage under
YINLI_DOCUMENT_DIR, outside every public URL); a deployment with object storage names another
backend there. Files are stored under a generated name, never the one the user gave.

An upload is accepted when its extension is allowed (YINLI_DOCUMENT_TYPES) *and* its first bytes
are those of that type: a program renamed to .pdf is refused. Office files (docx, xlsx, ofd) are
zip packages, so the package's own parts are looked at too: an .xlsx must hold ``xl/``.
"""

from __future__ import annotations

import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, InvalidStorageError, Storage, storages
from django.utils import timezone
from django.utils.translation import gettext as _

STORAGE_ALIAS = "documents"

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old Word and Excel (.doc, .xls)
ZIP = b"PK\x03\x04"


@dataclass(frozen=True)
class FileType:
    mime: str
    magic: tuple[bytes, ...]
    zip_part: str = ""  # a path prefix the zip package must contain
    label: str = ""


FILE_TYPES: dict[str, FileType] = {
    "pdf": FileType("application/pdf", (b"%PDF-",), label="PDF"),
    "doc": FileType("application/msword", (OLE2,), label="Word"),
    "docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (ZIP,),
        "word/",
        "Word",
    ),
    "xls": FileType("application/vnd.ms-excel", (OLE2,), label="Excel"),
    "xlsx": FileType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (ZIP,),
        "xl/",
        "Excel",
    ),
    "ofd": FileType("application/ofd", (ZIP,), "OFD.xml", "OFD"),
    "jpg": FileType("image/jpeg", (b"\xff\xd8\xff",), label="JPEG"),
    "jpeg": FileType("image/jpeg", (b"\xff\xd8\xff",), label="JPEG"),
    "png": FileType("image/png", (b"\x89PNG\r\n\x1a\n",), label="PNG"),
}


def document_storage() -> Storage:
    """The storage documents are written to (looked up at each use, so settings can change)."""
    try:
        return storages[STORAGE_ALIAS]
    except InvalidStorageError:
        return FileSystemStorage(
            location=getattr(settings, "YINLI_DOCUMENT_DIR", settings.BASE_DIR / "var/documents")
        )


def max_bytes() -> int:
    return int(getattr(settings, "YINLI_DOCUMENT_MAX_MB", 20)) * 1024 * 1024


def allowed_extensions() -> list[str]:
    configured = getattr(settings, "YINLI_DOCUMENT_TYPES", None) or list(FILE_TYPES)
    return [ext.lower().lstrip(".") for ext in configured if ext.lower().lstrip(".") in FILE_TYPES]


def accept_attribute() -> str:
    """For <input type=file accept=…>: the browser offers only what the server will take."""
    return ",".join(f".{ext}" for ext in allowed_extensions())


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError({"file": ValidationError(message, code=code)})


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(size // 1024, 1)} KB"


def check_upload(upload) -> FileType:
    """The upload's type, or a ValidationError naming the file and what is wrong with it."""
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = allowed_extensions()
    if extension not in allowed:
        raise _refuse(
            _("“%(name)s”: files of this type cannot be attached. Allowed: %(allowed)s.")
            % {"name": name, "allowed": "、".join(allowed)},
            "type",
        )
    if upload.size == 0:
        raise _refuse(_("“%(name)s” is empty.") % {"name": name}, "empty")
    if upload.size > max_bytes():
        raise _refuse(
            _("“%(name)s” is %(size)s; a document may be at most %(limit)s.")
            % {"name": name, "size": _human_size(upload.size), "limit": _human_size(max_bytes())},
            "size",
        )
    file_type = FILE_TYPES[extension]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    genuine = any(head.startswith(magic) for magic in file_type.magic)
    if genuine and file_type.zip_part:
        try:
            with zipfile.ZipFile(upload) as package:
                genuine = any(n.startswith(file_type.zip_part) for n in package.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            genuine = False
        upload.seek(0)
    if not genuine:
        raise _refuse(
            _(
                "“%(name)s” is not really a %(kind)s file (its content does not match the "
                "extension .%(ext)s)."
            )
            % {"name": name, "kind": file_type.label, "ext": extension},
            "content",
        )
    return file_type


def stored_name_for(extension: str) -> str:
    """A generated name: year/month/random.ext (the user's file name stays in the record)."""
    now = timezone.localtime()
    return f"{now:%Y/%m}/{uuid.uuid4().hex}.{extension}"
