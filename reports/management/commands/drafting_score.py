"""How many of the curated incidents' fields the drafting suggestions get right from the
passages the incidents cite (reports/drafting.py): on the sample data, the seed's figure."""

from django.core.management.base import BaseCommand

from reports.drafting import Names, score
from reports.models import Incident


class Command(BaseCommand):
    help = "Measure the curation suggestions against the curated incidents."

    def handle(self, *args, **options):
        incidents = Incident.objects.filter(citations__isnull=False).distinct().order_by("pk")
        rows = score(incidents, Names())
        right = sum(1 for _incident, _field, ok, _got, _want in rows if ok)
        for incident, field, ok, got, want in rows:
            if not ok:
                self.stdout.write(f"{incident.slug}: {field}: suggested {got!r}, curated {want!r}")
        self.stdout.write(f"{right} of {len(rows)} fields right")
