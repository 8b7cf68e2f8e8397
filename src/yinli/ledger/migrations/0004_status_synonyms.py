"""The kind "status" for value synonyms, seeded with the status words ledgers use
(推进中, 暂缓, 搁置, 流失, 终止 …); an administrator adds more in the admin site."""

from django.db import migrations, models

SYNONYMS = [
    ('status', '推进中', 'active'),
    ('status', '正常推进', 'active'),
    ('status', '在谈', 'active'),
    ('status', '在推进', 'active'),
    ('status', '正常', 'active'),
    ('status', '跟进中', 'active'),
    ('status', '在跟踪', 'active'),
    ('status', '暂缓', 'paused'),
    ('status', '搁置', 'paused'),
    ('status', '暂停', 'paused'),
    ('status', '停滞', 'paused'),
    ('status', '已搁置', 'paused'),
    ('status', '缓建', 'paused'),
    ('status', '流失', 'lost'),
    ('status', '已流失', 'lost'),
    ('status', '外流', 'lost'),
    ('status', '终止', 'terminated'),
    ('status', '已终止', 'terminated'),
    ('status', '取消', 'terminated'),
    ('status', '放弃', 'terminated'),
    ('status', '中止', 'terminated'),
]


def seed(apps, schema_editor):
    ValueSynonym = apps.get_model("ledger", "ValueSynonym")
    existing = set(ValueSynonym.objects.values_list("kind", "text"))
    ValueSynonym.objects.bulk_create(
        ValueSynonym(kind=kind, text=text, value=value)
        for kind, text, value in SYNONYMS
        if (kind, text) not in existing
    )


def unseed(apps, schema_editor):
    ValueSynonym = apps.get_model("ledger", "ValueSynonym")
    for kind, text, value in SYNONYMS:
        ValueSynonym.objects.filter(kind=kind, text=text, value=value).delete()


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_export_templates")]

    operations = [
        migrations.AlterField(
            model_name="valuesynonym",
            name="kind",
            field=models.CharField(
                choices=[
                    ("stage", "Stage"),
                    ("industry", "Industry direction"),
                    ("category", "Category"),
                    ("kind", "Kind"),
                    ("channel", "Channel"),
                    ("district", "District"),
                    ("status", "Status"),
                ],
                max_length=16,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
