"""Model rules: database constraints, their clean() mirrors, citations, published querysets."""

import contextlib
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from reports.models import Citation, Group, Incident, Report, Status
from tests.factories import make_citation, make_group, make_incident, make_report

HOSTAGE_QUOTE = "successfully rescued all but one of the 72 remaining hostages"


@contextlib.contextmanager
def refused_by_database():
    """Expect an IntegrityError, in a savepoint so the test's transaction stays usable."""
    with pytest.raises(IntegrityError), transaction.atomic():
        yield


# --- Unique slugs and checksums -----------------------------------------------


@pytest.mark.django_db
def test_report_slug_is_unique(seed_report):
    copy = Report.objects.get(pk=seed_report.pk)
    copy.pk = None
    copy.sha256 = "0" * 64
    with refused_by_database():
        copy.save()


@pytest.mark.django_db
def test_report_checksum_is_unique(seed_report):
    copy = Report.objects.get(pk=seed_report.pk)
    copy.pk = None
    copy.slug = "another-slug"
    with refused_by_database():
        copy.save()


@pytest.mark.django_db
def test_group_slug_is_unique():
    make_group(name="MRTA", slug="mrta")
    with refused_by_database():
        make_group(name="Tupac Amaru", slug="mrta")


@pytest.mark.django_db
def test_incident_slug_is_unique():
    make_incident(slug="lima-bomb")
    with refused_by_database():
        make_incident(title="Another", slug="lima-bomb")


# --- Incident dates and counts ------------------------------------------------


@pytest.mark.django_db
def test_end_date_before_start_date_is_refused_by_the_database():
    with refused_by_database():
        make_incident(start_date="1997-04-22", end_date="1996-12-17")


@pytest.mark.django_db
def test_end_date_before_start_date_is_refused_by_clean_with_a_friendly_message(peru):
    incident = Incident(
        title="Hostage crisis",
        slug="hostage-crisis",
        start_date=datetime.date(1997, 4, 22),
        end_date=datetime.date(1996, 12, 17),
        country=peru,
    )
    with pytest.raises(ValidationError) as error:
        incident.full_clean()
    assert error.value.message_dict == {
        "end_date": ["The end date cannot be before the start date."]
    }


@pytest.mark.django_db
def test_end_date_on_or_after_start_date_and_open_end_are_accepted():
    make_incident(slug="same-day", start_date="1997-04-22", end_date="1997-04-22")
    make_incident(slug="later", start_date="1996-12-17", end_date="1997-04-22")
    make_incident(slug="open", start_date="1997-05-01", end_date=None)
    assert Incident.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["killed", "injured", "hostages"])
def test_negative_counts_are_refused_by_the_database(field):
    incident = make_incident()
    with refused_by_database():
        Incident.objects.filter(pk=incident.pk).update(**{field: -1})


@pytest.mark.django_db
def test_unknown_counts_stay_null_and_zero_stays_zero():
    incident = make_incident(killed=0, injured=None)
    incident.refresh_from_db()
    assert (incident.killed, incident.injured, incident.hostages) == (0, None, None)


# --- Citations ----------------------------------------------------------------


@pytest.mark.django_db
def test_citation_finds_its_paragraph_when_not_given(seed_report):
    citation = make_citation(seed_report, HOSTAGE_QUOTE, incident=make_incident())
    assert citation.paragraph == seed_report.paragraphs.get(number=2)


@pytest.mark.django_db
def test_citation_keeps_the_paragraph_it_is_given(seed_report):
    paragraph = seed_report.paragraphs.get(number=3)
    citation = make_citation(
        seed_report, "Sendero kidnapped 30 employees", paragraph=paragraph, group=make_group()
    )
    assert citation.paragraph == paragraph


@pytest.mark.django_db
def test_citation_whose_quote_is_absent_is_refused_with_a_clear_message(seed_report):
    incident = make_incident()
    with pytest.raises(ValidationError) as error:
        make_citation(seed_report, "The MRTA surrendered peacefully.", incident=incident)
    assert error.value.message_dict["quote"] == [
        "The quoted passage does not occur in “Patterns of Global Terrorism 1997 - Peru”."
    ]
    assert Citation.objects.count() == 0


@pytest.mark.django_db
def test_citation_quote_in_the_wrong_paragraph_is_refused(seed_report):
    with pytest.raises(ValidationError) as error:
        make_citation(
            seed_report,
            HOSTAGE_QUOTE,
            paragraph=seed_report.paragraphs.get(number=1),
            incident=make_incident(),
        )
    assert error.value.message_dict["quote"] == [
        "The quoted passage does not occur in paragraph 1 of "
        "“Patterns of Global Terrorism 1997 - Peru”; it occurs in paragraph 2."
    ]


