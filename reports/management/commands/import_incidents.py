"""Import incidents from a dataset file: the Global Terrorism Database (the codebook's
columns, a CSV or START's Excel workbook) or UCDP's Georeferenced Event Dataset,
recognised from the file's header."""

import gc
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from reports.ingest.datasets import DATASETS, import_incidents
from reports.ingest.incidents import FileRefused, iter_problems


class ProgressBar:
    """A one-line bar with rows per second, redrawn at most five times a second."""

    def __init__(self, stream, total_bytes):
        self.stream = stream
        self.total = max(total_bytes, 1)
        self.started = self.drawn = time.monotonic()

    def __call__(self, rows, bytes_read):
        now = time.monotonic()
        if now - self.drawn < 0.2 and bytes_read < self.total:
            return
        self.drawn = now
        share = min(bytes_read / self.total, 1.0)
        bar = "#" * int(share * 30)
        rate = rows / max(now - self.started, 1e-6)
        self.stream.write(f"\r[{bar:<30}] {share:4.0%} {rows:>9,} rows {rate:>8,.0f} rows/s")
        self.stream.flush()

    def close(self):
        self.stream.write("\n")


class Command(BaseCommand):
    help = (
        "Import incidents from a GTD or UCDP GED file (recognised from its header), a CSV or "
        "an Excel workbook (.xlsx) as downloaded, as drafts unless --publish. "
        "Bad rows are listed and skipped (--strict: the file is refused); a failure writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            help=(
                "A CSV file, or an Excel workbook whose first sheet has, with a header row of the "
                "GTD's or UCDP GED's column names (CSV or workbook is told from the file's bytes)."
            ),
        )
        parser.add_argument(
            "--format",
            choices=sorted(DATASETS),
            help="The dataset the file is of (default: recognised from its header).",
        )
        parser.add_argument(
            "--strict", action="store_true", help="Refuse the whole file if any row is bad."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count everything; write nothing."
        )
        parser.add_argument(
            "--publish", action="store_true", help="Publish the incidents and new groups."
        )
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="Rows per bulk write (default 2000)."
        )
        parser.add_argument(
            "--encoding",
            default="utf-8",
            help=(
                "A CSV file's encoding (default utf-8, a BOM is allowed); GTD exports use cp1252. "
                "A workbook's text is always read as the workbook declares it."
            ),
        )

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            binary = open(options["file"], "rb")  # noqa: SIM115 (closed below)
        except OSError as error:
            raise CommandError(f"{options['file']}: cannot be read ({error.strerror})") from None
        progress = None
        if sys.stderr.isatty() and options["verbosity"] >= 1:
            binary.seek(0, 2)
            progress = ProgressBar(sys.stderr, binary.tell())
            binary.seek(0)
        # What is loaded by now (Django, the models) outlives the import: frozen, it is
        # not traversed by the full collections a large import's garbage triggers.
        gc.freeze()
        try:
            with binary:
                summary = import_incidents(
                    binary,
                    encoding=options["encoding"],
                    strict=options["strict"],
                    dry_run=options["dry_run"],
                    publish=options["publish"],
                    batch_size=options["batch_size"],
                    progress=progress,
                    dataset=options["format"],
                )
        except FileRefused as refused:
            if progress:
                progress.close()
            for message in iter_problems(refused.problems, refused.id_column, refused.unit):
                self.stderr.write(message)
            raise CommandError(f"{options['file']}: {refused}; nothing was imported.") from None
        finally:
            gc.unfreeze()
        if progress:
            progress.close()
        for message in iter_problems(summary.problems, summary.id_column, summary.unit):
            self.stderr.write(f"skipped {message}")
        prefix = "Dry run, nothing written: would be " if options["dry_run"] else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}{summary.created} created, {summary.updated} updated, "
                f"{summary.unchanged} unchanged, {summary.skipped} skipped (bad rows); "
                f"{summary.groups_created} new group(s)."
            )
        )
