"""API routes: industry chains. Filled by its issue."""

from ninja import Router

router = Router(tags=["chains"])
