"""An entry's sourced figures, as the open-data surfaces (API, exports, JSON-LD,
OAI-PMH) give them.

They read what the querysets prefetched (`published_claims`:
CitedQuerySet.with_published_claims), so a claim resting on a draft report's
passage never reaches a reader, nor counts in an estimate a reader sees.
"""

from reports.claims import estimates
from reports.models import INCIDENT_FIGURES, Figure, Incident


def figures_of(entry):
    """The figures an entry has: an incident's killed, injured and hostages, a group's strength."""
    return INCIDENT_FIGURES if isinstance(entry, Incident) else (Figure.STRENGTH,)


def published_estimates(entry):
    """{figure: Estimate or None} of the entry's published claims, for each of its figures."""
    return estimates(entry.published_claims, figures_of(entry))


def claim_words(claim):
    """A claim in a line of text: "at least 16 (“more than a dozen”, at the rescue)",
    "best 12 (low 10, high 15)"."""
    said = [f"“{claim.wording}”"] if claim.wording else []
    said += [claim.moment] if claim.moment else []
    return f"{claim.words} ({', '.join(said)})" if said else claim.words


def estimate_words(found):
    """An estimate in a line of text: "16", "at least 21", "81 (72 to 81)"."""
    if found.exact:
        return str(found.best)
    if found.high is None:
        at_least = f"at least {found.low}"
        return at_least if found.best == found.low else f"{found.best} ({at_least})"
    return f"{found.best} ({found.low} to {found.high})"
