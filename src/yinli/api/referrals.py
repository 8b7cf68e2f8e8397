"""API routes: referrals. Filled by its issue."""

from ninja import Router

router = Router(tags=["referrals"])
