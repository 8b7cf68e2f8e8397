"""Keep the ranking's copy of company figures (CompanyNode.basis_*) in step with the registry:
a saved company's placements take their figures again before the next ranking."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from yinli.companies.models import Company


@receiver(post_save, sender=Company, dispatch_uid="chains-target-basis")
def company_saved(sender, instance: Company, created: bool, raw: bool = False, **kwargs):
    if created or raw:
        return  # a new company has no placement yet; loaddata restores rows as they were
    from .targets import mark_stale

    mark_stale(company_ids=[instance.pk])
