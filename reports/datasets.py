"""The datasets incidents are imported from (Incident.external_source), as a page names
them: the dataset row an imported incident and its figures rest on is a source too."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Dataset:
    key: str  # Incident.external_source
    name: str
    publisher: str
    url: str
    id_column: str  # the dataset's own column of the row's id


DATASETS = {
    dataset.key: dataset
    for dataset in (
        Dataset(
            "GTD",
            _("Global Terrorism Database"),
            "START, University of Maryland",
            "https://www.start.umd.edu/gtd/",
            "eventid",
        ),
        Dataset(
            "UCDP GED",
            _("UCDP Georeferenced Event Dataset"),
            "Uppsala Conflict Data Program",
            "https://ucdp.uu.se/downloads/",
            "id",
        ),
    )
}


def dataset_of(incident):
    """The Dataset `incident` was imported from, or None (curated from documents, or a
    dataset not described here)."""
    return DATASETS.get(incident.external_source)
