"""The trigram index of candidate search (see yinli.companies.search).

PostgreSQL: the pg_trgm extension and GIN trigram indexes on name_normalized and name_initials.
SQLite: an FTS5 table (tokenize='trigram') over both, filled now and kept in step by triggers.
No model state changes, so makemigrations sees nothing.
"""

from django.db import migrations


def install(apps, schema_editor):
    from yinli.companies.search import install_search_index

    install_search_index(schema_editor.connection)


def uninstall(apps, schema_editor):
    from yinli.companies.search import drop_search_index

    drop_search_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
