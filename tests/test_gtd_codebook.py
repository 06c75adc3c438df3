"""The GTD codebook the importer, the exporter and the generator share."""

from bench.generate import _GTD_ATTACKS
from reports.ingest import gtd_codebook as codebook
from reports.ingest.gtd import READ_COLUMNS
from reports.models import IncidentType


def test_the_importer_reads_only_codebook_columns():
    assert set(READ_COLUMNS) <= set(codebook.COLUMNS)
    assert set(codebook.REQUIRED_COLUMNS) <= set(READ_COLUMNS)


def test_every_archive_type_but_other_goes_to_a_gtd_attack_type_and_back():
    for kind in IncidentType:
        text = codebook.ATTACK_OF_INCIDENT_TYPE.get(kind)
        assert (text is None) == (kind == IncidentType.OTHER)
        if text is not None:
            assert codebook.INCIDENT_TYPE_OF_ATTACK[text.lower()] == kind


def test_the_generator_draws_every_codebook_attack_type_and_no_other():
    assert {text for text, _share in _GTD_ATTACKS} == set(codebook.ATTACK_CODES)
