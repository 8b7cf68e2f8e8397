"""Uploaded ledgers waiting for their preview or commit, and the runner that works on them.

An upload lives in a private folder under the settings' var dir (``LEDGER_UPLOAD_DIR``, by
default ``var/ledger-uploads/<token>/``; never under static or media, so nothing serves it):

    <original file name>   the file as uploaded (the importer records its name and hash)
    meta.json              who uploaded it, for which district, the column mapping in effect
    status.json            what the runner is doing: state, rows done of total, the batch
    preview.json           the stored preview (or 入库 dry run), paginated by the pages

A small file is previewed and committed inside the request. A large one (more rows than
``LEDGER_INLINE_ROWS``) runs in a background thread; the thread writes its progress to
status.json (atomically: a temporary file then a rename) and the page polls it. Writes to the
database are serialised by a file lock, so two imports never write at the same time (on SQLite
only one writer can, and two imports would race to create the same project). A large commit on
SQLite is written in bulk mode — checked first, then written a chunk per transaction — so the
write lock is released between chunks and the rest of the site keeps working.

The folder goes away after the commit or a cancel; folders older than
``LEDGER_UPLOAD_MAX_AGE`` seconds (two days) are cleaned up on the next upload.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, connections
from django.utils import timezone, translation
from django.utils.translation import gettext as _

try:  # POSIX; elsewhere imports are not serialised across processes
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None

log = logging.getLogger(__name__)

TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
ACTIVE_STATES = ("queued", "running")
_PROGRESS_EVERY = 0.5  # seconds between two writes of status.json


def upload_root() -> Path:
    root = getattr(settings, "LEDGER_UPLOAD_DIR", None) or Path(settings.VAR_DIR) / "ledger-uploads"
    return Path(root)


def inline_rows() -> int:
    """Files with at most this many rows are previewed and committed inside the request."""
    return int(getattr(settings, "LEDGER_INLINE_ROWS", 2000))


def max_age() -> int:
    return int(getattr(settings, "LEDGER_UPLOAD_MAX_AGE", 2 * 24 * 3600))


def safe_file_name(name: str) -> str:
    """The uploaded file's own name, without folders or control characters, at most 150 long."""
    name = unicodedata.normalize("NFC", Path(str(name).replace("\\", "/")).name)
    name = "".join(c for c in name if c.isprintable() and c not in '/\\:*?"<>|').strip(" .")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    if name.lower() in {"meta.json", "status.json", "preview.json"}:
        stem = f"upload-{stem}"
    stem = stem[: 150 - len(suffix) - 1] or "ledger"
    return f"{stem}.{suffix.lower()}" if suffix else stem


def _write_json(path: Path, data: dict) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, cls=DjangoJSONEncoder, ensure_ascii=False)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _read_json(path: Path) -> dict | None:
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Upload:
    token: str
    folder: Path
    meta: dict

    @property
    def path(self) -> Path:
        return self.folder / self.meta["file_name"]

    @property
    def file_name(self) -> str:
        return self.meta["file_name"]

    @property
    def kind(self) -> str:
        return self.meta.get("kind", "projects")

    @property
    def user_id(self) -> int:
        return self.meta["user"]

    @property
    def district_id(self) -> int | None:
        return self.meta.get("district")

    @property
    def uploaded_at(self):
        from django.utils.dateparse import parse_datetime

        return parse_datetime(self.meta.get("uploaded", ""))

    @property
    def overrides(self) -> dict[str, str | None]:
        return dict(self.meta.get("overrides") or {})

    @property
    def decisions(self) -> dict:
        """The answers given on the preview to possible duplicates: row (as text) → answer."""
        return dict(self.meta.get("decisions") or {})

    def save_meta(self) -> None:
        _write_json(self.folder / "meta.json", self.meta)

    # -- status ---------------------------------------------------------------------------

    def status(self) -> dict:
        """The runner's status; a job whose process is gone is reported as failed."""
        status = _read_json(self.folder / "status.json") or {"state": "idle"}
        if status.get("state") in ACTIVE_STATES and not _alive(status.get("pid")):
            status["state"] = "failed"
            status["error"] = _(
                "The server stopped while working on this file; please upload it again."
            )
        return status

    def set_status(self, **values) -> dict:
        status = _read_json(self.folder / "status.json") or {}
        status.update(values, pid=os.getpid(), updated=timezone.now().isoformat())
        _write_json(self.folder / "status.json", status)
        return status

    def reset_status(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.folder / "status.json").unlink()

    @property
    def active(self) -> bool:
        return self.status().get("state") in ACTIVE_STATES

    # -- the stored preview ----------------------------------------------------------------

    def preview(self) -> dict | None:
        return _read_json(self.folder / "preview.json")

    def save_preview(self, data: dict) -> None:
        _write_json(self.folder / "preview.json", data)

    def forget_preview(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.folder / "preview.json").unlink()

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def create_upload(*, user, file, kind: str, district=None, extra: dict | None = None) -> Upload:
    """Keep an uploaded file in a new private folder and describe it in meta.json."""
    root = upload_root()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    clean_stale(root)
    token = uuid.uuid4().hex
    folder = root / token
    folder.mkdir(mode=0o700)
    name = safe_file_name(getattr(file, "name", "") or "ledger")
    with (folder / name).open("wb") as out:
        if hasattr(file, "chunks"):
            for chunk in file.chunks():
                out.write(chunk)
        else:
            shutil.copyfileobj(file, out, 1024 * 1024)
    upload = Upload(
        token=token,
        folder=folder,
        meta={
            "kind": kind,
            "user": user.pk,
            "district": district.pk if district is not None else None,
            "file_name": name,
            "uploaded": timezone.now().isoformat(),
            **(extra or {}),
        },
    )
    upload.save_meta()
    return upload


