"""The demo app has no tables of its own.

This module exists so that Django sends `post_migrate` for the app (it skips apps without a
models module): the reference data loader in yinli.core.signals waits for this, the last app.
"""
