"""API routes: statistics. Filled by its issue."""

from ninja import Router

router = Router(tags=["statistics"])
