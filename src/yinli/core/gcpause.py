"""Bulk work with Python's cyclic garbage collector paused."""

from __future__ import annotations

import functools
import gc


def gc_paused(function):
    """Run ``function`` with the cyclic garbage collector paused (when it was running).

    An import makes a few small objects per cell that live until its chunk is written; the
    collector, set off by every 700 of them, walks them again and again (a fifth to a quarter of
    a dry run's time) and finds almost nothing: an import makes next to no reference cycles, and
    reference counting frees the rest as before. The pause is process-wide, so other threads go
    without cycle collection while it lasts, and so do worker processes forked meanwhile."""

    @functools.wraps(function)
    def paused(*args, **kwargs):
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return paused
