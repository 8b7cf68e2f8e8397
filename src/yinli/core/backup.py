"""Whole-database backup and restore (`yinli backup PATH`, `yinli restore PATH`).

A backup is one zip file:

    manifest.json             format version, Yinli and Django versions, the engine it came from,
                              the date, the applied migrations, and per model: its file and row count
    data/<app>.<model>.jsonl  one JSON object per row ({"pk": …, "fields": {…}}), in primary-key
                              order, written by Django's "python" serializer (natural keys off)
    files/<alias>/<name>      the stored files the rows refer to (uploaded documents), read and
                              written back through the storage alias of settings.STORAGES, so a
                              backup taken from a folder restores into object storage and back

Every concrete model is written through its base manager, so soft-deleted rows are kept, and so
are the change-history rows (simple_history) and the many-to-many link tables, which are written
as rows of their own. Left out are the tables `migrate` derives (content types, permissions) and
the sessions. Foreign keys to content types and permissions are written as the source database's
ids and translated, on restore, through the natural keys the manifest records, so that a backup
restores into a freshly migrated database of either engine (SQLite or PostgreSQL).

Both directions stream model by model in chunks, so a database of a few hundred thousand rows
never sits in memory at once. A restore runs in one transaction: it empties the tables, loads
every model, checks the foreign keys, resets the PostgreSQL sequences and compares the row
counts with the manifest; on any failure nothing is changed.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

import django
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.python import Serializer as PythonSerializer
from django.db import DEFAULT_DB_ALIAS, connections, models, router, transaction
from django.db.migrations.recorder import MigrationRecorder
from simple_history.models import HistoricalChanges

FORMAT = "yinli-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 2000

# Tables that `migrate` fills by itself, and state not worth keeping.
EXCLUDED = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
# Rows in these mean someone has worked in the database (see `has_user_data`).
LEDGER_MODELS = ("companies.company", "projects.project")

Progress = Callable[[str], None]

# Storage alias → a function giving the stored names the database refers to (rows of every state,
# soft-deleted ones included: they can be restored). Apps register theirs in AppConfig.ready().
FileNames = Callable[[str], Iterable[str]]
_FILE_SETS: dict[str, FileNames] = {}


def register_files(alias: str, names: FileNames) -> None:
    """Let backups carry the files of storage `alias` whose names `names(using)` yields."""
    _FILE_SETS[alias] = names


def _storage(alias: str):
    from django.core.files.storage import storages

    return storages[alias]


class BackupError(Exception):
    """A backup cannot be written or restored; the message says why, in Chinese."""


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def yinli_version() -> str:
    try:
        return metadata.version("yinli")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


# --- which models, in which order -------------------------------------------------------------


def backup_models(using: str = DEFAULT_DB_ALIAS) -> list[type[models.Model]]:
    """Every model whose rows a backup holds, link tables included, in a loadable order.

    A model whose table does not exist (its migration not applied yet) holds no rows: skipped.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
    chosen = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.swapped:
            continue
        if meta.label_lower in EXCLUDED:
            continue
        if not router.allow_migrate_model(using, model):
            continue
        if connection.introspection.identifier_converter(meta.db_table) not in existing:
            continue
        chosen.append(model)
    return _dependency_order(chosen)


def _dependency_order(chosen: list[type[models.Model]]) -> list[type[models.Model]]:
    """Referenced models before the models that point at them (cycles broken in list order).

    Foreign keys are deferred within the restore transaction on both engines, so this order is
    for readability and for engines that check early; correctness does not depend on it.
    """
    remaining = list(chosen)
    placed: list[type[models.Model]] = []
    placed_set: set = set()
    while remaining:
        for model in remaining:
            targets = {
                f.related_model._meta.concrete_model
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model is not None
            }
            targets.discard(model)
            if all(t in placed_set or t not in chosen for t in targets):
                break
        else:
            model = remaining[0]
        remaining.remove(model)
        placed.append(model)
        placed_set.add(model)
    return placed


def _translated_fields(model: type[models.Model]) -> dict[str, type[models.Model]]:
    """Foreign keys of `model` that point at content types or permissions (ids differ per DB)."""
    return {
        f.name: f.related_model
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model in (ContentType, Permission)
    }


