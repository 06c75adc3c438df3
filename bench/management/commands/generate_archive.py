"""Fill an empty archive with synthetic published data, for tests of speed."""

import time

from django.core.management.base import BaseCommand, CommandError

from bench.generate import (
    ArchiveNotEmpty,
    generate_archive,
    write_ged_csv,
    write_gtd_csv,
    write_gtd_xlsx,
)


class Command(BaseCommand):
    help = (
        "Fill an EMPTY database with synthetic published reports, groups and incidents "
        "(all marked synthetic), or write --incidents rows to a file instead: a GTD-shaped "
        "CSV (--csv) or .xlsx workbook (--xlsx), or a UCDP GED-shaped CSV (--ged)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, default=10000)
        parser.add_argument("--incidents", type=int, default=200000)
        parser.add_argument("--groups", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=1)
        files = parser.add_mutually_exclusive_group()
        files.add_argument(
            "--csv",
            metavar="FILE",
            help="Write the incidents as a GTD-shaped CSV instead; the database is not touched.",
        )
        files.add_argument(
            "--xlsx",
            metavar="FILE",
            help="Write the same rows as --csv as a GTD-shaped .xlsx workbook instead.",
        )
        files.add_argument(
            "--ged",
            metavar="FILE",
            help="Write the incidents as a UCDP GED-shaped CSV instead, its groups named "
            "from the same pool as --csv's.",
        )

    def handle(self, *args, **options):
        for name in ("reports", "incidents", "groups"):
            if options[name] < 0:
                raise CommandError(f"--{name} cannot be negative.")
        started = time.monotonic()
        path = options["csv"] or options["xlsx"] or options["ged"]
        if path:
            sizes = {
                "rows": options["incidents"],
                "groups": max(options["groups"], 1),
                "seed": options["seed"],
            }
            if options["xlsx"]:
                write_gtd_xlsx(path, **sizes)
            else:
                with open(path, "w", encoding="utf-8", newline="") as stream:
                    (write_ged_csv if options["ged"] else write_gtd_csv)(stream, **sizes)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Wrote {options['incidents']} synthetic rows to {path} "
                    f"in {time.monotonic() - started:.1f} s."
                )
            )
            return

        def log(message):
            if options["verbosity"] >= 2:
                self.stdout.write(f"{time.monotonic() - started:6.1f} s  {message}")

        try:
            counts = generate_archive(
                reports=options["reports"],
                incidents=options["incidents"],
                groups=options["groups"],
                seed=options["seed"],
                log=log,
            )
        except ArchiveNotEmpty as error:
            raise CommandError(f"Refused: {error}.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {counts.reports} reports ({counts.paragraphs} paragraphs), "
                f"{counts.groups} groups, {counts.incidents} incidents "
                f"({counts.perpetrations} perpetrations), {counts.citations} citations, "
                f"all synthetic, in {time.monotonic() - started:.1f} s."
            )
        )
