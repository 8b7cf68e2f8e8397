"""Placing companies on chain nodes from their business scope, name and industry code.

One Aho–Corasick automaton (pyahocorasick) holds every keyword of every node; a text is scanned
once for the longest non-overlapping keywords, so that a longer, more specific word wins over a
word inside it (太阳能电池片 is a photovoltaic cell, not a 电池). A second automaton finds the exclude
words, overlapping or not: any exclude word of a node vetoes that node.

The score of a node (documented on the chain pages):

- each distinct keyword found counts 1 point;
- the company's GB/T 4754 code adds 1.5 when it falls under a 4-digit node code, 1 under a
  3-digit one and 0.25 under a 2-digit one (a division alone is too broad to place a company);
- a company is placed on a node when the score reaches 1 (PLACE_AT), and no exclude word of the
  node occurs in its text.

Parenthesised exclusions of a scope — （不含危险化学品）, （除依法须经批准的项目外） — are dropped before
matching: they name what a company does not do. Text is compared after NFKC normalisation (full-width letters and digits become half-width) and
case folding, so PACK, ｐａｃｋ and pack are one word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import ahocorasick

KEYWORD_POINTS = Decimal("1")
CODE_POINTS = {4: Decimal("1.5"), 3: Decimal("1"), 2: Decimal("0.25")}
PLACE_AT = Decimal("1")


# After NFKC, full-width brackets are ASCII ones.
NEGATED = re.compile(r"\((?:不含|除|不得|不涉及|不包括|不从事)[^()]*\)")


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def readable(text: str) -> str:
    """The text the keywords are looked for in: normalised, negated brackets removed."""
    return NEGATED.sub(" ", normalize(text))


def company_code(code: str) -> str:
    """The digits of a GB/T 4754 code as registries write it: C3841, 3841, C38 → 3841, 38."""
    code = (code or "").strip().upper()
    return code[1:] if code[:1].isalpha() else code


@dataclass(frozen=True)
class NodeRule:
    id: int
    chain: str
    name: str
    keywords: tuple[str, ...]
    exclude: tuple[str, ...]
    codes: tuple[str, ...]


@dataclass
class Match:
    node_id: int
    chain: str
    node: str
    score: Decimal
    matched: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "chain": self.chain,
            "node": self.node,
            "node_id": self.node_id,
            "score": float(self.score),
            "matched": self.matched,
        }


class Classifier:
    """Built once from the nodes' rules, then applied to any number of texts."""

    def __init__(self, rules: Iterable[NodeRule]):
        self.rules: dict[int, NodeRule] = {rule.id: rule for rule in rules}
        self._keywords = ahocorasick.Automaton()
        self._excludes = ahocorasick.Automaton()
        keyword_nodes: dict[str, list[tuple[int, str]]] = {}
        exclude_nodes: dict[str, list[int]] = {}
        for rule in self.rules.values():
            for word in rule.keywords:
                key = normalize(word)
                if key:
                    keyword_nodes.setdefault(key, []).append((rule.id, word))
            for word in rule.exclude:
                key = normalize(word)
                if key:
                    exclude_nodes.setdefault(key, []).append(rule.id)
        for key, nodes in keyword_nodes.items():
            self._keywords.add_word(key, tuple(nodes))
        for key, nodes in exclude_nodes.items():
            self._excludes.add_word(key, tuple(nodes))
        self._has_keywords = bool(keyword_nodes)
        self._has_excludes = bool(exclude_nodes)
        if self._has_keywords:
            self._keywords.make_automaton()
        if self._has_excludes:
            self._excludes.make_automaton()
        # Code rules: node code → nodes, looked up by each prefix of a company's code.
        self._codes: dict[str, list[int]] = {}
        for rule in self.rules.values():
            for code in rule.codes:
                self._codes.setdefault(company_code(code), []).append(rule.id)

    @classmethod
    def from_nodes(cls, nodes) -> Classifier:
        """From ChainNode rows (select_related("chain"))."""
        return cls(
            NodeRule(
                id=node.pk,
                chain=node.chain.name,
                name=node.name,
                keywords=tuple(node.keyword_list),
                exclude=tuple(node.exclude_list),
                codes=tuple(node.code_list),
            )
            for node in nodes
        )

    def classify(self, text: str, code: str = "") -> list[Match]:
        """The nodes a text (and industry code) lands on, best first; [] when none."""
        text = readable(text)
        found: dict[int, list[str]] = {}
        if self._has_keywords and text:
            for _end, nodes in self._keywords.iter_long(text):
                for node_id, word in nodes:
                    words = found.setdefault(node_id, [])
                    if word not in words:
                        words.append(word)
        scores = {node_id: KEYWORD_POINTS * len(words) for node_id, words in found.items()}
        digits = company_code(code)
        for length in (4, 3, 2):
            if len(digits) >= length:
                for node_id in self._codes.get(digits[:length], ()):
                    scores[node_id] = scores.get(node_id, Decimal(0)) + CODE_POINTS[length]
                    found.setdefault(node_id, []).append(f"[{digits[:length]}]")
        if not scores:
            return []
        vetoed: set[int] = set()
        if self._has_excludes and text:
            for _end, nodes in self._excludes.iter(text):
                vetoed.update(nodes)
        matches = [
            Match(
                node_id=node_id,
                chain=self.rules[node_id].chain,
                node=self.rules[node_id].name,
                score=score,
                matched=found.get(node_id, []),
            )
            for node_id, score in scores.items()
            if score >= PLACE_AT and node_id not in vetoed
        ]
        matches.sort(key=lambda m: (-m.score, m.chain, m.node))
        return matches


def company_text(name: str, scope: str) -> str:
    """What the classifier reads of a company: its name and its business scope."""
    return f"{name or ''}\n{scope or ''}"
