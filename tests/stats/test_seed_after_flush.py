"""A flushed database gets definition v1 and the conversion rates back (post_migrate)."""

import pytest
from django.core.management import call_command

from yinli.stats.definitions import current_definition
from yinli.stats.models import ConversionRate, Definition


@pytest.mark.django_db(transaction=True)
def test_flush_keeps_a_definition_and_the_rates():
    call_command("flush", interactive=False, verbosity=0)
    assert current_definition().version == 1
    assert Definition.objects.count() == 1
    assert ConversionRate.objects.filter(currency="USD").count() >= 12