def get_upload(token: str, *, user, kind: str | None = None) -> Upload | None:
    """The upload if it exists and belongs to ``user`` (else None: another's upload is a 404)."""
    if not TOKEN_RE.match(token or ""):
        return None
    folder = upload_root() / token
    meta = _read_json(folder / "meta.json")
    if meta is None or meta.get("user") != user.pk:
        return None
    if kind is not None and meta.get("kind") != kind:
        return None
    return Upload(token=token, folder=folder, meta=meta)


def uploads_of(user, *, kind: str = "projects") -> list[Upload]:
    """The user's uploads still waiting (newest first)."""
    root = upload_root()
    if not root.is_dir():
        return []
    found = []
    for folder in root.iterdir():
        if not TOKEN_RE.match(folder.name):
            continue
        meta = _read_json(folder / "meta.json")
        if meta and meta.get("user") == user.pk and meta.get("kind") == kind:
            found.append(Upload(token=folder.name, folder=folder, meta=meta))
    found.sort(key=lambda u: u.meta.get("uploaded", ""), reverse=True)
    return found


def clean_stale(root: Path | None = None) -> int:
    """Remove the folders of uploads older than the maximum age that nothing works on."""
    root = root or upload_root()
    if not root.is_dir():
        return 0
    limit = time.time() - max_age()
    removed = 0
    for folder in root.iterdir():
        if not TOKEN_RE.match(folder.name):
            continue
        try:
            if folder.stat().st_mtime >= limit:
                continue
        except FileNotFoundError:
            continue
        upload = Upload(token=folder.name, folder=folder, meta={})
        if upload.active:
            continue
        upload.remove()
        removed += 1
    return removed


# -- one import writes at a time ----------------------------------------------------------


@contextlib.contextmanager
def write_lock(*, wait: bool = True) -> Iterator[bool]:
    """Holds the lock that serialises import writes; yields False when ``wait`` is off and
    another import holds it."""
    root = upload_root()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    with (root / ".write.lock").open("a") as handle:
        if fcntl is None:  # pragma: no cover
            yield True
            return
        flags = fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB
        try:
            fcntl.flock(handle, flags)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Progress:
    """The importer's progress callback: rows done of the expected rows, written to
    status.json at most twice a second. A pass that starts again from zero is the next phase
    (bulk mode checks every row, then writes)."""

    def __init__(self, upload: Upload, *, expected: int | None, phases: list[str]):
        self.upload = upload
        self.expected = expected
        self.phases = phases
        self.phase = 0
        self.last_done = 0
        self.last_write = 0.0

    def __call__(self, done: int, total: int | None) -> None:
        if done < self.last_done and self.phase + 1 < len(self.phases):
            self.phase += 1
        self.last_done = done
        now = time.monotonic()
        if now - self.last_write < _PROGRESS_EVERY:
            return
        self.last_write = now
        self.upload.set_status(
            state="running",
            phase=self.phases[self.phase],
            step=self.phase,
            steps=len(self.phases),
            done=done,
            total=self.expected or total,
        )


def claim(upload: Upload, *, action: str, total: int | None) -> bool:
    """Mark the upload as taken by a job; False when a job already works on it."""
    lock = upload.folder / ".job.lock"
    try:
        handle = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        if upload.active:
            return False
        # A stale claim (its process is gone): take it over.
    else:
        os.close(handle)
    upload.set_status(
        state="queued", action=action, phase="", done=0, total=total, error="", batch=None
    )
    return True


def release(upload: Upload) -> None:
    with contextlib.suppress(FileNotFoundError):
        (upload.folder / ".job.lock").unlink()


def error_text(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    return str(exc) or exc.__class__.__name__


def run(
    upload: Upload,
    work: Callable[[Upload], dict],
    *,
    background: bool,
    lock_writes: bool,
) -> dict:
    """Run ``work(upload)`` (which returns the status to record when done) now or in a thread.

    The status goes through queued → running → done (or failed, with the error in Chinese).
    """
    language = translation.get_language()

    def execute() -> dict:
        try:
            with translation.override(language):
                if lock_writes:
                    with write_lock():
                        upload.set_status(state="running")
                        result = work(upload)
                else:
                    upload.set_status(state="running")
                    result = work(upload)
            return upload.set_status(state="done", **result)
        except Exception as exc:
            if not isinstance(exc, ValidationError):
                log.exception("ledger job %s failed", upload.token)
            with translation.override(language):
                return upload.set_status(state="failed", error=error_text(exc))
        finally:
            release(upload)

    if not background:
        return execute()

    def in_thread() -> None:
        try:
            execute()
        finally:
            connections.close_all()

    thread = threading.Thread(target=in_thread, name=f"ledger-{upload.token[:8]}", daemon=True)
    thread.start()
    upload.thread = thread  # type: ignore[attr-defined]  # tests join it
    return upload.status()


def use_bulk(rows: int) -> bool:
    """Bulk mode (a transaction per chunk) for a large commit on SQLite: its single writer
    would otherwise hold the lock for the whole import."""
    return connection.vendor == "sqlite" and rows > inline_rows()
