"""What the sources' figure claims add up to: a best estimate with its range.

An incident's killed, injured and hostages are each a set of FigureClaims (one per
source and moment). Readers see every claim with its footnote; lists, filters and
sorts need one number, the best estimate, which `Incident.killed` etc. store so a
list reads it from the row.

The best estimate is the claim an editor marks as best, else the most cautious
claim (the lowest low); of a range or an open bound it is the least the source
asserts ("more than a dozen" counts as 13, "hundreds" as 200). Low and high span
every claim: high is open (None) when any claim's is.
"""

from dataclasses import dataclass


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
        return len({(claim.low, claim.high) for claim in self.claims}) > 1


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
        best=best_claim(claims).low,
        low=min(claim.low for claim in claims),
        high=None if None in highs else max(highs),
        claims=claims,
    )


def estimates(claims, figures):
    """{figure: Estimate or None} for each of `figures`, from one entry's `claims`."""
    return {
        figure: estimate(claim for claim in claims if claim.figure == figure) for figure in figures
    }
