from django.core.management.base import BaseCommand

from yinli.core.regions import load_region_groups, load_regions


class Command(BaseCommand):
    help = "Load (or refresh) the region reference table and the default region groups."

    def handle(self, *args, **options):
        created = load_regions()
        groups = load_region_groups()
        self.stderr.write(f"regions: {created} new; region groups: {groups} new")
