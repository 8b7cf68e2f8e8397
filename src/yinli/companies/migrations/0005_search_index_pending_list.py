"""PostgreSQL: a smaller pending list for the trigram GIN indexes of candidate search.

See yinli.companies.search.PG_GIN_PENDING_LIST_KB: with PostgreSQL's default (4 MB) every search
read up to 4 MB of not yet merged index entries per LIKE after a bulk import. Databases migrated
from scratch get the setting from 0003 already (install_search_index); this gives it to the
others. Nothing changes on SQLite, and no model state changes.
"""

from django.db import migrations


def limit(apps, schema_editor):
    from yinli.companies.search import limit_pending_lists

    limit_pending_lists(schema_editor.connection)


def reset(apps, schema_editor):
    from yinli.companies.search import reset_pending_lists

    reset_pending_lists(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0004_company_merge"),
    ]

    operations = [
        migrations.RunPython(limit, reset, elidable=False),
    ]
