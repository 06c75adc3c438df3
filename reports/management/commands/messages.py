"""Extract the translatable strings and merge them into the catalogues (`make messages`)."""

from django.core.management.base import BaseCommand

from archive.messages import ROOT, compile_catalogs, update_catalogs


class Command(BaseCommand):
    # Its own job is what archive.W001 asks for: no need to be told first.
    requires_system_checks = []
    help = (
        "Extract every translatable string (Python, Jinja2 and Django templates) into "
        "locale/<language>/LC_MESSAGES/django.po, then compile the .mo files."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--compile-only",
            action="store_true",
            help="Only compile the .po files newer than their .mo (no extraction).",
        )

    def handle(self, *args, **options):
        if not options["compile_only"]:
            for path in update_catalogs():
                self.stdout.write(f"updated {path.relative_to(ROOT)}")
        for path in compile_catalogs():
            if options["verbosity"] > 1 or not options["compile_only"]:
                self.stdout.write(f"compiled {path.relative_to(ROOT)}")
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS("Catalogues up to date."))