@pytest.mark.django_db
def test_citation_quote_absent_from_the_given_paragraph_and_the_report_is_refused(seed_report):
    with pytest.raises(ValidationError) as error:
        make_citation(
            seed_report,
            "The MRTA surrendered peacefully.",
            paragraph=seed_report.paragraphs.get(number=1),
            incident=make_incident(),
        )
    assert error.value.message_dict["quote"] == [
        "The quoted passage does not occur in paragraph 1 of "
        "“Patterns of Global Terrorism 1997 - Peru”."
    ]


@pytest.mark.django_db
def test_citation_paragraph_of_another_report_is_refused(seed_report):
    other = make_report(body="successfully rescued all but one of the 72 remaining hostages")
    with pytest.raises(ValidationError) as error:
        make_citation(
            seed_report,
            HOSTAGE_QUOTE,
            paragraph=other.paragraphs.get(),
            incident=make_incident(),
        )
    assert "The paragraph chosen is not a paragraph of" in error.value.message_dict["quote"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "quote",
    [
        "successfully rescued all but one\nof the 72 remaining hostages",
        "successfully  rescued all but one of the 72   remaining hostages",
        "  successfully rescued all but one of the 72 remaining hostages\r\n",
        "successfully rescued all\tbut one of the\n\n72 remaining hostages",
    ],
)
def test_citation_quote_matches_whitespace_aside(seed_report, quote):
    citation = make_citation(seed_report, quote, incident=make_incident())
    assert citation.paragraph.number == 2


@pytest.mark.django_db
def test_citation_quote_must_match_case_and_words(seed_report):
    with pytest.raises(ValidationError):
        make_citation(seed_report, HOSTAGE_QUOTE.upper(), incident=make_incident())


@pytest.mark.django_db
def test_citation_of_a_blank_quote_is_refused(seed_report):
    with pytest.raises(ValidationError):
        make_citation(seed_report, "   ", incident=make_incident())


@pytest.mark.django_db
def test_citation_must_support_one_subject_in_clean(seed_report):
    with pytest.raises(ValidationError) as error:
        make_citation(seed_report, HOSTAGE_QUOTE)
    assert "exactly one incident or one group" in str(error.value)
    with pytest.raises(ValidationError):
        make_citation(seed_report, HOSTAGE_QUOTE, incident=make_incident(), group=make_group())


@pytest.mark.django_db
def test_citation_must_support_one_subject_in_the_database(seed_report):
    citation = make_citation(seed_report, HOSTAGE_QUOTE, incident=make_incident())
    # update() skips save() and clean(): only the constraint stands in the way.
    with refused_by_database():
        Citation.objects.filter(pk=citation.pk).update(group=make_group())
    with refused_by_database():
        Citation.objects.filter(pk=citation.pk).update(incident=None)


@pytest.mark.django_db
def test_citation_facts_must_be_known(seed_report):
    with pytest.raises(ValidationError) as error:
        make_citation(seed_report, HOSTAGE_QUOTE, incident=make_incident(), facts=["weather"])
    assert "Unknown facts: weather" in error.value.message_dict["facts"][0]


# --- Published querysets -------------------------------------------------------


@pytest.mark.django_db
def test_published_querysets_return_only_published_rows():
    for year, status in enumerate(Status.values, start=1998):
        make_report(title=f"Patterns of Global Terrorism {year} - Peru", status=status)
        make_group(name=f"Group {status}", status=status)
        make_incident(title=f"Incident {status}", status=status)
    for model in (Report, Group, Incident):
        assert list(model.objects.published().values_list("status", flat=True)) == [
            Status.PUBLISHED
        ]
        assert model.objects.count() == 3


@pytest.mark.django_db
def test_published_citations_hide_those_of_draft_reports_and_subjects(seed_report):
    shown = make_citation(seed_report, HOSTAGE_QUOTE, incident=make_incident(slug="shown"))
    make_citation(
        seed_report, HOSTAGE_QUOTE, incident=make_incident(slug="draft", status=Status.DRAFT)
    )
    make_citation(seed_report, HOSTAGE_QUOTE, group=make_group(status=Status.REVIEW))
    draft_report = make_report(status=Status.DRAFT, body="A paragraph about the MRTA.")
    make_citation(draft_report, "the MRTA", incident=make_incident(slug="from-draft"))

    assert list(Citation.objects.published()) == [shown]