# --- encoding ---------------------------------------------------------------------------------


class _RowSerializer(PythonSerializer):
    """Django's python serializer, without many-to-many lists: link tables are rows of their own."""

    def handle_m2m_field(self, obj, field):
        return None


class _Encoder(json.JSONEncoder):
    """Lossless JSON for the values Django's python serializer leaves as they are.

    (DjangoJSONEncoder cuts datetimes to milliseconds, which would not round-trip.)
    """

    def default(self, o):
        if isinstance(o, dt.datetime | dt.date | dt.time):
            return o.isoformat()
        if isinstance(o, Decimal):
            return str(o)
        return str(o)


def _encode(row: dict) -> str:
    row.pop("model", None)
    return json.dumps(row, cls=_Encoder, ensure_ascii=False, separators=(",", ":"))


# --- backup -----------------------------------------------------------------------------------


@dataclass
class ModelDump:
    model: str
    file: str
    rows: int


@dataclass
class Manifest:
    format: str
    format_version: int
    yinli_version: str
    django_version: str
    engine: str
    created_at: str
    home_region: str
    migrations: dict[str, list[str]]
    models: list[ModelDump]
    contenttypes: dict[str, list[str]] = field(default_factory=dict)
    permissions: dict[str, list[str]] = field(default_factory=dict)
    # alias → {"files": count, "bytes": total, "missing": [names the rows refer to but not found]}
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(m.rows for m in self.models)

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "format_version": self.format_version,
            "yinli_version": self.yinli_version,
            "django_version": self.django_version,
            "engine": self.engine,
            "created_at": self.created_at,
            "home_region": self.home_region,
            "total_rows": self.total_rows,
            "migrations": self.migrations,
            "models": [m.__dict__ for m in self.models],
            "contenttypes": self.contenttypes,
            "permissions": self.permissions,
            "files": self.files,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        if data.get("format") != FORMAT:
            raise BackupError("这不是引力（Yinli）的备份文件：manifest.json 的 format 不对。")
        if data.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"备份文件格式版本为 {data.get('format_version')}，本版本只能读取格式 {FORMAT_VERSION}。"
            )
        return cls(
            format=data["format"],
            format_version=data["format_version"],
            yinli_version=data.get("yinli_version", ""),
            django_version=data.get("django_version", ""),
            engine=data.get("engine", ""),
            created_at=data.get("created_at", ""),
            home_region=data.get("home_region", ""),
            migrations=data.get("migrations", {}),
            models=[ModelDump(**m) for m in data["models"]],
            contenttypes=data.get("contenttypes", {}),
            permissions=data.get("permissions", {}),
            files=data.get("files", {}),
        )


