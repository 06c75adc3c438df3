"""Signal receivers of the archive; ReportsConfig.ready() connects them."""

from reports import models

# Every save and delete of these bumps the archive's stamp. Bulk writers, which send
# no signals (bulk_create, reports.ingest.bulk), call ArchiveState.bump() themselves.
CURATED_MODELS = (
    models.Report,
    models.Paragraph,
    models.Group,
    models.GroupAlias,
    models.Leader,
    models.Incident,
    models.Perpetration,
    models.Citation,
    models.FigureClaim,
    models.GroupRelation,
    models.Designation,
    models.Country,
    models.Organisation,
)
# The perpetrators of an incident set through the relation (incident.perpetrators.add()).
CURATED_RELATIONS = (models.Incident.perpetrators.through,)


def bump_archive_state(sender, using="default", **kwargs):
    """Record a change to what readers can see: new page cache keys and HTTP validators."""
    models.ArchiveState.bump(using=using)


def key_quote(sender, instance, **kwargs):
    """Key a citation's quote on every save, a fixture's raw save included, so the
    citation_unique_passage constraint compares the words, whitespace aside."""
    instance.quote_key = models.quote_key(instance.quote)
