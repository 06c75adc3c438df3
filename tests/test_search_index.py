"""Incidents and groups in search_archive: words, ranking, and the indexes of migration
0006 following every kind of write at once (admin-style saves, .update(), the bulk
writers). These run on whichever database the suite runs on (CI runs SQLite and
PostgreSQL) and expect the same results on both."""

import datetime
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from reports.ingest.datasets import import_incidents
from reports.models import Citation, Group, GroupAlias, Incident, Leader, Status
from reports.search import search_archive
from reports.search.query import MAX_WORDS, parse
from tests.factories import make_citation, make_group, make_incident, make_report
from tests.test_import_incidents import BOMB, HEADER


def incidents(query, limit=20):
    return [incident.title for incident in search_archive(query, limit=limit).incidents]


def groups(query, limit=20):
    return [group.name for group in search_archive(query, limit=limit).groups]


def incident(title, day="1997-05-01", **kwargs):
    slug = f"{title.lower().replace(' ', '-')}-{day}"
    return make_incident(title=title, start_date=day, slug=slug, **kwargs)


# --- What matches ---------------------------------------------------------------


def test_each_word_may_be_in_the_title_the_summary_or_a_cited_quote(db):
    report = make_report(body="Witnesses saw an ocelot.")
    raid = incident("Jaguar raid", summary="Armed men came by night.")
    make_citation(report, "Witnesses saw an ocelot.", incident=raid)

    assert incidents("jaguar night ocelot") == ["Jaguar raid"]
    assert incidents("ocelot") == ["Jaguar raid"]
    assert incidents("jaguar tapir") == []


def test_words_match_whole_and_stemmed_not_as_substrings(db):
    incident("Frontier bombings")

    assert incidents("frontier") == ["Frontier bombings"]
    assert incidents("bombing") == ["Frontier bombings"]  # stemmed, as report search
    assert incidents("front") == []
    assert incidents("bomb frontiers") == ["Frontier bombings"]


def test_quotes_of_draft_reports_do_not_count_until_published(db):
    report = make_report(body="The zanzibar passage.", status=Status.DRAFT)
    make_citation(report, "The zanzibar passage.", incident=incident("Quiet"))
    assert incidents("zanzibar") == []

    report.status = Status.PUBLISHED
    report.save()
    assert incidents("zanzibar") == ["Quiet"]

    report.status = Status.REVIEW
    report.save()
    assert incidents("zanzibar") == []


def test_group_words_may_be_in_name_acronym_alias_leader_or_description(db):
    group = make_group(name="Shining Path", acronym="SL", description="Maoist rebels.")
    GroupAlias.objects.create(group=group, name="Sendero Luminoso")
    Leader.objects.create(group=group, name="Abimael Guzman")

    for query in ["shining", "SL", "luminoso", "guzman", "maoist", "path guzman maoist"]:
        assert groups(query) == ["Shining Path"], query
    assert groups("path tapir") == []


def test_groups_named_by_every_word_rank_first_then_by_name(db):
    make_group(name="Alpha Army", slug="alpha", description="Okapi herders.")
    make_group(name="Zeta Okapi Front", slug="zeta")
    aliased = make_group(name="Omega Brigade", slug="omega")
    GroupAlias.objects.create(group=aliased, name="Okapi Men")
    make_group(name="Beta Cell", slug="beta", acronym="OKAPI")

    assert groups("okapi") == ["Beta Cell", "Omega Brigade", "Zeta Okapi Front", "Alpha Army"]
    assert groups("okapi", limit=2) == ["Beta Cell", "Omega Brigade"]
    # Named ones filling the page exactly, and one more: the others are read then.
    assert groups("okapi", limit=3) == ["Beta Cell", "Omega Brigade", "Zeta Okapi Front"]
    make_group(name="Aardvark Okapi Front", slug="aardvark", status=Status.DRAFT)
    assert groups("okapi", limit=4) == groups("okapi")


# --- Ranking ----------------------------------------------------------------------


