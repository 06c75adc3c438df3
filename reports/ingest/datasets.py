"""The datasets `import_incidents` reads, by the name --format gives each."""

from reports.ingest.gtd import GTD
from reports.ingest.incidents import import_rows
from reports.ingest.ucdp import GED

# In the order a header is tried against their required columns.
DATASETS = {dataset.name: dataset for dataset in (GED, GTD)}


def import_incidents(binary, *, dataset=None, **options):
    """Import a file of the dataset `dataset` names, else of the one its header is of
    (incidents.import_rows, whose `options` these are); return its Summary."""
    candidates = list(DATASETS.values()) if dataset is None else [DATASETS[dataset]]
    return import_rows(binary, candidates, **options)
