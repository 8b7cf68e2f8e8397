"""Signal receivers of the supervision app: a new database gets the usual city departments."""

from __future__ import annotations

from django.db.models.signals import post_migrate
from django.dispatch import receiver

# The departments an obstacle (要素保障问题) usually goes to in a prefecture city: code, full name,
# short name. A city adds or retires its own in the admin (Department.active).
DEFAULT_DEPARTMENTS = [
    ("fgw", "市发展和改革委员会", "发改委"),
    ("zrzy", "市自然资源和规划局", "自然资源和规划局"),
    ("sthj", "市生态环境局", "生态环境局"),
    ("zjj", "市住房和城乡建设局", "住建局"),
    ("gxj", "市工业和信息化局", "工信局"),
    ("spj", "市行政审批局", "行政审批局"),
    ("swj", "市商务局", "商务局"),
    ("czj", "市财政局", "财政局"),
    ("rsj", "市人力资源和社会保障局", "人社局"),
    ("kjj", "市科学技术局", "科技局"),
    ("jtj", "市交通运输局", "交通运输局"),
    ("swuj", "市水务局", "水务局"),
    ("scjg", "市市场监督管理局", "市场监管局"),
    ("power", "市供电公司", "供电公司"),
    ("gas", "市燃气公司", "燃气公司"),
    ("jrj", "市地方金融监督管理局", "金融监管局"),
]


@receiver(post_migrate)
def load_departments(sender, using="default", **kwargs):
    if getattr(sender, "label", None) != "supervision":
        return
    from .models import Department

    if not Department.objects.using(using).exists():
        Department.objects.using(using).bulk_create(
            Department(code=code, name=name, short_name=short, sort_order=i)
            for i, (code, name, short) in enumerate(DEFAULT_DEPARTMENTS)
        )
