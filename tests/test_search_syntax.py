"""The search syntax (phrases, OR, NOT, prefixes), group names searched as one, and the
results of one kind whole: counted, filtered, sorted and paged. These run on whichever
database the suite runs on (CI runs both) and expect the very same results, so passing
on both proves the engines agree."""

from unittest.mock import Mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import GroupAlias, Paragraph, Report, Status
from reports.search import search, search_archive, sqlite
from reports.search.listing import COUNT_LIMIT, Filters
from reports.search.query import MAX_TERMS, MAX_WORDS, parse
from tests.factories import make_citation, make_group, make_incident, make_report

LIMA = "Patterns of Global Terrorism 1991 - Peru"
MEDELLIN = "Patterns of Global Terrorism 1992 - Colombia"
AYACUCHO = "Patterns of Global Terrorism 1993 - Peru"


@pytest.fixture
def archive(db):
    reports = {
        "lima": make_report(
            title=LIMA, body="A car bomb exploded near the embassy in Lima.\n\nNo one died."
        ),
        "medellin": make_report(
            title=MEDELLIN, body="A bomb was found in a parked car in Medellin."
        ),
        "ayacucho": make_report(
            title=AYACUCHO, body="Sendero Luminoso militants attacked a patrol in Ayacucho."
        ),
        "draft": make_report(
            title="Patterns of Global Terrorism 1994 - Peru",
            body="A car bomb in a draft.",
            status=Status.DRAFT,
        ),
    }
    shining_path = make_group(name="Shining Path", acronym="SL")
    GroupAlias.objects.create(group=shining_path, name="Sendero Luminoso", language="es")
    make_group(name="Tupac Amaru Revolutionary Movement", acronym="MRTA")
    make_incident(title="Car bomb in Lima", start_date="1991-03-01")
    ambush = make_incident(title="Ambush in Ayacucho", start_date="1993-06-01")
    make_citation(reports["ayacucho"], "Sendero Luminoso militants attacked", incident=ambush)
    make_incident(
        title="Bombing in Medellin",
        start_date="1992-01-01",
        country=reports["medellin"].country,
    )
    return reports


def reports_found(text):
    return sorted(hit.report.year for hit in search_archive(text).reports)


def incidents_found(text):
    return sorted(incident.title for incident in search_archive(text).incidents)


# --- The parser -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("car bomb", "car bomb"),
        ('"car bomb" OR ambush -Lima', '("car bomb" OR ambush) -Lima'),
        ("bomb NOT Lima", "bomb -Lima"),
        ("kidnap* OR abduct*", "(kidnap* OR abduct*)"),
        ("-x OR y z", "-(x OR y) z"),
        ("a OR -b", "a -b"),
        ("OR a NOT", "a"),
        ("or not", "or not"),  # in lower case, words like any other
        ("PCP-SL", '"PCP SL"'),  # words joined by punctuation are a phrase of them
        ('"unclosed phrase', '"unclosed phrase"'),
        ("NEAR(a b) {title}: c & d | !e", '"NEAR a" b title c d e'),
        ("", ""),
        ('* - " ()', ""),
    ],
)
def test_the_query_is_parsed_into_clauses(text, parsed):
    assert str(parse(text)) == parsed


def test_excluded_words_alone_find_nothing_and_ask_nothing(archive, django_assert_max_num_queries):
    assert not parse("-bomb NOT car")
    with django_assert_max_num_queries(0):
        assert not search_archive("-bomb NOT car")


def test_the_parser_keeps_within_its_limits():
    query = parse(" ".join(f"w{n}" for n in range(50)))
    assert len(query.clauses) == MAX_TERMS
    query = parse('"' + " ".join(f"w{n}" for n in range(50)) + '"')
    assert sum(len(term.words) for c in query.clauses for term in c.terms) == MAX_WORDS