@pytest.fixture
def okapis(db):
    """Incidents with "okapi": two in the title, the others in the summary, several
    on one day; returns all their titles in the order search must give them."""
    titled = [incident("Okapi raid", "1990-01-01"), incident("Okapi siege", "1985-06-01")]
    summary = {"summary": "An okapi was seen."}
    others = [incident(f"Raid {n:02}", f"{1960 + n}-03-03", **summary) for n in range(20)]
    # Five on the same day: they rank by title, whatever their ids.
    for title in ["Echo", "Alpha", "Delta", "Bravo", "Charlie"]:
        others.append(incident(title, "1970-07-07", **summary))
    incident("Unrelated", "2001-01-01")
    incident("Okapi draft", "2002-02-02", status=Status.DRAFT)

    def rank(row):
        return (-row.start_date.toordinal(), row.title)

    rows = Incident.objects.filter(pk__in=[i.pk for i in titled + others])
    by_title = sorted((r for r in rows if r.title.startswith("Okapi")), key=rank)
    by_date = sorted((r for r in rows if not r.title.startswith("Okapi")), key=rank)
    return [r.title for r in by_title + by_date]


def test_incidents_rank_by_title_match_then_newest_then_title(okapis):
    assert incidents("okapi", limit=50) == okapis


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 10, 13, 14, 15, 20])
def test_the_first_of_many_matches_are_the_first_of_the_whole_ranking(okapis, limit):
    """The engine reads only the newest matches (and the rest of their last day);
    the result must be the very start of the full ranking, ties on a day included."""
    assert incidents("okapi", limit=limit) == okapis[:limit]


def test_a_changed_start_date_moves_the_incident(db):
    old = incident("Okapi alpha", "1980-01-01")
    incident("Okapi bravo", "1990-01-01")
    assert incidents("okapi") == ["Okapi bravo", "Okapi alpha"]

    old.start_date = datetime.date(1999, 1, 1)
    old.save()
    assert incidents("okapi") == ["Okapi alpha", "Okapi bravo"]
    assert incidents("okapi", limit=1) == ["Okapi alpha"]


# --- The index follows every write --------------------------------------------------


def test_index_follows_edits_status_and_deletion_of_incidents(db):
    raid = incident("Tapir raid", summary="Nothing of note.")
    assert incidents("tapir") == ["Tapir raid"]

    raid.title = "Okapi raid"
    raid.save()
    assert incidents("tapir") == []
    assert incidents("okapi raid") == ["Okapi raid"]

    Incident.objects.filter(pk=raid.pk).update(summary="A zebu escaped.")
    assert incidents("zebu") == ["Okapi raid"]
    assert incidents("note") == []

    raid.refresh_from_db()
    raid.set_status(Status.DRAFT)
    raid.save()
    assert incidents("okapi") == []
    raid.set_status(Status.PUBLISHED)
    raid.save()
    assert incidents("okapi") == ["Okapi raid"]

    raid.delete()
    assert incidents("okapi") == []


def test_index_follows_citations_created_edited_moved_and_deleted(db):
    report = make_report(body="The ocelot passage.\n\nThe tapir passage.")
    quiet, calm = incident("Quiet"), incident("Calm", "1990-01-01")

    citation = make_citation(report, "The ocelot passage.", incident=quiet)
    assert incidents("ocelot") == ["Quiet"]

    citation.quote = "The tapir passage."
    citation.paragraph = None
    citation.save()
    assert incidents("ocelot") == []
    assert incidents("tapir") == ["Quiet"]

    citation.incident = calm
    citation.save()
    assert incidents("tapir") == ["Calm"]

    citation.delete()
    assert incidents("tapir") == []


def test_deleting_an_incident_with_citations_empties_the_index(db):
    report = make_report(body="The ocelot passage.")
    raid = incident("Quiet")
    make_citation(report, "The ocelot passage.", incident=raid)

    raid.delete()

    assert incidents("ocelot") == incidents("quiet") == []
    assert not Citation.objects.exists()


def test_index_follows_groups_their_aliases_and_leaders(db):
    group = make_group(name="Okapi Front", description="Rebels.")
    assert groups("okapi") == ["Okapi Front"]

    alias = GroupAlias.objects.create(group=group, name="Tapir Brigade")
    leader = Leader.objects.create(group=group, name="Juan Zebu")
    assert groups("tapir") == groups("zebu") == ["Okapi Front"]

    alias.name = "Ocelot Brigade"
    alias.save()
    assert groups("tapir") == []
    assert groups("ocelot") == ["Okapi Front"]
    leader.delete()
    assert groups("zebu") == []

    Group.objects.filter(pk=group.pk).update(name="Quokka Front", description="Bandits.")
    assert groups("okapi") == groups("rebels") == []
    assert groups("quokka bandits") == ["Quokka Front"]

    group.refresh_from_db()
    group.status = Status.REVIEW
    group.save()
    assert groups("quokka") == []
    group.status = Status.PUBLISHED
    group.save()
    assert groups("ocelot") == ["Quokka Front"]

    group.delete()
    assert groups("quokka") == groups("ocelot") == []


