"""Free-text region lookup without the database.

    >>> index = default_index()
    >>> index.lookup("广东省深圳市南山区科技园").code
    '440305'

The text is read from the left as a chain of region names — each one inside the one
before it (中国 › 广东省 › 深圳市 › 南山区, or 韩国 › 首尔) — preferring the longest names, as
long as that lets the chain reach furthest into the text (济南市中区 is 济南 › 市中区). Full names, everyday short names (镇江, 京口), former names
(滦县), aliases (汉城, 恩施州) and country names are all known. The chain stops at the
first place where no name fits; what follows (科技园, 工业园区) is ignored and
``LookupResult.matched`` shows the part that was used.

When the last name fits several regions, the choice is narrowed in this order:

1. a region whose ancestor is also a candidate gives way to it (上海 is the province
   310000, not its city-level unit 310100; 乌鲁木齐 is the city, not 乌鲁木齐县);
2. current regions before abolished ones;
3. a full name or alias before a short name, before a former name;
4. a single province-level region or country before anything smaller (海南 → 海南省);
5. with ``within=``, the single candidate inside that region (the home city, say); if
   several are inside it, only those are offered.

If more than one is left the result is ``ambiguous`` with the candidates listed.

The index is built once (dicts keyed by the normalised name); a lookup makes a few dozen
dict probes and never scans the table.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Literal

Status = Literal["ok", "ambiguous", "not_found"]

# match kinds, best first
_FULL, _SHORT, _FORMER = 0, 1, 2
_TOP_KINDS = ("province", "country")
_FOREIGN_KINDS = ("country", "foreign_city")
_DROP_CHARS = frozenset("·・•,，.。、;；:：-_—–/\\|()（）[]【】<>《》'\"“”‘’!?！？")
_DROP = re.compile("[" + re.escape("".join(sorted(_DROP_CHARS))) + r"\s]+")


def _(message: str) -> str:
    """Translate with Django when it is set up; otherwise return the (English) msgid."""
    try:
        from django.conf import settings

        if settings.configured:
            from django.utils.translation import gettext

            return gettext(message)
    except Exception:  # settings broken or app registry not ready: fall back
        pass
    return message


def _p(context: str, message: str) -> str:
    try:
        from django.conf import settings

        if settings.configured:
            from django.utils.translation import pgettext

            return pgettext(context, message)
    except Exception:
        pass
    return message


def normalize(text: str) -> str:
    """Full-width to half-width, case-folded, without whitespace and punctuation."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text)).casefold()


def _normalize_with_map(text: str) -> tuple[str, list[int]]:
    """``normalize`` plus, for each output character, the index of its source character."""
    nfkc = unicodedata.normalize("NFKC", text)
    if len(nfkc) != len(text):  # rare: a character expanded; go one by one
        out: list[str] = []
        where: list[int] = []
        for i, ch in enumerate(text):
            n = normalize(ch)
            out.append(n)
            where.extend([i] * len(n))
        return "".join(out), where
    keep = [i for i, ch in enumerate(nfkc) if ch not in _DROP_CHARS and not ch.isspace()]
    folded = [nfkc[i].casefold() for i in keep]
    if all(len(f) == 1 for f in folded):
        return "".join(folded), keep
    where = [i for i, f in zip(keep, folded, strict=True) for _ in f]
    return "".join(folded), where


@dataclass(frozen=True)
class LookupResult:
    code: str | None
    status: Status
    candidates: list[str] = field(default_factory=list)
    matched: str = ""
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True, slots=True)
class _Region:
    code: str
    kind: str
    name: str
    parent_code: str | None
    country: str
    current: bool


