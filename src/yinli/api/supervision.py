"""API of the supervision app."""

from ninja import Router

router = Router(tags=["supervision"])
