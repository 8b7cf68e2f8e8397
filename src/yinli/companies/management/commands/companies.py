"""`yinli companies ACTION …`: the company registry from the command line.

    yinli companies match TEXT [--limit N] [--format json|text] [--include-merged]

``match`` prints the candidates for a name (any variant) or a 统一社会信用代码, best first:
with ``--format json``, ``[{"company_id", "name", "score", "reason"}]`` alone on stdout (score
0–100; an empty list when nothing comes near). Exit 0 on success, 2 for a usage error. Later
actions (merge …) are further sub-commands of this one.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from yinli.companies.search import search_candidates

MAX_LIMIT = 100


def _limit(value: str) -> int:
    import argparse

    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if not 1 <= number <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_LIMIT}, not {number}")
    return number


class Command(BaseCommand):
    help = "The company registry: candidate search (match); more actions to come."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        match = actions.add_parser(
            "match",
            help="Candidates for a company name or a credit code, best first.",
            description=(
                "Print the registered companies a name (in any variant) or a 统一社会信用代码 may "
                "mean, best first, each with a score from 0 to 100 and its reason."
            ),
        )
        match.add_argument(
            "text", metavar="TEXT", help="A company name, pinyin initials or a code."
        )
        match.add_argument(
            "--limit", type=_limit, default=10, help=f"At most this many (1–{MAX_LIMIT}; 10)."
        )
        match.add_argument(
            "--format", choices=["json", "text"], default="text", help="Output format (text)."
        )
        match.add_argument(
            "--include-merged",
            action="store_true",
            help="Also companies merged into another (left out by default).",
        )

    def handle(self, *args, action: str, **options):
        if action == "match":
            return self.match(**options)
        raise CommandError(f"Unknown action {action!r}.", returncode=2)  # argparse stops it first

    def match(self, *, text: str, limit: int, format: str, include_merged: bool, **options):
        if not text.strip():
            raise CommandError("TEXT is empty: give a company name or a credit code.", returncode=2)
        candidates = search_candidates(text, limit=limit, exclude_merged=not include_merged)
        if format == "json":
            self.stdout.write(json.dumps([c.as_dict() for c in candidates], ensure_ascii=False))
            return
        if not candidates:
            self.stderr.write("No candidate.")
            return
        for candidate in candidates:
            self.stdout.write(
                f"{candidate.score:>3}  {candidate.company_id:>8}  {candidate.name}  "
                f"({candidate.reason})"
            )
