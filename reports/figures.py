"""Aggregates the public pages show, computed once per archive change.

`derived(key, compute)` returns `compute()`'s JSON-able result as stored in a
Figures row for the current ArchiveState stamp, computing and storing it when the
stored one belongs to an earlier stamp (`derived_together`: several, read in one
query). A publish, an edit or an unpublish bumps the stamp, so the very next request
sees fresh figures; between changes a page reads one row instead of aggregating
200,000 incidents. The stamp is read before computing: a change that lands meanwhile
leaves the row under the older stamp, so the next request computes again rather than
keeping figures older than their label.

After a change, the first requests of every worker would compute the same figures at
once; a claim in the shared cache lets one compute while the others wait for its row.

A key names the shape of its data: a change of shape takes a new key ("-v2"), so a
row stored in the old shape under the current stamp is never read as the new one.
"""

import logging
from time import monotonic, sleep

from django.core.cache import cache
from django.db import DatabaseError, connections, router, transaction
from django.db.models import Count

from reports.charts import yearly_totals
from reports.models import ArchiveState, Citation, Figures, Group, Incident, Report
from reports.tallies import tally_aggregates

logger = logging.getLogger(__name__)


# Extra queries of the first request after a change: the stamp, then the write
# (savepoint, update, insert when new, release).
COMPUTE_QUERIES = 5


# Seconds a request waits for the process that claimed the same figures (a key in the
# shared cache) before it computes them itself.
COMPUTE_WAIT = 10


def derived(key, compute):
    return derived_together({key: compute})[key]


def derived_together(computes):
    """{key: derived(key, compute)} for each of `computes` ({key: compute}): the stored
    ones read in one query (a form's choice lists), the others computed as derived()."""
    stored = _stored(list(computes))
    return {
        key: stored[key] if key in stored else _computed(key, compute)
        for key, compute in computes.items()
    }


def _computed(key, compute):
    """compute()'s result, stored under `key` for the current stamp (see the module)."""
    version, changed_at = ArchiveState.current()
    # After a change every worker's first request would compute the same aggregates at
    # once, each slower for the others; one computes, the rest wait for its row.
    claim = f"figures-computing:{key}:{version}:{changed_at.timestamp()}"
    holder = cache.add(claim, True, COMPUTE_WAIT)
    if not holder:
        stored = _stored_once_computed(key, claim)
        if stored is not None:
            return stored
    try:
        return _compute_and_store(key, compute, version, changed_at)
    finally:
        if holder:
            cache.delete(claim)


def _compute_and_store(key, compute, version, changed_at):
    data = compute()
    try:
        # Its own savepoint: a failed write (a locked SQLite file during an import)
        # costs only the saving, never the page or the request's transaction.
        with transaction.atomic():
            stamp = {"version": version, "changed_at": changed_at, "data": data}
            if not Figures.objects.filter(key=key).update(**stamp):
                Figures.objects.create(key=key, **stamp)
    except DatabaseError as error:  # IntegrityError too: another request stored it first
        logger.warning("Figures %r not stored: %s", key, error)
    return data


def _stored_once_computed(key, claim):
    """The data under `key` as soon as the process holding `claim` has stored it; None if
    that process let go without storing (it failed, or the archive changed meanwhile) or
    COMPUTE_WAIT passed."""
    deadline = monotonic() + COMPUTE_WAIT
    while monotonic() < deadline:
        sleep(0.05)
        stored = _stored([key]).get(key)
        if stored is not None or not cache.get(claim):
            return stored
    return None


_DATA = Figures._meta.get_field("data")


def _stored(keys):
    """{key: data} of those of `keys` stored for the archive's current stamp: one query.

    Raw SQL, as ArchiveState.current(): a list page reads two or three figures, and the
    ORM takes many times longer to build each of these queries than the database takes
    to run it.
    """
    # The stamp and the rows from the one database this request reads (archive/routers.py).
    reading = connections[router.db_for_read(Figures)]
    quote = reading.ops.quote_name
    figures, state = quote(Figures._meta.db_table), quote(ArchiveState._meta.db_table)
    with reading.cursor() as cursor:
        cursor.execute(
            f"SELECT f.key, f.data FROM {figures} f JOIN {state} s ON s.id = 1"  # noqa: S608 (tables)
            f" WHERE f.key IN ({', '.join(['%s'] * len(keys))})"
            " AND f.version = s.version AND f.changed_at = s.changed_at",
            keys,
        )
        rows = cursor.fetchall()
    return {key: _DATA.from_db_value(data, None, reading) for key, data in rows}


def archive_counts():
    """{"reports": n, "incidents": n, "groups": n} of the published rows of each kind, and
    the incidents' tallies.tally_aggregates() (tallies.tallies() reads them)."""
    return derived(
        "counts-v2",
        lambda: {
            "reports": Report.objects.published().count(),
            # The count and the casualty sums in the one query.
            **Incident.objects.published().aggregate(incidents=Count("pk"), **tally_aggregates()),
            "groups": Group.objects.published().count(),
        },
    )


def citation_count():
    """The number of citations a reader may see: the API's unfiltered citation list."""
    return derived("citations", lambda: Citation.objects.published().count())


def group_years(group):
    """charts.yearly_totals() of `group`'s incidents: its page's chart reads one row."""
    return derived(f"group-years-v2:{group.pk}", lambda: yearly_totals(group.incidents.all()))
