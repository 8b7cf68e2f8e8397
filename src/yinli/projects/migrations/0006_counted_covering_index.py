"""A covering index for the statistics' counted projects (PostgreSQL only; issue 3).

The report and the dashboard read the signed projects of a period (stats.selectors) again and
again: every breakdown, the top source cities over several years, the drill-downs. On
PostgreSQL this partial index on first_signed_on carries every column those queries filter and
group by, so that they are index-only scans instead of a heap page per project (bench/README.md,
the statistics benchmark). SQLite has no INCLUDE; its plain first_signed_on index serves there.
"""

from django.db import migrations

NAME = "projects_project_counted_cover"

COLUMNS = (
    "id, category, kind, total_investment, foreign_currency, foreign_investment, company_id, "
    "controller_region_id, signing_region_id, district_id, industry_id, channel_id, event_id, "
    "stage, status"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME} ON projects_project (first_signed_on) "
        f"INCLUDE ({COLUMNS}) "
        "WHERE deleted_at IS NULL AND merged_into_id IS NULL AND first_signed_on IS NOT NULL"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("projects", "0005_stage_dates")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
