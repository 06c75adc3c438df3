"""Import source documents (files, or folders of them) as reports: text files, web pages
(.html, .htm) and PDF files.

All or nothing: if any document of a run is refused, nothing is written and
the command exits with an error naming each refused file and why.

--source-url, --document-id, --published-on and --language describe one
document, so they are accepted only when the run imports a single file.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reports.ingest.documents import ImportRefused, check_details, import_documents
from reports.ingest.formats import SUFFIXES
from reports.ingest.parsing import DocumentError

DETAIL_OPTIONS = ("source_url", "document_id", "published_on", "language")


def _documents_in(folder):
    """Return the documents under `folder` (by their suffixes), skipping hidden files and
    folders."""
    return sorted(
        path
        for path in folder.rglob("*")
        if path.suffix.lower() in SUFFIXES
        and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def collect(paths, max_bytes):
    """Return [(name, bytes)] for the files named and the documents in folders named.

    Read at most max_bytes + 1 bytes of each file: enough for the parser to
    refuse one that is too large without holding all of it in memory.
    """
    sources, seen = [], set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = _documents_in(path)
            if not files:
                raise CommandError(
                    f"{path}: the folder holds no documents ({', '.join(SUFFIXES)} files)"
                )
        elif path.is_file():
            files = [path]
        else:
            raise CommandError(f"{path}: no such file or folder")
        for file in files:
            if file.resolve() in seen:
                continue
            seen.add(file.resolve())
            try:
                with file.open("rb") as stream:
                    sources.append((str(file), stream.read(max_bytes + 1)))
            except OSError as error:
                raise CommandError(f"{file}: cannot be read ({error.strerror})") from None
    return sources


class Command(BaseCommand):
    help = "Import source documents as draft reports; nothing is written if any file is refused."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files, or folders of documents.")
        parser.add_argument("--publish", action="store_true", help="Publish the reports.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would happen; write nothing."
        )
        one = parser.add_argument_group("the original of one document (one file only)")
        one.add_argument("--source-url", default="", help="Where the original is served.")
        one.add_argument(
            "--document-id", default="", help="The publisher's or republisher's identifier."
        )
        one.add_argument(
            "--published-on", default="", metavar="YYYY-MM-DD", help="Its publication date."
        )
        one.add_argument(
            "--language",
            default="",
            help="Its ISO 639-1 code (en, es, ...) when the guess from its text is wrong.",
        )

    def handle(self, *args, **options):
        given = [name for name in DETAIL_OPTIONS if options[name]]
        try:
            details = check_details(
                source_url=options["source_url"],
                document_identifier=options["document_id"],
                published_on=options["published_on"],
                language=options["language"],
            )
        except DocumentError as error:
            raise CommandError(f"{error}; nothing was imported.") from None
        sources = collect(options["paths"], settings.ARCHIVE_MAX_DOCUMENT_BYTES)
        if given and len(sources) != 1:
            flags = ", ".join("--" + name.replace("_", "-") for name in given)
            raise CommandError(
                f"{flags} describe one document, and {len(sources)} files were given; "
                "import that document on its own. Nothing was imported."
            )
        try:
            outcomes = import_documents(
                sources,
                method="import_documents command",
                publish=options["publish"],
                dry_run=options["dry_run"],
                details=details,
            )
        except ImportRefused as refused:
            reasons = "\n".join(f"refused {name}: {reason}" for name, reason in refused.problems)
            raise CommandError(
                f"{reasons}\n{len(refused.problems)} document(s) refused; nothing was imported."
            ) from None

        if options["verbosity"] < 1:
            return
        counts = {}
        for outcome in outcomes:
            counts[outcome.action] = counts.get(outcome.action, 0) + 1
            self.stdout.write(f"{outcome.action:9} {outcome.name}: {outcome.report.title}")
        summary = ", ".join(f"{n} {action}" for action, n in sorted(counts.items()))
        if options["dry_run"]:
            self.stdout.write(self.style.WARNING(f"Dry run, nothing written. Would be: {summary}."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported: {summary}."))
