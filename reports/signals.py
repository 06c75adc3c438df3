"""Signal receivers of the archive; ReportsConfig.ready() connects them."""

from reports import models
from reports.claims import refresh_estimates, refresh_estimates_resting_on

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


def remember_claimed(sender, instance, raw=False, **kwargs):
    """Note what a claim counted before this save (incident, figure), so the figure it
    leaves is refreshed too (refresh_claimed)."""
    if raw or instance.pk is None:
        return
    instance._claimed_before = (
        models.FigureClaim.objects.filter(pk=instance.pk)
        .values_list("incident_id", "figure")
        .first()
    )


def refresh_claimed(sender, instance, raw=False, **kwargs):
    """Keep the incident row's best estimates in step with a saved or deleted claim.

    A fixture's raw load is left alone: the fixture carries the row's values itself.
    """
    if raw:
        return
    touched = {(instance.incident_id, instance.figure)}
    touched.add(getattr(instance, "_claimed_before", None) or (None, None))
    by_incident = {}
    for incident_id, figure in touched:
        if incident_id is not None:
            by_incident.setdefault(incident_id, set()).add(figure)
    for incident_id, figures in by_incident.items():
        refresh_estimates(incident_id, figures)


def refresh_sources_claims(sender, instance, raw=False, **kwargs):
    """A report's status or a citation's report decides which claims a reader may see,
    so the rows' best estimates follow a report's or a citation's save."""
    if raw:
        return
    if isinstance(instance, models.Report):
        refresh_estimates_resting_on(citation__report=instance)
    else:
        refresh_estimates_resting_on(citation=instance)