def test_bulk_create_and_bulk_update_are_indexed(db):
    country = make_incident(title="Seed").country
    Incident.objects.bulk_create(
        [
            Incident(
                title=f"Okapi {n}",
                slug=f"okapi-{n}",
                start_date=f"199{n}-01-01",
                country=country,
                status=Status.PUBLISHED,
            )
            for n in range(3)
        ]
    )
    assert incidents("okapi") == ["Okapi 2", "Okapi 1", "Okapi 0"]

    rows = list(Incident.objects.filter(title__startswith="Okapi"))
    for row in rows:
        row.title = row.title.replace("Okapi", "Tapir")
    Incident.objects.bulk_update(rows, ["title"])
    assert incidents("okapi") == []
    assert incidents("tapir") == ["Tapir 2", "Tapir 1", "Tapir 0"]


def test_import_incidents_finds_its_rows_at_once_and_never_drafts(db):
    import_incidents(BytesIO(f"{HEADER}\n{BOMB}\n".encode()))  # drafts by default
    assert incidents("car bomb exploded") == []

    import_incidents(BytesIO(f"{HEADER}\n{BOMB}\n".encode()), publish=True)
    assert incidents("car bomb exploded") == ["Bombing in Lima, Peru (1997-05-12)"]

    changed = BOMB.replace("A car bomb exploded.", "A truck bomb exploded.")
    import_incidents(BytesIO(f"{HEADER}\n{changed}\n".encode()), publish=True)
    assert incidents("car") == []
    assert incidents("truck") == ["Bombing in Lima, Peru (1997-05-12)"]


def test_generate_archive_indexes_everything_and_leaves_the_triggers_working(db):
    call_command(
        "generate_archive", "--reports=3", "--incidents=30", "--groups=4", stdout=StringIO()
    )
    # Every generated title says "[SYNTHETIC]"; the newest come first.
    newest = Incident.objects.order_by("-start_date", "title")[:20]
    assert incidents("synthetic") == [row.title for row in newest]
    assert len(groups("synthetic")) == 4

    incident("Okapi after generation")
    assert incidents("okapi") == ["Okapi after generation"]


# --- Input that is not a plain word ----------------------------------------------


HOSTILE = [
    '"',
    '"unterminated',
    "*",
    "okapi*",
    "NEAR(",
    "NEAR(okapi raid, 2)",
    "AND OR NOT",
    "title:okapi",
    "{title summary}: okapi",
    "-okapi",
    "^okapi",
    "(okapi",
    "x\x00y",
    "okapi & | ! :*",
    "<script>alert(1)</script>",
    "%_%",
    "'; DROP TABLE reports_incident; --",
    "okapi " * 1000,
    "okapi,raid," * 500,
    "é" * 5000,
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_input_finds_something_or_nothing_and_never_fails(db, query):
    incident("Okapi raid", summary="NEAR the title.")
    make_group(name="Okapi Front")

    results = search_archive(query)

    assert isinstance(results.incidents, list) and isinstance(results.groups, list)
    assert Incident.objects.count() == 1


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_input_on_the_page_is_a_page_or_a_400(client, db, query):
    response = client.get(reverse("reports:search"), {"q": query})

    assert response.status_code in (200, 400)


def test_syntax_is_searched_as_words(db):
    incident("Okapi raid", summary="Seen near the river.")

    assert incidents("NEAR(the river)") == ["Okapi raid"]
    assert incidents("summary:river") == []  # "summary" is not in the incident
    assert incidents("okapi*") == ["Okapi raid"]
    assert incidents("river & ! okapi") == ["Okapi raid"]  # tsquery's & and ! are not obeyed


def test_a_query_without_a_word_asks_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert not search_archive("* ( ) \" ' :")


def test_words_are_cut_as_the_engines_cut_them():
    query = parse("NEAR(river say_hi * l'été")
    assert [term.words for clause in query.clauses for term in clause.terms] == [
        ("NEAR", "river"),
        ("say", "hi"),
        ("l", "été"),
    ]
    assert sum(len(t.words) for c in parse("a,b," * 100).clauses for t in c.terms) == MAX_WORDS