def _applied_migrations(using: str) -> dict[str, list[str]]:
    recorder = MigrationRecorder(connections[using])
    applied: dict[str, list[str]] = {}
    for app, name in sorted(recorder.applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _iter_rows(model: type[models.Model], using: str) -> Iterator[dict]:
    queryset = model._base_manager.using(using).order_by("pk")
    serializer = _RowSerializer()
    chunk: list[models.Model] = []
    for obj in queryset.iterator(chunk_size=CHUNK):
        chunk.append(obj)
        if len(chunk) >= CHUNK:
            yield from serializer.serialize(chunk)
            chunk = []
    if chunk:
        yield from serializer.serialize(chunk)


def write_backup(
    path: str | os.PathLike, *, using: str = DEFAULT_DB_ALIAS, progress: Progress | None = _stderr
) -> Manifest:
    """Write the whole database `using` to the zip file `path` (replaced only once complete)."""
    say = progress or (lambda _m: None)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    connection = connections[using]
    model_list = backup_models(using)
    fd, tmp_name = tempfile.mkstemp(prefix=".yinli-backup-", suffix=".zip", dir=target.parent)
    os.close(fd)
    try:
        # One snapshot for every table: a transaction (REPEATABLE READ on PostgreSQL).
        with transaction.atomic(using=using):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            dumps: list[ModelDump] = []
            with zipfile.ZipFile(tmp_name, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for model in model_list:
                    label = model._meta.label_lower
                    name = f"data/{label}.jsonl"
                    rows = 0
                    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
                    info.compress_type = zipfile.ZIP_DEFLATED
                    with archive.open(info, "w", force_zip64=True) as raw:
                        out = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
                        for row in _iter_rows(model, using):
                            out.write(_encode(row))
                            out.write("\n")
                            rows += 1
                        out.flush()
                        out.detach()
                    dumps.append(ModelDump(model=label, file=name, rows=rows))
                    if rows:
                        say(f"备份 {label}: {rows} 行")
                files = _write_files(archive, using=using, say=say)
                manifest = Manifest(
                    format=FORMAT,
                    format_version=FORMAT_VERSION,
                    yinli_version=yinli_version(),
                    django_version=django.get_version(),
                    engine=connection.vendor,
                    created_at=dt.datetime.now(dt.UTC).isoformat(),
                    home_region=getattr(settings, "HOME_REGION", ""),
                    migrations=_applied_migrations(using),
                    models=dumps,
                    contenttypes={
                        str(ct.pk): [ct.app_label, ct.model]
                        for ct in ContentType.objects.using(using).order_by("pk")
                    },
                    permissions={
                        str(p.pk): [
                            p.content_type.app_label,
                            p.content_type.model,
                            p.codename,
                            p.name,
                        ]
                        for p in Permission.objects.using(using)
                        .select_related("content_type")
                        .order_by("pk")
                    },
                    files=files,
                )
                archive.writestr(
                    MANIFEST, json.dumps(manifest.as_dict(), ensure_ascii=False, indent=2)
                )
        os.chmod(tmp_name, 0o600)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    stored = sum(f["files"] for f in manifest.files.values())
    say(f"备份完成：{target}，共 {manifest.total_rows} 行，{len(dumps)} 个表，{stored} 个文件")
    return manifest


def _write_files(archive: zipfile.ZipFile, *, using: str, say: Progress) -> dict[str, dict]:
    """Copy every registered stored file into the archive under files/<alias>/<name>."""
    summary: dict[str, dict] = {}
    for alias, names in sorted(_FILE_SETS.items()):
        storage = _storage(alias)
        count = total = 0
        missing: list[str] = []
        for name in sorted(set(names(using))):
            if not name:
                continue
            try:
                source = storage.open(name, "rb")
            except (FileNotFoundError, OSError):
                missing.append(name)
                continue
            info = zipfile.ZipInfo(f"files/{alias}/{name}", date_time=time.localtime()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            with source, archive.open(info, "w", force_zip64=True) as out:
                while block := source.read(1 << 20):
                    out.write(block)
                    total += len(block)
            count += 1
        summary[alias] = {"files": count, "bytes": total, "missing": missing}
        if count or missing:
            say(f"备份文件 {alias}: {count} 个，{total} 字节")
        for name in missing:
            say(f"  警告：记录引用的文件 {alias}/{name} 在存储中找不到，未能备份")
    return summary


def _restore_files(
    archive: zipfile.ZipFile, manifest: Manifest, *, say: Progress
) -> dict[str, int]:
    """Write the archive's files/<alias>/… back into each storage; an existing identical file
    is left alone. Returns the count written per alias."""
    written: dict[str, int] = {}
    prefix = "files/"
    entries: dict[str, list[zipfile.ZipInfo]] = {}
    for info in archive.infolist():
        if info.filename.startswith(prefix) and not info.is_dir():
            alias, _, name = info.filename[len(prefix) :].partition("/")
            entries.setdefault(alias, []).append(info)
    for alias, infos in sorted(entries.items()):
        try:
            storage = _storage(alias)
        except Exception as exc:  # InvalidStorageError: the alias is not configured here
            raise BackupError(
                f"备份中有 {len(infos)} 个文件属于存储“{alias}”，但本系统的 STORAGES 未配置它（{exc}）。"
            ) from None
        count = 0
        for info in infos:
            name = info.filename[len(prefix) + len(alias) + 1 :]
            if ".." in Path(name).parts or name.startswith("/"):
                raise BackupError(f"备份中的文件名不安全，拒绝恢复：{info.filename}")
            if storage.exists(name):
                if storage.size(name) == info.file_size:
                    continue
                storage.delete(name)
            with archive.open(info) as source:
                saved = storage.save(name, source)
            if saved != name:
                raise BackupError(f"文件 {alias}/{name} 无法按原名写回存储（存为 {saved}）。")
            count += 1
        written[alias] = count
        say(f"恢复文件 {alias}: 写回 {count} 个，已有 {len(infos) - count} 个")
    return written


# --- restore ----------------------------------------------------------------------------------


def read_manifest(path: str | os.PathLike) -> Manifest:
    try:
        with zipfile.ZipFile(path) as archive:
            return Manifest.from_dict(json.loads(archive.read(MANIFEST)))
    except FileNotFoundError:
        raise BackupError(f"找不到备份文件：{path}") from None
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path} 不是有效的引力备份文件（{exc}）。") from None


def has_user_data(using: str = DEFAULT_DB_ALIAS) -> bool:
    """True when someone has worked in the database: users, ledger records or change history.

    A freshly migrated database holds only reference data (regions, region groups, channels,
    content types, permissions), which a restore replaces without asking.
    """
    if get_user_model()._base_manager.using(using).exists():
        return True
    for model in apps.get_models():
        historical = issubclass(model, HistoricalChanges)
        if historical or model._meta.label_lower in LEDGER_MODELS:
            if model._base_manager.using(using).exists():
                return True
    return False


def _target_ids(manifest: Manifest, using: str) -> dict[type[models.Model], dict[Any, int]]:
    """Source-database ids of content types and permissions → this database's ids."""
    ct_map: dict[Any, int] = {}
    by_key = {(ct.app_label, ct.model): ct for ct in ContentType.objects.using(using)}
    for pk, (app_label, model) in manifest.contenttypes.items():
        ct = by_key.get((app_label, model))
        if ct is None:
            ct = ContentType.objects.using(using).create(app_label=app_label, model=model)
            by_key[(app_label, model)] = ct
        ct_map[int(pk)] = ct.pk
    perm_map: dict[Any, int] = {}
    perms = {
        (p.content_type.app_label, p.content_type.model, p.codename): p.pk
        for p in Permission.objects.using(using).select_related("content_type")
    }
    for pk, (app_label, model, codename, name) in manifest.permissions.items():
        key = (app_label, model, codename)
        if key not in perms:
            ct = by_key.get((app_label, model))
            if ct is None:
                ct = ContentType.objects.using(using).create(app_label=app_label, model=model)
                by_key[(app_label, model)] = ct
            perms[key] = (
                Permission.objects.using(using)
                .create(content_type=ct, codename=codename, name=name)
                .pk
            )
        perm_map[int(pk)] = perms[key]
    return {ContentType: ct_map, Permission: perm_map}


def _iter_file(archive: zipfile.ZipFile, name: str) -> Iterator[dict]:
    with archive.open(name) as raw:
        for line in io.TextIOWrapper(raw, encoding="utf-8"):
            if line.strip():
                yield json.loads(line)


def _chunks(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _clear_tables(using: str, *, keep: Iterable[str]) -> None:
    """Empty every Django table except `keep` (without post_migrate, unlike `flush`)."""
    connection = connections[using]
    kept = set(keep)
    tables = [
        t
        for t in connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
        if t not in kept
    ]
    statements = connection.ops.sql_flush(
        no_style(), tables, reset_sequences=True, allow_cascade=False
    )
    connection.ops.execute_sql_flush(statements)


def _load_model(
    archive: zipfile.ZipFile,
    entry: ModelDump,
    model: type[models.Model],
    *,
    using: str,
    id_maps: dict[type[models.Model], dict[Any, int]],
    say: Progress,
) -> int:
    translate = _translated_fields(model)
    queryset = model._base_manager.db_manager(using).all()
    # Only this model's own table (a multi-table child's parents are rows of their own), in raw
    # mode like loaddata: no save(), no signals, auto_now fields keep the values of the backup.
    columns = list(model._meta.local_concrete_fields)
    batch = max(1, min(500, connections[using].ops.bulk_batch_size(columns, [None] * 500)))
    loaded = 0
    for chunk in _chunks(_iter_file(archive, entry.file), CHUNK):
        for row in chunk:
            row["model"] = entry.model
            values = row["fields"]
            for name, related in translate.items():
                value = values.get(name)
                if value is not None:
                    try:
                        values[name] = id_maps[related][value]
                    except KeyError:
                        raise BackupError(
                            f"{entry.model} 第 {row.get('pk')} 行引用了备份清单中没有的"
                            f" {related._meta.verbose_name} {value}。"
                        ) from None
        objects = [d.object for d in serializers.deserialize("python", chunk, using=using)]
        for start in range(0, len(objects), batch):
            queryset._insert(objects[start : start + batch], fields=columns, raw=True, using=using)
        loaded += len(chunk)
        if entry.rows >= 50 * CHUNK and loaded % (25 * CHUNK) == 0:
            say(f"  {entry.model}: {loaded}/{entry.rows}")
    return loaded


def restore_backup(
    path: str | os.PathLike,
    *,
    using: str = DEFAULT_DB_ALIAS,
    force: bool = False,
    progress: Progress | None = _stderr,
) -> Manifest:
    """Replace the contents of database `using` with the backup at `path`.

    Refuses a database someone has worked in (`has_user_data`) unless `force`. Everything runs
    in one transaction and is checked (foreign keys, row counts) before it is committed.
    """
    say = progress or (lambda _m: None)
    manifest = read_manifest(path)
    connection = connections[using]
    model_for: dict[str, type[models.Model]] = {}
    for entry in manifest.models:
        try:
            model_for[entry.model] = apps.get_model(entry.model)
        except LookupError:
            if entry.rows:
                raise BackupError(
                    f"备份中有 {entry.model} 的 {entry.rows} 行数据，但当前版本的引力没有这个模型；"
                    f"请用备份时的版本（{manifest.yinli_version}）恢复。"
                ) from None
    if not force and has_user_data(using):
        raise BackupError(
            "目标数据库已有数据（用户、企业、项目或变更记录）。恢复会清空它；确认无误请加 --force。"
        )
    here = _applied_migrations(using)
    if here != manifest.migrations:
        missing = sorted(
            f"{app}.{name}"
            for app, names in manifest.migrations.items()
            for name in names
            if name not in here.get(app, [])
        )
        if missing:
            raise BackupError(
                "备份来自更新的数据库结构，当前数据库缺少这些迁移："
                + ", ".join(missing[:10])
                + "。请先升级引力并执行 yinli migrate。"
            )
        say("提示：当前数据库结构比备份新（有更多迁移）；新增字段取默认值。")
    say(
        f"恢复 {path}：来自 {manifest.engine}，{manifest.created_at}，"
        f"引力 {manifest.yinli_version}，共 {manifest.total_rows} 行"
    )
    kept_tables = {ContentType._meta.db_table, Permission._meta.db_table}
    with zipfile.ZipFile(path) as archive, transaction.atomic(using=using):
        _clear_tables(using, keep=kept_tables)
        id_maps = _target_ids(manifest, using)
        loaded_models = []
        with connection.constraint_checks_disabled():
            for entry in manifest.models:
                model = model_for.get(entry.model)
                if model is None:
                    continue
                rows = _load_model(archive, entry, model, using=using, id_maps=id_maps, say=say)
                loaded_models.append(model)
                if rows:
                    say(f"恢复 {entry.model}: {rows} 行")
        connection.check_constraints(table_names=[m._meta.db_table for m in loaded_models])
        reset = connection.ops.sequence_reset_sql(no_style(), loaded_models)
        if reset:
            with connection.cursor() as cursor:
                for statement in reset:
                    cursor.execute(statement)
        mismatches = []
        for entry in manifest.models:
            model = model_for.get(entry.model)
            if model is None:
                continue
            count = model._base_manager.using(using).count()
            if count != entry.rows:
                mismatches.append(f"{entry.model}: 备份 {entry.rows} 行，恢复后 {count} 行")
        if mismatches:
            raise BackupError("恢复后的行数与备份清单不符，已回滚：" + "；".join(mismatches))
        # Inside the transaction: a file that cannot be written rolls the rows back too (a file
        # written before that stays, unreferenced and harmless).
        _restore_files(archive, manifest, say=say)
    say(f"恢复完成：{manifest.total_rows} 行，行数与备份清单一致")
    return manifest
