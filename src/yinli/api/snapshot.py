"""The committed copy of the OpenAPI schema, and the rule that within v1 changes only add."""

from __future__ import annotations

import json
from pathlib import Path

from django.utils import translation

SNAPSHOT = Path(__file__).resolve().parent / "openapi.json"
REFRESH_COMMAND = "yinli api_schema --write"


def generated_schema() -> dict:
    from .api import openapi_schema

    # Untranslated, so that the copy does not depend on who generates it.
    with translation.override("en"):
        return openapi_schema()


def dumps(schema: dict) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def committed_schema() -> dict:
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def _resolve(schema: dict, document: dict) -> dict:
    while isinstance(schema, dict) and "$ref" in schema:
        node = document
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _properties(schema: dict, document: dict, prefix: str, seen: frozenset[str]) -> set[str]:
    """Every property path a response can carry: "items[].company.name"."""
    if isinstance(schema, dict) and "$ref" in schema:
        if schema["$ref"] in seen:  # a schema that contains itself
            return set()
        seen = seen | {schema["$ref"]}
    schema = _resolve(schema, document)
    if not isinstance(schema, dict):
        return set()
    found: set[str] = set()
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            found |= _properties(option, document, prefix, seen)
    if "items" in schema:
        found |= _properties(schema["items"], document, prefix + "[]", seen)
    for name, sub in schema.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        found.add(path)
        found |= _properties(sub, document, path, seen)
    if isinstance(schema.get("additionalProperties"), dict):
        found |= _properties(schema["additionalProperties"], document, prefix + "{}", seen)
    return found


def surface(document: dict) -> set[str]:
    """What a client may rely on: every path and method, and every response property."""
    found: set[str] = set()
    for path, methods in document.get("paths", {}).items():
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            found.add(f"{method.upper()} {path}")
            for status, response in operation["responses"].items():
                content = response.get("content", {}).get("application/json", {})
                if "schema" not in content:
                    continue
                where = f"{method.upper()} {path} {status}"
                for prop in _properties(content["schema"], document, "", frozenset()):
                    found.add(f"{where} {prop}")
    return found


def removed(committed: dict, generated: dict) -> list[str]:
    """What the committed copy promises and the generated schema no longer has."""
    return sorted(surface(committed) - surface(generated))
