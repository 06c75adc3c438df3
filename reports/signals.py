"""Signal receivers of the archive; ReportsConfig.ready() connects them."""

from reports.models import (
    ArchiveState,
    Citation,
    Country,
    Group,
    GroupAlias,
    Incident,
    Leader,
    Organisation,
    Paragraph,
    Perpetration,
    Report,
)

# Every save and delete of these bumps the archive's stamp. Bulk writers, which send
# no signals (bulk_create, reports.ingest.bulk), call ArchiveState.bump() themselves.
CURATED_MODELS = (
    Report,
    Paragraph,
    Group,
    GroupAlias,
    Leader,
    Incident,
    Perpetration,
    Citation,
    Country,
    Organisation,
)
# The perpetrators of an incident set through the relation (incident.perpetrators.add()).
CURATED_RELATIONS = (Incident.perpetrators.through,)


def bump_archive_state(sender, using="default", **kwargs):
    """Record a change to what readers can see: new page cache keys and HTTP validators."""
    ArchiveState.bump(using=using)
