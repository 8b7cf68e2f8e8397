"""API routes: duplicates. Filled by its issue."""

from ninja import Router

router = Router(tags=["duplicates"])