class RegionIndex:
    """An in-memory index of region names; build it with :meth:`from_records`."""

    def __init__(self) -> None:
        self._regions: dict[str, _Region] = {}
        self._ancestors: dict[str, frozenset[str]] = {}
        self._names: dict[str, dict[str, int]] = {}
        self._max_len: dict[str, int] = {}  # longest name starting with each character

    # -- building ----------------------------------------------------------------------
    @classmethod
    def from_records(cls, records: Iterable[Mapping], *, today: date | None = None) -> RegionIndex:
        """Build from dicts shaped like :func:`yinli.core.regiondata.iter_region_records`."""
        today = today or date.today()
        index = cls()
        rows = list(records)
        for r in rows:
            valid_to = r.get("valid_to")
            if isinstance(valid_to, str):
                valid_to = date.fromisoformat(valid_to) if valid_to else None
            index._regions[r["code"]] = _Region(
                code=r["code"],
                kind=r["kind"],
                name=r["name"],
                parent_code=r.get("parent_code") or None,
                country=r.get("country") or "",
                current=valid_to is None or valid_to >= today,
            )
        for code in index._regions:
            index._ancestors[code] = index._compute_ancestors(code)
        for r in rows:
            code = r["code"]
            # Names of countries and foreign cities are everyday forms (首尔, 大田): they rank
            # with China's short names, so that 大田 stays ambiguous with 大田县.
            rank = _SHORT if r["kind"] in _FOREIGN_KINDS else _FULL
            index._add(r["name"], code, rank)
            for alias in _split(r.get("aliases")):
                index._add(alias, code, rank)
            index._add(r.get("short_name") or "", code, _SHORT)
            for former in _split(r.get("former_names")):
                index._add(former, code, _FORMER)
        return index

    def _compute_ancestors(self, code: str) -> frozenset[str]:
        seen: list[str] = []
        region = self._regions[code]
        parent = region.parent_code
        while parent and parent in self._regions and parent not in seen:
            seen.append(parent)
            parent = self._regions[parent].parent_code
        if region.country and region.country != code:
            seen.append(region.country)  # 中国 › 江苏 even though provinces have no parent
        return frozenset(seen)

    def _add(self, name: str, code: str, kind: int) -> None:
        key = normalize(name)
        if len(key) < 2:  # one character is never a region name on its own
            return
        bucket = self._names.setdefault(key, {})
        if kind < bucket.get(code, 99):
            bucket[code] = kind
        self._max_len[key[0]] = max(self._max_len.get(key[0], 0), len(key))

    # -- queries -----------------------------------------------------------------------
    def __contains__(self, code: str) -> bool:
        return code in self._regions

    def __len__(self) -> int:
        return len(self._regions)

    def is_within(self, code: str, ancestor: str) -> bool:
        """True if ``code`` is ``ancestor`` or lies inside it."""
        return code == ancestor or ancestor in self._ancestors.get(code, ())

    def display_name(self, code: str) -> str:
        """A full name for messages: 吉林省长春市朝阳区, 韩国首尔."""
        region = self._regions.get(code)
        if region is None:
            return code
        chain = [region.name]
        parent = region.parent_code
        while parent and parent in self._regions:
            name = self._regions[parent].name
            if name != chain[0]:  # 北京市 › 北京市 › 朝阳区 reads 北京市朝阳区
                chain.insert(0, name)
            parent = self._regions[parent].parent_code
        return "".join(chain)

    def lookup(self, text: str | None, *, within: str | None = None) -> LookupResult:
        """Resolve free text to the most specific region it names. See the module doc."""
        text = text or ""
        norm, where = _normalize_with_map(text)
        if not text.strip():
            return LookupResult(None, "not_found", message=_("No region was given."))

        end = len(norm)
        pos, chosen = self._parse(norm, 0, None, {})
        if chosen is None:
            return LookupResult(
                None, "not_found", message=_('No region matches "%(text)s".') % {"text": text}
            )

        matched = text[where[0] : where[pos - 1] + 1] if pos else ""
        partial = pos < end
        best = self._narrow(chosen)
        if len(best) == 1:
            code = best[0]
            return LookupResult(
                code, "ok", [], matched, self._ok_message(text, matched, code, partial)
            )
        if within:
            inside = [c for c in best if self.is_within(c, within)]
            if len(inside) == 1:
                code = inside[0]
                message = _(
                    '"%(text)s" could be several regions; %(name)s is the only one within '
                    "%(within)s."
                ) % {
                    "text": text,
                    "name": self.display_name(code),
                    "within": self.display_name(within),
                }
                return LookupResult(code, "ok", [], matched, message)
            if inside:  # several inside the home region: those are the real choices
                best = inside
        candidates = sorted(best)
        choices = _p("list separator", ", ").join(
            f"{self.display_name(c)} ({c})" for c in candidates
        )
        message = _('"%(text)s" is ambiguous: it could be %(choices)s.') % {
            "text": text,
            "choices": choices,
        }
        return LookupResult(None, "ambiguous", candidates, matched, message)

    # -- internals ---------------------------------------------------------------------
    def _fits(self, norm: str, pos: int, chosen: dict[str, int] | None):
        """Names starting at ``pos`` that fit inside one of ``chosen``, longest first."""
        names = self._names
        ancestors = self._ancestors
        longest = min(self._max_len.get(norm[pos], 0), len(norm) - pos)
        for length in range(longest, 1, -1):
            hits = names.get(norm[pos : pos + length])
            if not hits:
                continue
            if chosen is None:
                yield length, hits
                continue
            fitting = {c: k for c, k in hits.items() if not ancestors[c].isdisjoint(chosen)}
            if fitting:
                yield length, fitting

    def _parse(
        self, norm: str, pos: int, chosen: dict[str, int] | None, memo: dict, depth: int = 0
    ) -> tuple[int, dict[str, int] | None]:
        """The chain of names from ``pos`` that reaches furthest into the text.

        Longer names are tried first and kept on a tie, so the search only departs from
        plain longest-match when that gets stuck: 济南市中区 reads 济南 › 市中区, not
        济南市 › 中区.
        """
        best_end, best_chosen = pos, chosen
        if pos >= len(norm) or depth > 8:
            return best_end, best_chosen
        key = (pos, frozenset(chosen) if chosen is not None else None)
        if key in memo:
            return memo[key]
        for length, fitting in self._fits(norm, pos, chosen):
            end, last = self._parse(norm, pos + length, fitting, memo, depth + 1)
            if end > best_end:
                best_end, best_chosen = end, last
                if end == len(norm):
                    break
        memo[key] = (best_end, best_chosen)
        return best_end, best_chosen

    def _narrow(self, cands: dict[str, int]) -> list[str]:
        codes = set(cands)
        # 1. an ancestor of another candidate wins over it
        codes = {c for c in codes if self._ancestors[c].isdisjoint(codes)}
        # 2. current before abolished
        current = {c for c in codes if self._regions[c].current}
        codes = current or codes
        # 3. full name / alias, then short name, then former name
        best_kind = min(cands[c] for c in codes)
        codes = {c for c in codes if cands[c] == best_kind}
        # 4. a single province or country
        if len(codes) > 1:
            top = [c for c in codes if self._regions[c].kind in _TOP_KINDS]
            if len(top) == 1:
                return top
        return sorted(codes)

    def _ok_message(self, text: str, matched: str, code: str, partial: bool) -> str:
        name = self.display_name(code)
        if not self._regions[code].current:
            name = _("%(name)s (abolished)") % {"name": name}
        if partial:
            return _('Only "%(matched)s" of "%(text)s" was recognised: %(name)s.') % {
                "matched": matched,
                "text": text,
                "name": name,
            }
        return _('"%(text)s" is %(name)s.') % {"text": text, "name": name}


def _split(value: str | None) -> list[str]:
    return [v for v in (value or "").split("|") if v]


@cache
def default_index() -> RegionIndex:
    """The index of the shipped reference data (built once per process)."""
    from yinli.core.regiondata import iter_region_records

    return RegionIndex.from_records(iter_region_records())
