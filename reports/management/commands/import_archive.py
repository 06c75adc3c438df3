"""Restore a backup made by export_archive: `manage.py import_archive FILE`.

Only into an empty, migrated database; all or nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from reports.ingest.backup import BackupError, import_archive


class Command(BaseCommand):
    help = "Restore an export_archive backup into an empty database; nothing is written on error."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file to restore.")

    def handle(self, *args, **options):
        try:
            counts = import_archive(options["file"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        if options["verbosity"] >= 2:
            for label, count in counts.items():
                self.stdout.write(f"  {label}: {count}")
        if options["verbosity"] >= 1:
            self.stdout.write(
                self.style.SUCCESS(f"Restored {sum(counts.values())} rows from {options['file']}.")
            )
