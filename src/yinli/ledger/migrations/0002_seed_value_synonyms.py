"""The ledger words every district uses for stages, categories, kinds and channels."""

from django.db import migrations

SYNONYMS = [
    ('stage', '线索', 'lead'),
    ('stage', '信息', 'lead'),
    ('stage', '项目信息', 'lead'),
    ('stage', '在跟踪', 'lead'),
    ('stage', '跟踪', 'lead'),
    ('stage', '初步接触', 'lead'),
    ('stage', '洽谈', 'negotiating'),
    ('stage', '在谈', 'negotiating'),
    ('stage', '洽谈中', 'negotiating'),
    ('stage', '在洽谈', 'negotiating'),
    ('stage', '正在洽谈', 'negotiating'),
    ('stage', '意向', 'negotiating'),
    ('stage', '有意向', 'negotiating'),
    ('stage', '推进中', 'negotiating'),
    ('stage', '框架协议', 'negotiating'),
    ('stage', '签订框架协议', 'negotiating'),
    ('stage', '已签框架协议', 'negotiating'),
    ('stage', '签约', 'signed'),
    ('stage', '已签约', 'signed'),
    ('stage', '正式签约', 'signed'),
    ('stage', '签订协议', 'signed'),
    ('stage', '已签协议', 'signed'),
    ('stage', '签约未注册', 'signed'),
    ('stage', '协议签约', 'signed'),
    ('stage', '已签订正式协议', 'signed'),
    ('stage', '签约待注册', 'signed'),
    ('stage', '注册', 'registered'),
    ('stage', '已注册', 'registered'),
    ('stage', '完成注册', 'registered'),
    ('stage', '注册未开工', 'registered'),
    ('stage', '待开工', 'registered'),
    ('stage', '开工', 'started'),
    ('stage', '已开工', 'started'),
    ('stage', '在建', 'started'),
    ('stage', '建设中', 'started'),
    ('stage', '正在建设', 'started'),
    ('stage', '施工中', 'started'),
    ('stage', '新开工', 'started'),
    ('stage', '开工建设', 'started'),
    ('stage', '竣工', 'completed'),
    ('stage', '已竣工', 'completed'),
    ('stage', '建成', 'completed'),
    ('stage', '完工', 'completed'),
    ('stage', '竣工验收', 'completed'),
    ('stage', '投产', 'producing'),
    ('stage', '已投产', 'producing'),
    ('stage', '试生产', 'producing'),
    ('stage', '试投产', 'producing'),
    ('stage', '部分投产', 'producing'),
    ('stage', '运营', 'producing'),
    ('stage', '达产', 'full'),
    ('stage', '已达产', 'full'),
    ('stage', '全面达产', 'full'),
    ('stage', '满产', 'full'),
    ('category', '工业', 'industrial'),
    ('category', '工业项目', 'industrial'),
    ('category', '制造业', 'industrial'),
    ('category', '先进制造业', 'industrial'),
    ('category', '服务业', 'service'),
    ('category', '服务业项目', 'service'),
    ('category', '现代服务业', 'service'),
    ('category', '服务', 'service'),
    ('category', '其他', 'other'),
    ('category', '其它', 'other'),
    ('category', '农业', 'other'),
    ('category', '基础设施', 'other'),
    ('kind', '新建', 'new'),
    ('kind', '新设', 'new'),
    ('kind', '新项目', 'new'),
    ('kind', '新引进', 'new'),
    ('kind', '增资扩产', 'expansion'),
    ('kind', '增资', 'expansion'),
    ('kind', '扩产', 'expansion'),
    ('kind', '扩建', 'expansion'),
    ('kind', '技改', 'expansion'),
    ('kind', '增资扩股', 'expansion'),
    ('channel', '驻点', '驻点招商'),
    ('channel', '驻外招商', '驻点招商'),
    ('channel', '以商招商', '以商引商'),
    ('channel', '商引商', '以商引商'),
    ('channel', '委托', '委托招商'),
    ('channel', '中介', '中介招商'),
    ('channel', '第三方招商', '中介招商'),
    ('channel', '活动', '活动招商'),
    ('channel', '推介会', '活动招商'),
    ('channel', '节会招商', '活动招商'),
    ('channel', '展会招商', '活动招商'),
    ('channel', '网络', '网络招商'),
    ('channel', '线上招商', '网络招商'),
    ('channel', '云招商', '网络招商'),
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
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
