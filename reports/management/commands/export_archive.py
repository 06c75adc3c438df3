"""Write the whole archive to one JSON file: `manage.py export_archive FILE`."""

from django.core.management.base import BaseCommand, CommandError

from reports.ingest.backup import BackupError, export_archive


class Command(BaseCommand):
    help = "Back up the whole archive (entries, provenance, users, history) to one JSON file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the backup.")

    def handle(self, *args, **options):
        try:
            counts = export_archive(options["file"])
        except OSError as error:
            raise CommandError(f"{options['file']}: cannot be written ({error.strerror})") from None
        except BackupError as error:  # the file written did not read back whole
            raise CommandError(f"{error}; the backup there before is kept") from None
        if options["verbosity"] >= 2:
            for label, count in counts.items():
                self.stdout.write(f"  {label}: {count}")
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(f"Wrote {sum(counts.values())} rows to {options['file']}.")
            )