# --- Each form on the engine -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("car bomb", [1991, 1992]),  # every word, in one passage
        ('"car bomb"', [1991]),  # the phrase
        ("Lima OR Medellin", [1991, 1992]),
        ("bomb -Lima", [1992]),
        ("bomb NOT Lima", [1992]),
        ('bomb -"car bomb"', [1992]),
        ("embass*", [1991]),  # a prefix
        ("emb* -lima", []),
        ('"car bomb" OR militants', [1991, 1993]),
    ],
)
def test_each_form_finds_the_same_reports_on_every_engine(archive, text, years):
    assert reports_found(text) == years


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        ('"car bomb"', ["Car bomb in Lima"]),
        ("bomb* -Lima", ["Bombing in Medellin"]),
        # "bombing" is stemmed, as the text: "bomb" is a form of it.
        ("ambush OR bombing", ["Ambush in Ayacucho", "Bombing in Medellin", "Car bomb in Lima"]),
        ("ayacucho militants", ["Ambush in Ayacucho"]),  # title and a cited quote
        ("ayacucho -militants", []),
    ],
)
def test_each_form_finds_the_same_incidents_on_every_engine(archive, text, titles):
    assert incidents_found(text) == titles


def test_groups_follow_the_syntax(archive):
    assert [g.name for g in search_archive("Tupac OR Shining").groups] == [
        "Shining Path",
        "Tupac Amaru Revolutionary Movement",
    ]
    assert [g.name for g in search_archive("revolution* -MRTA").groups] == []


def test_drafts_are_never_found_whatever_the_syntax(archive):
    for text in ('"car bomb"', "draft", "draft OR bomb", "car* -Lima"):
        assert 1994 not in reports_found(text)


# --- Group names --------------------------------------------------------------------------


def test_a_group_name_finds_its_other_names(archive):
    results = search_archive("Shining Path")
    # Report and incident say "Sendero Luminoso"; the group is found by its name.
    assert [hit.report.year for hit in results.reports] == [1993]
    assert [incident.title for incident in results.incidents] == ["Ambush in Ayacucho"]
    assert [group.name for group in results.groups] == ["Shining Path"]
    [expanded] = results.parsed.expanded
    assert expanded.group == "Shining Path"
    assert {str(term) for term in expanded.terms} == {'"shining path"', "sl", '"sendero luminoso"'}


def test_an_alias_or_acronym_expands_too_and_other_words_still_apply(archive):
    assert reports_found('"Sendero Luminoso" patrol') == [1993]
    assert reports_found("sl patrol") == [1993]
    assert reports_found("Shining Path -patrol") == []


def test_a_draft_groups_names_are_not_expanded(archive):
    make_group(name="Phantom Front", acronym="PF", status=Status.DRAFT)
    make_report(title="Patterns of Global Terrorism 1995 - Peru", body="PF claimed it.")
    assert search_archive("Phantom Front").parsed.expanded == ()


def test_the_page_says_which_names_were_searched(client, archive):
    html = client.get(reverse("reports:search"), {"q": "shining path"}).content.decode()
    assert "Group names searched as one:" in html
    assert "<strong>Shining Path</strong>" in html
    assert "&#34;sendero luminoso&#34;" in html


# --- Results of one kind -------------------------------------------------------------------


def test_counts_are_per_kind(archive):
    found = search("bomb")
    assert found.counts == {"reports": 2, "passages": 2, "incidents": 2, "groups": 0}
    assert found.total == 4 and not found.more


def test_a_short_list_of_incidents_or_groups_is_its_own_count(archive, monkeypatch):
    """The best of every kind: a list shorter than search_archive's limit is every match."""

    def counted(text):
        with CaptureQueriesContext(connection) as queries:
            found = search(text)
        [sql] = [query["sql"] for query in queries if " AS reports)" in query["sql"]]
        return found.counts, [kind for kind in ("incidents", "groups") if f" AS {kind})" in sql]

    assert counted("bomb") == ({"reports": 2, "passages": 2, "incidents": 2, "groups": 0}, [])
    monkeypatch.setattr("reports.search.BEST", 2)  # two incidents fill the list: more may match
    assert counted("bomb") == (
        {"reports": 2, "passages": 2, "incidents": 2, "groups": 0},
        ["incidents"],
    )


@pytest.mark.parametrize(
    ("filters", "years"),
    [
        (Filters(country="PE"), [1991]),
        (Filters(year_from=1992), [1992]),
        (Filters(year_to=1991), [1991]),
        (Filters(year_from=1990, year_to=1995, country="CO"), [1992]),
        (Filters(series="Patterns of Global Terrorism"), [1991, 1992]),
        (Filters(series="No such series"), []),
        (Filters(language="es"), []),
        (Filters(language="en"), [1991, 1992]),
    ],
)
def test_filters_narrow_every_kind(archive, filters, years):
    found = search("bomb", kind="reports", filters=filters)
    assert sorted(hit.report.year for hit in found.page.object_list) == years
    passages = search("bomb", kind="passages", filters=filters)
    assert sorted(hit.report.year for hit in passages.page.object_list) == years
    assert found.counts["reports"] == len(years)


