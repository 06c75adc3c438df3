"""Every write to what readers can see moves the archive's stamp (reports/signals.py)."""

from django.apps import apps

from reports.models import ArchiveState, Organisation
from tests.factories import make_group, make_incident


def version():
    return ArchiveState.current()[0]


def test_saving_and_deleting_a_curated_row_moves_the_stamp(db):
    before = version()
    organisation = Organisation.objects.create(name="Refworld")
    assert version() == before + 1
    organisation.delete()
    assert version() == before + 2


def test_naming_a_perpetrator_through_the_relation_moves_the_stamp(db):
    incident, group = make_incident(), make_group()
    before = version()
    incident.perpetrators.add(group)
    assert version() > before


def test_the_receivers_stay_connected_once_when_the_app_is_readied_again(db):
    apps.get_app_config("reports").ready()  # as a second setup would
    before = version()
    Organisation.objects.create(name="Refworld")
    assert version() == before + 1
