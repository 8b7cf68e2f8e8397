"""API of the reporting app."""

from ninja import Router

router = Router(tags=["reporting"])
