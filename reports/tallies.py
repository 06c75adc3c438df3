"""Sums of an incident figure over many incidents, which say how much is not known.

Unknown is null, never zero: a sum adds only the figures the incidents give and keeps
how many give none, so a page can say "at least 21 (1 of 2 incidents gives no figure)",
or "not given" when none does (templates/reports/includes/tally.html marks it up).
"""

from dataclasses import dataclass

from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports.templatetags.formatting import number

# The figures every aggregate of incidents sums.
TALLIED = ("killed", "injured")


def tally_aggregates(figures=TALLIED):
    """Aggregate expressions for each figure: the sum of the values given, and how many
    incidents give one (COUNT of a column skips NULL; the rows' COUNT(*) is the rest)."""
    return {
        **{f"{figure}_known": Sum(figure) for figure in figures},
        **{f"{figure}_given": Count(figure) for figure in figures},
    }


@dataclass(frozen=True)
class Tally:
    """One figure summed over `incidents` incidents, `given` of which give it."""

    known: int  # the sum of the figures given; 0 when none is
    given: int
    incidents: int

    @classmethod
    def of(cls, row, figure):
        """The tally of `figure` in a row of `tally_aggregates()` with its "incidents"."""
        return cls(row[f"{figure}_known"] or 0, row[f"{figure}_given"], row["incidents"])

    def __add__(self, other):
        return Tally(
            self.known + other.known, self.given + other.given, self.incidents + other.incidents
        )

    @property
    def missing(self):
        """How many of the incidents give no figure."""
        return self.incidents - self.given

    @property
    def not_given(self):
        """True when there are incidents and none of them gives the figure."""
        return self.incidents > 0 and self.given == 0

    @property
    def at_least(self):
        """True when the sum is a lower bound: some incidents give it, some do not."""
        return self.given > 0 and self.missing > 0

    @property
    def label(self):
        """The sum as a reader is told it: "not given", "at least 21" or "21".

        Translated here, not in the template: a chart's table has a cell for each year
        and figure, and Jinja2's i18n calls cost many times Python's."""
        if self.not_given:
            return _("not given")
        if self.at_least:
            return _("at least %(number)s") % {"number": number(self.known)}
        return number(self.known)

    @property
    def missing_label(self):
        """How many incidents give no figure, "1 of 3 incidents gives no figure"."""
        return ngettext(
            "%(num)s of %(total)s incidents gives no figure",
            "%(num)s of %(total)s incidents give no figure",
            self.missing,
        ) % {"num": number(self.missing), "total": number(self.incidents)}

    @property
    def amount(self):
        """The sum as a number, or None when no incident gives the figure (no bar)."""
        return None if self.not_given else self.known


def tallies(row, figures=TALLIED):
    """{figure: Tally} of a row of `tally_aggregates()` with its "incidents"."""
    return {figure: Tally.of(row, figure) for figure in figures}
