"""The company history keeps no index on its copies of the keys and the credit code.

Nothing reads the history by region, parent, merged-into company, creator or credit code; it is
read by company and in order. The indexes cost every bulk load of the enterprise base a build
(see Company.history).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('companies', '0005_search_index_pending_list'),
        ('core', '0002_notification'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalcompany',
            name='created_by',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='historicalcompany',
            name='merged_into',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='companies.company', verbose_name='merged into'),
        ),
        migrations.AlterField(
            model_name='historicalcompany',
            name='parent',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='companies.company', verbose_name='parent company'),
        ),
        migrations.AlterField(
            model_name='historicalcompany',
            name='region',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='core.region', verbose_name='region'),
        ),
        migrations.AlterField(
            model_name='historicalcompany',
            name='uscc',
            field=models.CharField(blank=True, max_length=18, null=True, verbose_name='unified social credit code'),
        ),
    ]
