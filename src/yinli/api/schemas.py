"""Shapes shared by every endpoint: numbers, references, pages and errors.

Schema texts stay in English and untranslated: the committed OpenAPI snapshot must not depend
on the language of whoever generates it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import ConfigDict, PlainSerializer, WithJsonSchema


def decimal_to_number(value: Decimal) -> int | float:
    """Money leaves as a JSON number: 15000, 1.5 (never "15000.0000")."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


# A Decimal inside, a JSON number outside.
Number = Annotated[
    Decimal,
    PlainSerializer(decimal_to_number, return_type=float, when_used="always"),
    WithJsonSchema({"type": "number"}),
]

# Money on input: a number in the field's unit, or text with its own unit ("3.5亿元").
AmountInput = Annotated[
    Decimal | str,
    WithJsonSchema(
        {
            "anyOf": [{"type": "number"}, {"type": "string"}],
            "description": 'A number in the field\'s unit, or text such as "3.5亿元".',
        }
    ),
]

# A reference given on input as an id or a code (or, where said, a name).
IdOrCode = Annotated[
    int | str,
    WithJsonSchema({"anyOf": [{"type": "integer"}, {"type": "string"}]}),
]


class WriteSchema(Schema):
    """Input bodies refuse fields they do not know, so a typo is an error, not a no-op."""

    model_config = ConfigDict(extra="forbid")


class RegionRef(Schema):
    code: str
    name: str


class UnitRef(Schema):
    id: int
    code: str
    name: str


class CompanyRef(Schema):
    id: int
    name: str
    uscc: str | None


class NamedRef(Schema):
    id: int
    name: str


class ChannelRef(Schema):
    id: int
    code: str
    name: str


class PageQuery(Schema):
    page: int = Field(1, ge=1, description="1-based page number.")
    page_size: int = Field(50, ge=1, le=500, description="Items per page (at most 500).")


class Page(Schema):
    """Every list answers in this shape; a page past the end has no items."""

    count: int = Field(description="Items matching the filters, over all pages.")
    page: int
    page_size: int
    pages: int = Field(description="Number of pages (0 when nothing matches).")


class Error(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: list[str] = Field(description="Every message, each naming its field.")
    fields: dict[str, list[str]] = Field(description="Messages by input field.")


class StaleVersion(Schema):
    detail: str
    current_version: int


class VersionIn(WriteSchema):
    version: int = Field(description="The version this change is based on.")


def paginate(queryset, query: PageQuery) -> dict:
    count = queryset.count()
    pages = (count + query.page_size - 1) // query.page_size
    start = (query.page - 1) * query.page_size
    items = list(queryset[start : start + query.page_size]) if start < count else []
    return {
        "count": count,
        "page": query.page,
        "page_size": query.page_size,
        "pages": pages,
        "items": items,
    }


def region_ref(region) -> dict | None:
    return None if region is None else {"code": region.code, "name": region.name}


def unit_ref(unit) -> dict | None:
    return None if unit is None else {"id": unit.pk, "code": unit.code, "name": unit.name}


READ_ERRORS = {401: Error, 404: Error}
WRITE_ERRORS = {401: Error, 403: Error, 404: Error, 409: StaleVersion, 422: ValidationErrorOut}