def test_incidents_are_filtered_by_date_and_country_and_by_the_reports_citing_them(archive):
    assert [i.title for i in search("ayacucho OR lima", kind="incidents").page.object_list] == [
        "Ambush in Ayacucho",
        "Car bomb in Lima",
    ]
    by_year = search("ayacucho OR lima", kind="incidents", filters=Filters(year_to=1992))
    assert [i.title for i in by_year.page.object_list] == ["Car bomb in Lima"]
    cited = search("ayacucho OR lima", kind="incidents", filters=Filters(series="Patterns"))
    assert cited.page.object_list == []
    cited = search(
        "ayacucho OR lima",
        kind="incidents",
        filters=Filters(series="Patterns of Global Terrorism"),
    )
    assert [i.title for i in cited.page.object_list] == ["Ambush in Ayacucho"]


def test_sorts(archive):
    def years(sort):
        return [
            hit.report.year
            for hit in search("car OR militants", "reports", sort=sort).page.object_list
        ]

    assert years("newest") == [1993, 1992, 1991]
    assert years("oldest") == [1991, 1992, 1993]
    older = make_report(title="Patterns of Global Terrorism 1990 - Peru", body="Nothing else.")
    Report.objects.filter(pk=older.pk).update(title="Car bombs 1990 - Peru")
    # Relevance: title matches first, then newest.
    assert years("relevance") == [1990, 1993, 1992, 1991]


def test_every_result_is_reachable_page_by_page(db):
    for year in range(1960, 1985):
        make_report(title=f"Patterns of Global Terrorism {year} - Peru", body="Okapi herds.")
    seen, number = [], 1
    while True:
        found = search("okapi", kind="reports", sort="oldest", page=number)
        seen += [hit.report.year for hit in found.page.object_list]
        assert found.page.last == 2
        if not found.page.has_next:
            break
        number += 1
    assert seen == list(range(1960, 1985))
    # Out of range or not a number: the nearest page.
    assert search("okapi", kind="reports", page=99).page.number == 2
    assert search("okapi", kind="reports", page="x").page.number == 1


def test_counts_stop_at_the_limit_and_pages_go_on(db, monkeypatch):
    monkeypatch.setattr("reports.search.listing.COUNT_LIMIT", 3)
    for year in range(1960, 1966):
        make_report(title=f"Patterns of Global Terrorism {year} - Peru", body="Okapi herds.")
    found = search("okapi", kind="reports", sort="oldest", page=1)
    assert found.counts["reports"] == 4 and found.more  # 3 + 1: more than 3
    assert found.page.last is None  # not counted: the pages go on while there are rows
    assert len(found.page.object_list) == 6 and not found.page.has_next
    assert search("okapi", kind="reports", page=5).page.number == 1  # none there


def test_count_limit_is_shown_with_a_plus(client, db, monkeypatch):
    monkeypatch.setattr("reports.search.listing.COUNT_LIMIT", 2)
    monkeypatch.setattr("reports.views.COUNT_LIMIT", 2)
    for year in range(1960, 1964):
        make_report(title=f"Patterns of Global Terrorism {year} - Peru", body="Okapi herds.")
    html = client.get(reverse("reports:search"), {"q": "okapi"}).content.decode()
    assert 'Reports <span class="count">(2+)</span>' in html
    assert "More than 2 results" in html


# --- The page --------------------------------------------------------------------------------


def test_the_page_keeps_filters_and_sort_in_its_links(client, archive):
    html = client.get(
        reverse("reports:search"),
        {"q": "bomb", "kind": "reports", "country": "PE", "sort": "oldest", "utm_source": "x"},
    ).content.decode()
    assert 'href="?q=bomb&amp;country=PE&amp;sort=oldest&amp;kind=incidents"' in html
    assert "utm_source" not in html
    assert 'aria-current="page">Reports' in html


