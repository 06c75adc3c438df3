"""What the sources' figure claims add up to: a best estimate with its range.

An incident's killed, injured and hostages are each a set of FigureClaims (one per
source and moment). Readers see every claim with its footnote; lists, filters and
sorts need one number, the best estimate, which `Incident.killed` etc. store so a
list reads it from the row.

The best estimate is the claim an editor marks as best, else the most cautious
claim (the lowest low); of a range or an open bound it is the source's own best
estimate where it gives one (UCDP's "best"), else the least the source asserts ("more
than a dozen" counts as 13, "hundreds" as 200). Low and high span
every claim: high is open (None) when any claim's is.
"""

from dataclasses import dataclass, field

from reports.models import INCIDENT_FIGURES, Figure, FigureClaim, Incident
from reports.passages import footnote_numbers


@dataclass(frozen=True)
class Estimate:
    best: int
    low: int
    high: int | None  # None: some source gives only a lower bound
    claims: tuple  # the claims it is made of, in their order

    @property
    def exact(self):
        return self.high is not None and self.low == self.high

    @property
    def sources_differ(self):
        """Whether the claims give different figures (other sources or other moments)."""
        return len({(claim.low, claim.high, claim.point) for claim in self.claims}) > 1


def claim_value(claim):
    """The number a claim stands for in a list: the source's own best estimate where it
    gives one, else the least it asserts."""
    return claim.low if claim.point is None else claim.point


def best_claim(claims):
    """The claim marked best, else the one with the lowest low (the first of equals)."""
    marked = [claim for claim in claims if claim.best]
    if marked:
        return marked[0]
    return min(claims, key=lambda claim: claim.low)


def estimate(claims):
    """The Estimate made of `claims` (of one figure of one entry), or None without any."""
    claims = tuple(claims)
    if not claims:
        return None
    highs = [claim.high for claim in claims]
    return Estimate(
        best=claim_value(best_claim(claims)),
        low=min(claim.low for claim in claims),
        high=None if None in highs else max(highs),
        claims=claims,
    )


def estimates(claims, figures):
    """{figure: Estimate or None} for each of `figures`, from one entry's `claims`."""
    return {
        figure: estimate(claim for claim in claims if claim.figure == figure) for figure in figures
    }


def refresh_estimates(incident, figures=None):
    """Store the best estimate of each of `figures` (all the incident's by default) on the
    incident's row: the one place that keeps Incident.killed, injured and hostages in
    step with the claims a reader may see (None for a figure without any).

    `incident` is an Incident or its primary key; an Incident given is updated too.
    Called for every saved or deleted claim (reports.signals), so the admin, approvals
    and imports all keep the row right.
    """
    figures = INCIDENT_FIGURES if figures is None else [f for f in INCIDENT_FIGURES if f in figures]
    if not figures:
        return
    pk = getattr(incident, "pk", incident)
    # Only what a reader may see: a claim resting on a draft report's passage must not
    # reach a list through the row.
    claims = list(
        FigureClaim.objects.published()
        .filter(incident_id=pk, figure__in=figures)
        .only("figure", "low", "high", "point", "best")
    )
    values = {
        figure: None if found is None else found.best
        for figure, found in estimates(claims, figures).items()
    }
    # An update, not a save: the claims carry their own history, and a save would write
    # the incident's every field from a copy that may be older than the row.
    Incident.objects.filter(pk=pk).update(**values)
    if isinstance(incident, Incident):
        for figure, value in values.items():
            setattr(incident, figure, value)


def refresh_estimates_resting_on(**where):
    """refresh_estimates() of every incident with a claim whose citation matches `where`
    (e.g. citation__report=report): a report published or withdrawn, or a citation moved
    to another report, changes which claims a reader may see."""
    incidents = (
        FigureClaim.objects.filter(incident__isnull=False, **where)
        .values_list("incident_id", flat=True)
        .distinct()
    )
    for incident_id in incidents:
        refresh_estimates(incident_id)


# --- What an entry's page shows of its figures -------------------------------------


@dataclass(frozen=True)
class ClaimRow:
    """One claim as a page shows it: the claim and the number of its footnote (its
    citation's place in the page's citations list, from 1), None for a dataset row."""

    claim: object
    note: int | None
    language: str = ""  # of the report its citation quotes; none for a dataset row
    dataset: str = ""  # the dataset of the row a dataset claim rests on ("UCDP GED")


@dataclass(frozen=True)
class FigureRow:
    """One figure of an entry as its page shows it.

    `estimate` is None when no claim the reader may see gives the figure; `value` is
    then what the entry's row holds if no claim at all gives it (a figure not yet
    resting on a claim).
    `shown` is every claim the reader may see; `claims` is the same list when their
    figures differ, to be shown side by side, else empty (then they say the same, and
    `best` speaks for all of them, with all their footnotes).
    """

    figure: str
    label: str
    estimate: Estimate | None
    best: ClaimRow | None
    shown: list = field(default_factory=list)
    claims: list = field(default_factory=list)
    value: int | None = None


def figure_rows(claims, citations, figures, entry=None):
    """[FigureRow] for `figures` of an entry, from its `claims` and the page's `citations`.

    A claim shows only if it rests on a citation the page lists (so on a published
    source) or on the dataset row; its footnote is its citation's place in the list, as
    reports.passages.footnotes numbers them. `entry` gives a figure's row value when no
    claim gives it.
    """
    claims = list(claims)
    numbers = footnote_numbers(citations)
    languages = {citation.pk: citation.report.language for citation in citations}
    dataset = getattr(entry, "external_source", "")
    rows = []
    for figure in figures:
        shown = [
            ClaimRow(
                claim,
                numbers.get(claim.citation_id),
                languages.get(claim.citation_id, ""),
                dataset if claim.from_dataset else "",
            )
            for claim in claims
            if claim.figure == figure and (claim.from_dataset or claim.citation_id in numbers)
        ]
        found = estimate(row.claim for row in shown)
        best = None
        if found is not None:
            chosen = best_claim(found.claims)
            best = next(row for row in shown if row.claim is chosen)
        # The row's own value only for a figure no claim gives yet (not yet sourced):
        # one resting on sources a reader may not see is not given, as far as the page goes.
        claimed = any(claim.figure == figure for claim in claims)
        rows.append(
            FigureRow(
                figure=figure,
                label=Figure(figure).label,
                estimate=found,
                best=best,
                shown=shown,
                claims=shown if found is not None and found.sources_differ else [],
                value=None if claimed or entry is None else getattr(entry, figure, None),
            )
        )
    return rows
