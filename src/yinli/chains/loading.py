"""Loading the shipped data: the GB/T 4754-2017 table and the chains (chains/data/).

Both run on post_migrate when their table is empty, so they must stay cheap: one bulk insert per
level, no per-row queries. Like the region table, the shipped chains are reference data: they are
written without change-history rows (a freshly migrated database holds no history, which is how
`yinli restore` tells it from one people worked in); every later edit is recorded.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Chain, ChainNode, IndustryClass, Segment

DATA = Path(__file__).resolve().parent / "data"
INDUSTRY_FILE = DATA / "industry_classes.csv"
CHAINS_FILE = DATA / "chains.json"


def load_industry_classes(path: Path = INDUSTRY_FILE) -> int:
    """Insert the industry classes that are not there yet; returns how many were added."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    existing = set(IndustryClass.objects.values_list("code", flat=True))
    added = 0
    # Parents first: sections, then divisions, groups, classes.
    for level in ("section", "division", "group", "class"):
        ids = dict(IndustryClass.objects.values_list("code", "id"))
        batch = [
            IndustryClass(
                code=row["code"],
                level=level,
                name=row["name"],
                parent_id=ids.get(row["parent"]) if row["parent"] else None,
            )
            for row in rows
            if row["level"] == level and row["code"] not in existing
        ]
        IndustryClass.objects.bulk_create(batch)
        added += len(batch)
    return added


def read_chains(path: Path = CHAINS_FILE) -> list[dict]:
    """The chains of a data file, checked: every node has a name, a known segment, and its codes
    exist in the industry table (when it is loaded)."""
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    chains = data["chains"] if isinstance(data, dict) else data
    known_codes = set(IndustryClass.objects.values_list("code", flat=True))
    for chain in chains:
        names = set()
        for number, node in enumerate(chain.get("nodes", []), start=1):
            where = _("chain “%(chain)s”, node %(number)s") % {
                "chain": chain.get("name", "?"),
                "number": number,
            }
            if not node.get("name"):
                raise ValidationError(_("%(where)s has no name.") % {"where": where})
            if node.get("segment") not in Segment.values:
                raise ValidationError(
                    _("%(where)s: unknown segment “%(value)s”.")
                    % {"where": where, "value": node.get("segment")}
                )
            for code in node.get("codes", []):
                if known_codes and code not in known_codes:
                    raise ValidationError(
                        _("%(where)s: industry code “%(value)s” is not in the GB/T 4754 table.")
                        % {"where": where, "value": code}
                    )
            if node.get("parent") and node["parent"] not in names:
                raise ValidationError(
                    _("%(where)s: its parent “%(value)s” must come before it.")
                    % {"where": where, "value": node["parent"]}
                )
            names.add(node["name"])
    return chains


@transaction.atomic
def load_chains(path: Path = CHAINS_FILE, *, replace: bool = False) -> dict[str, int]:
    """Load the chains of a data file. A chain whose name exists is skipped, unless `replace`,
    which soft-deletes the existing one (its nodes and placements stay in the history)."""
    from django.utils import timezone

    chains = read_chains(path)
    live = {c.name: c for c in Chain.objects.all()}
    if replace:
        now = timezone.now()
        doomed = [live[c["name"]].pk for c in chains if c["name"] in live]
        ChainNode.objects.filter(chain_id__in=doomed).update(deleted_at=now)
        Chain.objects.filter(pk__in=doomed).update(deleted_at=now)
        live = {name: c for name, c in live.items() if c.pk not in doomed}
    start = Chain.all_objects.count()
    new = [c for c in chains if c["name"] not in live]
    created = Chain.objects.bulk_create(
        [
            Chain(
                name=c["name"],
                description=c.get("description", ""),
                industries="\n".join(c.get("industries", [])),
                sort_order=start + i,
            )
            for i, c in enumerate(new)
        ]
    )
    chain_ids = {c.name: c.pk for c in created}
    if None in chain_ids.values():  # a backend without RETURNING on bulk inserts
        chain_ids = dict(Chain.objects.filter(name__in=chain_ids).values_list("name", "id"))
    nodes = 0
    # Two passes: nodes without a parent, then those with one (the data is two levels deep).
    for with_parent in (False, True):
        parents = {
            (chain_id, name): pk
            for chain_id, name, pk in ChainNode.objects.filter(
                chain_id__in=chain_ids.values()
            ).values_list("chain_id", "name", "id")
        }
        batch = []
        for c in new:
            chain_id = chain_ids[c["name"]]
            for order, node in enumerate(c.get("nodes", [])):
                if bool(node.get("parent")) != with_parent:
                    continue
                batch.append(
                    ChainNode(
                        chain_id=chain_id,
                        parent_id=parents.get((chain_id, node.get("parent"))),
                        name=node["name"],
                        segment=node["segment"],
                        keywords="\n".join(node.get("keywords", [])),
                        exclude_words="\n".join(node.get("exclude", [])),
                        industry_codes=" ".join(node.get("codes", [])),
                        sort_order=order,
                    )
                )
        ChainNode.objects.bulk_create(batch)
        nodes += len(batch)
    return {"chains": len(new), "nodes": nodes}