@pytest.mark.parametrize(
    "params",
    [
        {"q": "bomb", "kind": "nothing"},
        {"q": "bomb", "country": "ZZ"},
        {"q": "bomb", "year_from": "abc"},
        {"q": "bomb", "year_from": "1999", "year_to": "1990"},
        {"q": "bomb", "year_from": "99999999999999999999"},
        {"q": "bomb", "sort": "random()"},
        {"q": "bomb", "series": "'; DROP TABLE reports_report; --"},
        {"q": "bomb", "language": "<script>"},
    ],
)
def test_a_bad_filter_is_a_400_with_its_message(client, archive, params):
    response = client.get(reverse("reports:search"), params)
    assert response.status_code == 400
    assert 'class="form-errors"' in response.content.decode()


@pytest.mark.parametrize("number", ["-1", "0", "x", "99999999999999999999", "1e9"])
def test_any_page_number_is_a_page(client, archive, number):
    response = client.get(
        reverse("reports:search"), {"q": "bomb", "kind": "reports", "page": number}
    )
    assert response.status_code == 200


def test_the_page_shows_help_for_the_syntax(client, db):
    html = client.get(reverse("reports:search")).content.decode()
    assert "How to search" in html and '<code>"car bomb"</code>' in html


def test_counts_are_shown_for_every_kind(client, archive):
    html = client.get(reverse("reports:search"), {"q": "bomb"}).content.decode()
    for label, count in (("Reports", 2), ("Passages", 2), ("Incidents", 2), ("Groups", 0)):
        assert f'{label} <span class="count">({count})</span>' in html


def test_count_limit_constant_is_sane():
    assert COUNT_LIMIT >= 100


@pytest.mark.parametrize(
    "text",
    ["car bomb", '"car bomb"', "bomb -Lima", "ayacucho -militants", "bomb* OR ambush", "SL"],
)
def test_the_lists_of_one_kind_find_what_the_overview_finds(archive, text):
    overview = search_archive(text, limit=100)
    for kind, shown in (
        ("reports", [hit.report.pk for hit in overview.reports]),
        ("incidents", [incident.pk for incident in overview.incidents]),
        ("groups", [group.pk for group in overview.groups]),
    ):
        found = search(text, kind=kind)
        listed = [getattr(row, "report", row).pk for row in found.page.object_list]
        assert sorted(listed) == sorted(shown), kind
        assert found.counts[kind] == len(shown)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite FTS5 only")
@pytest.mark.parametrize(
    "text", ["terrorism", "peru", "bomb -Lima", '"car bomb" OR ambush', "bom*"]
)
@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(country="PE"),
        Filters(year_from=1975, year_to=1995),
        Filters(series="Patterns of Global Terrorism"),
    ],
)
def test_title_matches_read_by_seeking_are_the_same_reports_in_the_same_order(
    db, monkeypatch, text, sort, filters
):
    """A common word's title matches are read by seeking each report's title (a large
    archive's choice: sqlite.seeks()); here, where that would never pay, it is forced."""
    for year in range(1960, 1990):
        make_report(
            title=f"Patterns of Global Terrorism {year} - {'Peru' if year % 3 else 'Colombia'}",
            body="A car bomb near Lima." if year % 2 else "An ambush; a bomb.",
        )
    make_report(title="Car bomb 1995 - Peru", body="Nothing more.")

    def pages():
        found = []
        for number in (1, 2):
            page = search(text, kind="reports", sort=sort, filters=filters, page=number)
            found.append((page.counts, [hit.report.pk for hit in page.page.object_list]))
        return found

    monkeypatch.setattr(sqlite, "_densities", {})
    listed = pages()
    seek_sql = Mock(wraps=sqlite.seek_sql)
    monkeypatch.setattr(sqlite, "seek_sql", seek_sql)
    monkeypatch.setattr(sqlite, "SEEK_COST", 0)
    monkeypatch.setattr(sqlite, "_densities", {})
    assert pages() == listed
    assert seek_sql.called
    assert any(ids for _counts, ids in listed)


def test_each_report_shows_its_own_first_matching_passage(db):
    """A report's passages need not be together: one added after another report's."""
    early = make_report(title="Patterns of Global Terrorism 1990 - Peru", body="Nothing.")
    later = make_report(
        title="Patterns of Global Terrorism 1991 - Peru", body="Okapi one.\n\nOkapi two."
    )
    Paragraph.objects.create(report=early, number=2, text="An okapi, added later.")
    found = search("okapi", kind="reports", sort="oldest")
    shown = [(hit.report.pk, hit.paragraph.number) for hit in found.page.object_list]
    assert shown == [(early.pk, 2), (later.pk, 1)]
    assert "okapi" in found.page.object_list[0].snippet.lower()
