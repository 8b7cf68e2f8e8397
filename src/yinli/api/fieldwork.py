"""API routes: fieldwork. Filled by its issue."""

from ninja import Router

router = Router(tags=["fieldwork"])
