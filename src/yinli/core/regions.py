"""Regions in the database: loading the reference table and resolving free text to a Region."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from .models import Region, RegionGroup


@transaction.atomic
def load_regions(records: Iterable[dict] | None = None) -> int:
    """Insert or update the region table from the reference data (idempotent).

    Parents come before children in the records; province and city pointers are derived here.
    """
    from . import regiondata

    records = list(regiondata.iter_region_records() if records is None else records)
    existing = {r.code: r for r in Region.objects.all()}
    fields = [
        "kind",
        "name",
        "short_name",
        "country",
        "lng",
        "lat",
        "valid_from",
        "valid_to",
        "former_names",
        "aliases",
    ]
    to_create, to_update = [], []
    for rec in records:
        region = existing.get(rec["code"])
        values = {f: rec.get(f) if rec.get(f) is not None else "" for f in fields}
        for f in ("lng", "lat", "valid_from", "valid_to"):
            values[f] = rec.get(f) or None
        if region is None:
            region = Region(code=rec["code"], **values)
            to_create.append(region)
            existing[rec["code"]] = region
        else:
            changed = False
            for f, v in values.items():
                if getattr(region, f) != v:
                    setattr(region, f, v)
                    changed = True
            if changed:
                to_update.append(region)
    Region.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        Region.objects.bulk_update(to_update, fields, batch_size=500)
    # Now every row has a primary key: link parents, provinces and cities.
    by_code = {r.code: r for r in Region.objects.all()}
    parent_of = {rec["code"]: rec.get("parent_code") or None for rec in records}
    linked = []
    for code, region in by_code.items():
        parent_code = parent_of.get(code, region.parent.code if region.parent_id else None)
        parent = by_code.get(parent_code) if parent_code else None
        chain = [region]
        while chain[-1] is not None and len(chain) < 6:
            up = parent_of.get(chain[-1].code)
            chain.append(by_code.get(up) if up else None)
        province = next((r for r in chain if r is not None and r.kind == "province"), None)
        city = next((r for r in chain if r is not None and r.kind == "city"), None)
        new = (
            parent.pk if parent else None,
            province.pk if province else None,
            city.pk if city else None,
        )
        if (region.parent_id, region.province_id, region.city_id) != new:
            region.parent_id, region.province_id, region.city_id = new
            linked.append(region)
    if linked:
        # One plain UPDATE per row: bulk_update's CASE expressions cost seconds here, and this
        # runs after every flush of a transactional test.
        table = connection.ops.quote_name(Region._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET parent_id = %s, province_id = %s, city_id = %s WHERE id = %s",
                [(r.parent_id, r.province_id, r.city_id, r.pk) for r in linked],
            )
    return len(to_create)


@transaction.atomic
def load_region_groups(groups: Iterable[dict] | None = None) -> int:
    """Create the default region groups (粤港澳大湾区, 长三角, 京津冀, 成渝) if they are missing.

    An admin may have edited a group; an existing group is left as it is.
    """
    from . import regiondata

    groups = list(regiondata.read_region_groups() if groups is None else groups)
    created = 0
    for order, spec in enumerate(groups):
        group, was_created = RegionGroup.objects.get_or_create(
            name=spec["name"],
            defaults={
                "short_name": spec.get("short_name", ""),
                "note": spec.get("note", ""),
                "sort_order": order,
            },
        )
        if was_created:
            group.members.set(Region.objects.filter(code__in=spec["members"]))
            created += 1
    return created


def region_by_code(code: str) -> Region | None:
    return Region.objects.filter(code=code).first()


def resolve_region(text: str, *, within: str | None = None):
    """Free text → (Region | None, LookupResult). The result's message explains a failure."""
    from .regionlookup import default_index

    result = default_index().lookup(text, within=within) if within else default_index().lookup(text)
    region = region_by_code(result.code) if result.code else None
    return region, result
