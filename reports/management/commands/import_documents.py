"""Import source documents (files, or folders of .txt files) as reports."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.importing import ImportRefused, import_documents


def collect(paths):
    """Return [(name, bytes)] for the files named and the .txt files in folders named."""
    sources = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*.txt") if p.is_file())
            if not files:
                raise CommandError(f"{path}: the folder holds no .txt documents")
        elif path.is_file():
            files = [path]
        else:
            raise CommandError(f"{path}: no such file or folder")
        for file in files:
            try:
                sources.append((file.name, file.read_bytes()))
            except OSError as error:
                raise CommandError(f"{file}: cannot be read ({error.strerror})") from None
    return sources


class Command(BaseCommand):
    help = "Import source documents as draft reports; nothing is written if any file is refused."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files, or folders of .txt files.")
        parser.add_argument("--publish", action="store_true", help="Publish the reports.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would happen; write nothing."
        )

    def handle(self, *args, **options):
        sources = collect(options["paths"])
        try:
            outcomes = import_documents(
                sources,
                method="import_documents command",
                publish=options["publish"],
                dry_run=options["dry_run"],
            )
        except ImportRefused as refused:
            for name, reason in refused.problems:
                self.stderr.write(f"refused {name}: {reason}")
            raise CommandError(
                f"{len(refused.problems)} document(s) refused; nothing was imported."
            ) from None
        counts = {}
        for outcome in outcomes:
            counts[outcome.action] = counts.get(outcome.action, 0) + 1
            if options["verbosity"] >= 1:
                self.stdout.write(f"{outcome.action:9} {outcome.name}: {outcome.report.title}")
        summary = ", ".join(f"{n} {action}" for action, n in sorted(counts.items()))
        prefix = "Dry run, nothing written: would be " if options["dry_run"] else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{summary}."))
