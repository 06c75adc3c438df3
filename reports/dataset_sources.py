"""The datasets incidents are imported from (Incident.external_source), as a page names
them: the dataset row an imported incident and its figures rest on is a source too.
(What the import reads of each dataset is reports.ingest.datasets.)"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class DatasetSource:
    key: str  # Incident.external_source
    name: str
    publisher: str
    url: str
    id_column: str  # the dataset's own column of the row's id


SOURCES = {
    dataset.key: dataset
    for dataset in (
        DatasetSource(
            "GTD",
            _("Global Terrorism Database"),
            "START, University of Maryland",
            "https://www.start.umd.edu/gtd/",
            "eventid",
        ),
        DatasetSource(
            "UCDP GED",
            _("UCDP Georeferenced Event Dataset"),
            "Uppsala Conflict Data Program",
            "https://ucdp.uu.se/downloads/",
            "id",
        ),
    )
}


def source_of(incident):
    """The DatasetSource `incident` was imported from, or None (curated from documents, or a
    dataset not described here)."""
    return SOURCES.get(incident.external_source)
