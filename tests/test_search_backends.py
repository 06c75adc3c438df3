"""The full-text engines behind search_archive: PostgreSQL's on PostgreSQL, FTS5 on
SQLite. These run on whichever database the suite runs on (CI runs both), and
expect the very same results, so passing on both proves the engines agree."""

import importlib
from contextlib import contextmanager
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from reports import search
from reports.models import Citation, Country, Incident, Paragraph, Report, Status
from reports.search import postgresql, search_archive, sqlite, sqlite_schema
from reports.search.query import parse
from tests.factories import make_citation, make_group, make_incident, make_report
from tests.migrating import migrate_to

on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite FTS5 only")
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search only"
)


@pytest.fixture
def peru_1997(db):
    call_command("loaddata", "peru_1997", stdout=StringIO())


def report_hits(query):
    return [
        (hit.report.slug, hit.title_match, hit.paragraph.number if hit.paragraph else None)
        for hit in search_archive(query).reports
    ]


SEED = "patterns-of-global-terrorism-1997-peru"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Cerpa", [(SEED, False, 1)]),
        ("ambassador", [(SEED, False, 1)]),
        # Stemming: the plural finds "Ambassador's", "ambassadors".
        ("ambassadors", [(SEED, False, 1)]),
        ("Sendero", [(SEED, False, 3)]),
        ("Sendero Luminoso Guzman", [(SEED, False, 3)]),
        ("terrorism", [(SEED, True, None)]),
        ("Cerpa Sendero", []),  # every word, in one paragraph or the title
        ("zanzibar", []),
    ],
)
def test_seed_results_are_the_same_on_every_engine(peru_1997, query, expected):
    assert report_hits(query) == expected


def test_snippet_is_cut_around_the_matched_word(peru_1997):
    [hit] = search_archive("Cerpa").reports

    assert "Nestor Cerpa Cartolini" in hit.snippet
    assert "\x02" not in hit.snippet and "\x03" not in hit.snippet


def test_snippet_finds_a_stemmed_match(peru_1997):
    [hit] = search_archive("ambassadors").reports

    assert "mbassador" in hit.snippet


def test_a_word_in_title_and_body_is_a_title_match_with_its_best_paragraph(peru_1997):
    [hit] = search_archive("1997").reports

    assert hit.title_match
    assert hit.paragraph.number == 1
    assert "1997" in hit.snippet


def test_title_match_ranks_above_any_body_match(db):
    body_only = make_report(
        title="Patterns of Global Terrorism 1996 - Peru",
        body="Colombia, Colombia and Colombia again.\n\nColombia once more.",
    )
    titled = make_report(
        title="Patterns of Global Terrorism 1995 - Colombia", body="Nothing of note."
    )

    hits = search_archive("colombia").reports

    assert [(hit.report, hit.title_match) for hit in hits] == [
        (titled, True),
        (body_only, False),
    ]


def test_the_better_paragraph_ranks_its_report_higher(db):
    make_report(
        title="Patterns of Global Terrorism 1993 - Peru",
        body="A long paragraph that mentions the guerrilla once among many other words "
        "about elections, budgets, roads, schools, harvests and the weather in the Andes.",
    )
    dense = make_report(
        title="Patterns of Global Terrorism 1990 - Peru", body="Guerrilla guerrilla guerrilla."
    )

    hits = search_archive("guerrilla").reports

    assert hits[0].report == dense


def test_drafts_are_never_found_by_the_engine(db):
    make_report(title="Patterns of Global Terrorism 1991 - Chile", body="Quetzal.")
    make_report(
        title="Patterns of Global Terrorism 1992 - Chile", body="Quetzal.", status=Status.DRAFT
    )

    assert [hit.report.year for hit in search_archive("quetzal chile").reports] == []
    assert [hit.report.year for hit in search_archive("quetzal").reports] == [1991]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""""',
        '"unterminated phrase',
        "*",
        "cerpa*",
        "NEAR(",
        "NEAR(cerpa lima, 2)",
        "AND OR",
        "NOT",
        "cerpa OR",
        "title:peru",
        "body:cerpa",
        "-cerpa",
        "^cerpa",
        "()",
        "(cerpa",
        "'",
        "\\",
        "x\x00y",
        "cerpa & | ! :*",
        "<script>alert(1)</script>",
        "%_%",
    ],
)
def test_hostile_query_syntax_never_raises(peru_1997, query):
    results = search_archive(query)

    assert isinstance(results.reports, list)


def test_engine_syntax_in_the_query_is_searched_as_words(db):
    """FTS5 would obey NEAR(...) and column filters; here they are words (joined by
    punctuation, a phrase of them)."""
    near = make_report(body="The hostages were held near the river.")

    assert [hit.report for hit in search_archive("NEAR(the river)").reports] == [near]
    assert [hit.report for hit in search_archive("NEAR(river").reports] == []
    assert [hit.report for hit in search_archive("body:river").reports] == []
    assert search_archive('title:"Global"').reports == []


def test_index_follows_edits_to_paragraphs_and_titles(db):
    report = make_report(title="Patterns of Global Terrorism 1994 - Peru", body="Old word: ocelot.")
    paragraph = report.paragraphs.get()

    paragraph.text = "New word: jaguarundi."
    paragraph.save()
    assert report_hits("ocelot") == []
    assert report_hits("jaguarundi") == [(report.slug, False, 1)]

    Report.objects.filter(pk=report.pk).update(title="Patterns of Global Terrorism 1994 - Tapir")
    assert report_hits("tapir") == [(report.slug, True, None)]

    Paragraph.objects.filter(pk=paragraph.pk).delete()
    assert report_hits("jaguarundi") == []
    report.delete()
    assert report_hits("tapir") == []


def test_search_makes_a_fixed_number_of_queries(db, django_assert_max_num_queries):
    for year in range(1960, 1990):
        make_report(title=f"Patterns of Global Terrorism {year} - Peru", body="Vicuna herds.")

    search.search_engine().reports(parse("vicuna"), limit=25)  # figures of the archive, once
    # Whether the word is common: PostgreSQL asks its planner, SQLite reads the figure of
    # the archive's common words (postgresql.common, sqlite.common).
    with django_assert_max_num_queries(3):
        hits = search.search_engine().reports(parse("vicuna"), limit=25)
        shown = [(hit.report.country.name, hit.paragraph.anchor, hit.snippet) for hit in hits]

    assert len(shown) == 25


# --- Engine specifics ------------------------------------------------------------


@on_sqlite
def test_sqlite_has_the_fts5_tables_and_their_triggers_after_all_migrations(db):
    """A later migration that rebuilds one of the tables the triggers are on
    (reports_report, reports_paragraph, reports_incident, reports_citation,
    reports_group, reports_groupalias, reports_leader) drops its triggers; this catches
    it (see migrations 0003 and 0006)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE name LIKE 'reports_search_%'")
        schema = dict(cursor.fetchall())
    names = set(schema)
    facets = importlib.import_module("reports.migrations.0020_search_facets")

    assert {"reports_search_fts", "reports_search_incidents", "reports_search_groups"} <= names
    assert "reports_search_es" in names
    assert set(search_migration().SQLITE_TRIGGERS) <= names
    # 0020's triggers, which index each report in its language (as 0014's did) with its
    # country and year, replaced 0003's and 0014's.
    assert {name: schema[name] for name in facets.SQLITE_TRIGGERS} == facets.SQLITE_TRIGGERS
    assert set(incident_search_migration().SQLITE_TRIGGERS) <= names
    assert len(incident_search_migration().SQLITE_TRIGGERS) == 16


def search_migration():
    return importlib.import_module("reports.migrations.0003_search_indexes")


def incident_search_migration():
    return importlib.import_module("reports.migrations.0006_incident_search")


@on_sqlite
@pytest.mark.parametrize(
    ("sql", "words"),
    [("FTS5_SQL", "violence"), ("INCIDENTS_SQL", "violence"), ("INCIDENTS_SQL", "okapi raid")],
)
def test_sqlite_queries_give_fts5_both_ends_of_every_rowid_range(db, sql, words):
    """With one end only, FTS5 reads a common word's whole list (3 ms at 35,000
    incidents) instead of stopping at the end of the range it needs."""
    params = {
        "match": sqlite.fts5_match(parse(words)),
        "status": Status.PUBLISHED,
        "limit": 20,
        "candidates": 500,
        "common": 10_000,
        "start": "[",
        "stop": "]",
    }
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + getattr(sqlite, sql), params)
        scans = [row[-1] for row in cursor.fetchall() if "VIRTUAL TABLE INDEX" in row[-1]]

    assert scans
    for scan in scans:
        constraints = scan.rsplit(":", 1)[1]
        assert "=" in constraints or ("<" in constraints and ">" in constraints), scan


@on_sqlite
def test_sqlite_incidents_and_groups_without_fts5_fall_back_to_substrings(
    peru_1997, monkeypatch, caplog
):
    for name in ("INCIDENTS_SQL", "GROUPS_SQL"):
        sql = getattr(sqlite, name)
        monkeypatch.setattr(sqlite, name, sql.replace("reports_search_", "no_such_"))

    results = search_archive("Cerp")  # a substring: found only by the fallback

    assert [incident.slug for incident in results.incidents] == [
        "japanese-ambassadors-residence-hostage-crisis-lima"
    ]
    assert [group.slug for group in results.groups] == ["mrta"]
    assert "Full-text search unavailable" in caplog.text


@on_sqlite
def test_pausing_the_index_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(RuntimeError, match="one transaction"):
        search.pause_search_index()


@on_sqlite
def test_bulk_writers_can_pause_the_index_and_rebuild_it_once(db):
    with transaction.atomic():
        search.pause_search_index()
        make_incident(title="Okapi raid")
        make_group(name="Okapi Front")
        assert search_archive("okapi").incidents == search_archive("okapi").groups == []

        search.rebuild_search_index()
        assert [i.title for i in search_archive("okapi").incidents] == ["Okapi raid"]
        assert [g.name for g in search_archive("okapi").groups] == ["Okapi Front"]

    make_incident(title="Okapi siege", slug="okapi-siege", start_date="2000-01-01")
    assert [i.title for i in search_archive("okapi").incidents] == ["Okapi siege", "Okapi raid"]


@on_sqlite
def test_sqlite_without_fts5_falls_back_to_substring_search(peru_1997, monkeypatch, caplog):
    monkeypatch.setattr(
        sqlite, "LANGUAGES_SQL", sqlite.LANGUAGES_SQL.replace("reports_search_fts", "no_such_fts")
    )

    assert report_hits("Cerpa") == [(SEED, False, 1)]
    assert "Full-text search unavailable" in caplog.text


@on_sqlite
def test_fts5_match_quotes_every_term():
    assert sqlite.fts5_match(parse('NEAR(river say"hi * AND')) == (
        '("NEAR river") AND ("say hi") AND ("AND")'
    )
    assert sqlite.fts5_match(parse('-x OR "y z" a* {b c} : d')) == (
        '(("a"*) AND ("b") AND ("c") AND ("d")) NOT ("x" OR "y z")'
    )
    assert sqlite.fts5_match(parse('* " ()')) == ""


def stored_vectors_migration():
    return importlib.import_module("reports.migrations.0023_stored_search_vectors")


@on_postgresql
@pytest.mark.parametrize("config", [postgresql.PG_CONFIG, postgresql.PG_CONFIG_ES])
@pytest.mark.parametrize(
    ("table", "vector"),
    [
        ("reports_paragraph p", "p.text_vector"),
        ("reports_report r", "r.title_vector"),
    ],
)
def test_postgresql_searches_paragraphs_and_titles_through_their_stored_vectors(
    peru_1997, table, vector, config
):
    """Migration 0023's GIN index on each stored vector answers a word in English or in
    Spanish, and is the only full-text index left on these tables."""
    columns = stored_vectors_migration().PG_COLUMNS.values()
    index = {name: stored for stored, _column, _language, name in columns}
    name = next(name for name in index if name.startswith(table.split()[0]))
    query = postgresql.tsquery_sql(parse("cerpa"), config)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [table.split()[0], "%USING gin%"],
        )
        indexes = dict(cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN SELECT 1 FROM {table} WHERE {vector} @@ {query}",  # noqa: S608 - constants
            postgresql.term_params(parse("cerpa")),
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert list(indexes) == [name]
    assert f"({index[name]})" in indexes[name]
    assert name in plan


@on_postgresql
def test_postgresql_stored_vectors_are_the_indexed_expressions_in_each_report_s_language(db):
    """Each stored vector is what migrations 0003 and 0014 indexed for its row: Spanish
    stems for a Spanish report's title and paragraphs, English ones for the others,
    and written again when the report's language changes."""
    english = make_report(
        title="Patterns of <b>Global</b> Terrorism 1998 - Peru", body="Guerrillas held hostages."
    )
    informe = make_report(
        title="Informe sobre secuestros 1998 - Perú", body="Secuestraron al alcalde.", language="es"
    )

    def stored_and_expected():
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT p.text_vector = CASE WHEN r.language = 'es'
                        THEN {postgresql.pg_vector_sql("p.text", postgresql.PG_CONFIG_ES)}
                        ELSE {postgresql.pg_vector_sql("p.text")} END,
                      r.title_vector = CASE WHEN r.language = 'es'
                        THEN {postgresql.pg_vector_sql("r.title", postgresql.PG_CONFIG_ES)}
                        ELSE {postgresql.pg_vector_sql("r.title")} END
                    FROM reports_paragraph p JOIN reports_report r ON r.id = p.report_id"""  # noqa: S608 - constants
            )
            return cursor.fetchall()

    assert stored_and_expected() == [(True, True)] * 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT title_vector::text FROM reports_report WHERE id = %s", [informe.pk])
        assert "'secuestr'" in cursor.fetchone()[0]  # Spanish stem, accent folded
    informe.language, english.language = "en", "es"
    informe.save()
    english.save()
    assert stored_and_expected() == [(True, True)] * 2


def pg_incident_search_migration():
    return importlib.import_module("reports.migrations.0027_postgresql_incident_search")


def pg_published_titles_migration():
    return importlib.import_module("reports.migrations.0029_postgresql_published_titles_index")


# The expression indexes of migration 0006 that PostgreSQL still has (0027 dropped two).
PG_INDEXED = [
    (index, table, column)
    for index, (table, column) in incident_search_migration().PG_INDEXES.items()
    if index not in pg_incident_search_migration().DROPPED_INDEXES
]


@on_postgresql
@pytest.mark.parametrize(("index", "table", "column"), PG_INDEXED)
def test_postgresql_search_sql_writes_the_indexed_expressions(peru_1997, index, table, column):
    """reports.search writes every tsvector of incidents and groups with
    pg_vector_sql(); it must be the indexed expression, or the index is never used."""
    vector, query = postgresql.pg_vector_sql(f"t.{column}"), postgresql.tsquery_sql(parse("cerpa"))
    with connection.cursor() as cursor:
        # On a few rows the planner may rather filter another index's rows; make
        # computing the tsvector row by row dear, so the GIN index wins if it fits.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL cpu_operator_cost = 100")
        sql = f"EXPLAIN SELECT 1 FROM {table} t WHERE {vector} @@ {query}"  # noqa: S608
        if index == pg_published_titles_migration().INDEX:  # published ones only
            sql += f" AND t.{pg_published_titles_migration().PUBLISHED}"
        cursor.execute(sql, postgresql.term_params(parse("cerpa")))
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert index in plan


@on_postgresql
def test_postgresql_has_gin_indexes_for_incidents_citations_and_groups(db):
    names = [index for index, *_ in PG_INDEXED] + ["reports_incident_search_document"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)", [names]
        )
        indexes = dict(cursor.fetchall())

    assert set(indexes) == set(names)
    assert all("USING gin" in definition for definition in indexes.values())


@on_postgresql
@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            "incident",
            {"reports_incident_title_fts", "reports_incident_search_document"},
        ),
        (
            "group",
            {
                "reports_group_name_fts",
                "reports_group_acronym_fts",
                "reports_group_description_fts",
                "reports_groupalias_name_fts",
                "reports_leader_name_fts",
            },
        ),
    ],
)
def test_postgresql_incident_and_group_queries_use_the_gin_indexes(
    peru_1997, monkeypatch, kind, expected
):
    """The raw SQL must compile each word's condition to the indexed expressions."""
    plans = []

    def explain(sql, params):
        with connection.cursor() as cursor:
            # Tiny test tables: without these the planner may read a small btree
            # index whole (e.g. group_pub_name_idx) instead; a bitmap scan needs an
            # index condition, so only the GIN indexes can answer.
            for scan in ("seqscan", "indexscan", "indexonlyscan"):
                cursor.execute(f"SET LOCAL enable_{scan} = off")
            # Nor a bitmap of published rows, each row's tsvector computed.
            cursor.execute("SET LOCAL cpu_operator_cost = 100")
            cursor.execute("EXPLAIN " + sql, params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]

    monkeypatch.setattr(postgresql, "_pg_ids", explain)
    getattr(postgresql, f"_{kind}_ids")(parse("Cerpa Lima"), 20)

    assert all(name in plans[0] for name in expected), plans[0]


@on_postgresql
def test_postgresql_titles_listed_whole_are_read_from_the_published_titles_index(db):
    """The index holds published incidents only (migration 0029): the titles' list
    must say so, or the planner cannot use it."""
    published = make_incident(title="Bombing in Lima")
    make_incident(title="Bombing in Cusco", status=Status.DRAFT)
    sql, params = postgresql.matching_sql("incident_titles", parse("bombing"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL cpu_operator_cost = 100")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(sql, params)
        listed = {row[0] for row in cursor.fetchall()}

    assert pg_published_titles_migration().INDEX in plan, plan
    assert listed == {published.id}  # not the draft, whose title has the word too


def pg_incident_search_rows():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT incident_id, start_date, title, country_id, document::text"
            " FROM reports_incident_search ORDER BY incident_id"
        )
        return cursor.fetchall()


def pg_incident_search_afresh():
    """The rows migration 0027's view holds for the archive as it is now."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            postgresql.rebuild_search_index(cursor)
        rows = pg_incident_search_rows()
        transaction.set_rollback(True)
    return rows


def pg_incident_words(incident):
    return next((row[4] for row in pg_incident_search_rows() if row[0] == incident.pk), None)


@on_postgresql
def test_postgresql_incident_search_rows_follow_every_change(db):
    """The triggers of migration 0027 keep one row per published incident, with the
    quotes of its citations of published reports, through every kind of write."""
    published = make_report(
        body="The quillwort front claimed it. A second bulletin named the bellflower column."
    )
    draft = make_report(
        title="Patterns of Global Terrorism 1999 - Peru",
        body="Witnesses saw a marmoset.",
        status=Status.DRAFT,
    )
    incident = make_incident(title="Bombing in Lima", summary="A car bomb exploded.")
    other = make_incident(title="Attack in Cusco", slug="attack-in-cusco")
    steps = []

    def step(name):
        steps.append((name, pg_incident_search_rows() == pg_incident_search_afresh()))

    step("incidents inserted")
    assert "'lima'" in pg_incident_words(incident)
    quoted = make_citation(published, "The quillwort front claimed it.", incident=incident)
    step("citation inserted")
    assert "'quillwort'" in pg_incident_words(incident)
    make_citation(draft, "Witnesses saw a marmoset.", incident=incident)
    step("citation of a draft inserted")
    assert "'marmoset'" not in pg_incident_words(incident)
    draft.status = Status.PUBLISHED
    draft.save()
    step("its report published")
    assert "'marmoset'" in pg_incident_words(incident)
    quoted.quote = "A second bulletin named the bellflower column."
    quoted.save()
    step("quote changed")
    assert "'quillwort'" not in pg_incident_words(incident)
    Citation.objects.filter(pk=quoted.pk).update(incident=other)
    step("citation moved to another incident")
    assert "'bellflow'" in pg_incident_words(other)
    assert "'bellflow'" not in pg_incident_words(incident)
    incident.title, incident.start_date = "Bombing in Arequipa", "1998-01-02"
    incident.save()
    step("incident changed")
    assert "'arequipa'" in pg_incident_words(incident)
    incident.status = Status.DRAFT
    incident.save()
    step("incident unpublished")
    assert pg_incident_words(incident) is None
    Citation.objects.filter(pk=quoted.pk).delete()
    step("citation deleted")
    assert "'bellflow'" not in pg_incident_words(other)
    other.delete()
    step("incident deleted")
    assert pg_incident_words(other) is None

    assert [name for name, same in steps if not same] == []


@on_postgresql
def test_postgresql_paused_incident_search_is_written_whole_at_the_rebuild(db):
    """A bulk writer's pause leaves the incidents' rows of words as they were until the
    rebuild, in the same transaction, writes every one; then the triggers work again."""
    kept = make_incident(title="Bombing in Lima")
    with transaction.atomic():
        search.pause_search_index()
        added = make_incident(title="Ambush in Cusco", slug="ambush-in-cusco")
        kept.title = "Bombing in Arequipa"
        kept.save()
        assert pg_incident_words(added) is None
        assert "'lima'" in pg_incident_words(kept)
        search.rebuild_search_index()
        assert "'cusco'" in pg_incident_words(added)
        assert "'arequipa'" in pg_incident_words(kept)
    later = make_incident(title="Raid in Ayacucho", slug="raid-in-ayacucho")

    assert "'ayacucho'" in pg_incident_words(later)
    assert pg_incident_search_rows() == pg_incident_search_afresh()


@on_postgresql
def test_postgresql_incident_search_migration_reverses_and_applies_on_rows_that_exist(
    transactional_db,
):
    """Migrated back, the table, view, functions and triggers go and 0006's summary and
    quote indexes return; forward again, the table is filled from the incidents there."""
    incident = make_incident(title="Bombing in Lima", summary="A quillwort bulletin.")
    migrate_to([("reports", "0026_postgresql_incidents_without_like_indexes")])
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT to_regclass('reports_incident_search'),"
                " to_regclass('reports_incident_search_rows'),"
                " to_regclass('reports_incident_summary_fts'),"
                " to_regclass('reports_citation_quote_fts'),"
                " (SELECT count(*) FROM pg_trigger WHERE tgname = ANY(%s))",
                [[name for name, *_ in pg_incident_search_migration().TRIGGERS]],
            )
            assert cursor.fetchone() == (
                None,
                None,
                "reports_incident_summary_fts",
                "reports_citation_quote_fts",
                0,
            )
    finally:
        migrate_to()

    assert "'quillwort'" in pg_incident_words(incident)
    assert pg_incident_search_rows() == pg_incident_search_afresh()


def statistics_targets():
    """{table: the statistics target of its stored tsvector}, -1 for the default."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attrelid::regclass::text, COALESCE(attstattarget, -1) FROM pg_attribute"
            " WHERE (attrelid::regclass::text, attname) IN"
            " (('reports_report', 'title_vector'), ('reports_paragraph', 'text_vector'))"
        )
        return dict(cursor.fetchall())


@on_postgresql
def test_postgresql_titles_have_the_default_statistics_and_passages_a_thousand(
    transactional_db,
):
    """Migration 0028: a title's few words need no more than the default hundred
    statistics, which the planner reads at every title condition; passages keep 0025's
    thousand. Migrated back, titles have the thousand again."""
    assert statistics_targets() == {"reports_paragraph": 1000, "reports_report": -1}
    migrate_to([("reports", "0027_postgresql_incident_search")])
    try:
        assert statistics_targets() == {"reports_paragraph": 1000, "reports_report": 1000}
    finally:
        migrate_to()
    assert statistics_targets() == {"reports_paragraph": 1000, "reports_report": -1}


@on_postgresql
def test_postgresql_incident_phrase_stays_within_one_column(db):
    """A phrase matches within the title, the summary or the quotes, not across them."""
    incident = make_incident(title="Car bomb in the north", summary="Political parties.")
    make_citation(make_report(body="Violence followed."), "Violence followed.", incident=incident)

    assert search_archive('"north political"').incidents == []
    assert search_archive('"parties violence"').incidents == []
    assert search_archive('"political parties"').incidents == [incident]


@on_postgresql
@pytest.mark.parametrize("walk", [1, 1000])
def test_postgresql_incident_search_finds_the_newest_matches_walked_or_not(db, monkeypatch, walk):
    """The newest matches, whether the walk through the newest rows finds enough of them
    (WALK rows) or all of the word's rows are read and sorted (a walk of one row)."""
    monkeypatch.setattr(postgresql, "WALK", walk)
    titles = ["Raid", "Ambush", "Attack", "Bombing", "Kidnapping"]
    for year, title in enumerate(titles, start=1990):
        make_incident(
            title=f"{title} in Lima",
            slug=title.lower(),
            summary="Witnesses saw a quillwort." if year % 2 else "",
            start_date=f"{year}-01-01",
        )

    found = [incident.title for incident in postgresql.incidents(parse("quillwort"), 2)]

    assert found == ["Bombing in Lima", "Ambush in Lima"]


@on_postgresql
@pytest.mark.parametrize("walk", [1, 2, 1000])
def test_postgresql_incident_title_matches_come_first_walked_or_not(db, monkeypatch, walk):
    """The newest incidents whose title has the whole query come first, older ones
    included, whether the walk through the newest rows finds enough of them or not
    (then every title match is read from the titles' index); the other matches after."""
    monkeypatch.setattr(postgresql, "WALK", walk)
    for year, title, summary in [
        (1990, "Bombing and assault in Lima", ""),
        (1991, "Bombing in Cusco", "An assault followed."),
        (1992, "Assault and bombing in Tacna", ""),
        (1993, "Assault in Puno", "A bombing followed."),
        (1994, "Bombing in Ica", "Nothing else."),
        (1995, "Raid in Piura", "Bombing, then assault."),
    ]:
        make_incident(title=title, summary=summary, start_date=f"{year}-01-01")

    def found(query, limit):
        return [incident.start_date.year for incident in postgresql.incidents(parse(query), limit)]

    assert found("bombing assault", 2) == [1992, 1990]
    assert found("bombing assault", 10) == [1992, 1990, 1995, 1993, 1991]
    assert found("bombing assault -tacna", 3) == [1990, 1995, 1993]


@on_postgresql
def test_postgresql_incident_titles_are_sought_where_the_newest_matches_hold_them(db, monkeypatch):
    """seeks(): yes where the newest matches (a deep page's: DENSE rows for each one
    wanted, past WALK) have the wanted title matches, no where only their summaries do."""
    monkeypatch.setattr(postgresql, "WALK", 2)
    for n in range(30):
        make_incident(
            title=f"Bombing in Town {n}" if n % 2 else f"Raid in Town {n}",
            summary="A bombing." if n % 2 else "A bombing nearby.",
            start_date=f"{1990 + n}-01-01",
        )

    assert postgresql.seeks("incident_titles", parse("bombing"), 3)  # 30 rows walked
    assert not postgresql.seeks("incident_titles", parse("bombing"), 16)  # 15 in all
    assert not postgresql.seeks("incident_titles", parse("nearby"), 1)
    assert not postgresql.seeks("incidents", parse("bombing"), 1)


@pytest.fixture
def titles_never_together(db, monkeypatch):
    """20,000 incidents, each word in a title of four, never both in one, both in every
    summary: the planner prices "bombing assault" in one title of sixteen. The walk
    through the newest rows reads 100."""
    monkeypatch.setattr(postgresql, "WALK", 100)
    country = Country.objects.resolve("PE")
    kinds = ["Bombing", "Assault", "Raid", "Ambush"]
    Incident.objects.bulk_create(
        Incident(
            title=f"{kinds[n % 4]} in Town {n}",
            slug=f"incident-{n}",
            summary="A bombing and an assault.",
            start_date=date(1990, 1, 1) + timedelta(days=n % 9000),
            status=Status.PUBLISHED,
            country=country,
        )
        for n in range(20_000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reports_incident")
        cursor.execute("ANALYZE reports_incident_search")


# Each condition of a plan's node, and its count of the rows it read and removed.
REMOVED_BY = {"Filter": "Rows Removed by Filter", "Recheck Cond": "Rows Removed by Index Recheck"}


def rows_tested(plan, tested, conditions=("Filter",)):
    """How many rows the nodes of `plan` (EXPLAIN ANALYZE's, as JSON) read, kept or not,
    through one of `conditions` whose text passes `tested`."""
    rows = 0
    if any(tested(plan.get(condition, "")) for condition in conditions):
        removed = sum(plan.get(REMOVED_BY[condition], 0) for condition in conditions)
        rows = (plan["Actual Rows"] + removed) * plan["Actual Loops"]
    return rows + sum(rows_tested(child, tested, conditions) for child in plan.get("Plans", []))


def titles_made_into_words(plan):
    """How many rows of `plan` had a title made into words to be tested: every row a
    filter on to_tsvector(...title...) read."""
    return rows_tested(plan, lambda condition: "to_tsvector" in condition and "title" in condition)


def titles_made_into_words_by(queries):
    """The most titles any of these statements made into words, from its plan."""
    made = []
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"].lstrip()
            if sql.startswith(("SELECT", "WITH")) and "reports_incident" in sql:
                cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
                [plan] = cursor.fetchone()[0]
                made.append(titles_made_into_words(plan["Plan"]))
    return max(made)


def none_titled(incidents):
    return not any("Bombing" in i.title and "Assault" in i.title for i in incidents)


@on_postgresql
def test_postgresql_two_words_in_many_titles_never_together_make_few_titles_into_words(
    titles_never_together,
):
    """Left to itself, the planner walked the incidents newest first making every title
    into words. Only the walk's are, then the titles' index answers (none)."""
    with CaptureQueriesContext(connection) as queries:
        found = postgresql.incidents(parse("bombing assault"), 20)

    assert len(found) == 20 and none_titled(found)  # the summaries' matches
    assert titles_made_into_words_by(queries) <= 100


@on_postgresql
def test_postgresql_two_words_never_together_in_a_title_list_their_incidents_reading_few_titles(
    titles_never_together, client
):
    """The incidents' tab, by relevance (title matches first): as above, where the
    planner walked every incident testing its title. seeks() walks DENSE rows for each
    of the page's rows (and one more)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", {"q": "bombing assault", "kind": "incidents"})

    shown = response.context["found"].page.object_list
    assert len(shown) == 20 and none_titled(shown)
    assert titles_made_into_words_by(queries) <= postgresql.DENSE * 21


def phrase_tests(plan):
    """How many rows of `plan` were tested for a phrase, by a filter or an index recheck."""
    return rows_tested(plan, lambda condition: "<->" in condition, ("Filter", "Recheck Cond"))


@contextmanager
def as_if_just_emptied(table):
    """`table`, its rows kept, with the statistics of a table whose rows were all
    deleted (its pages, no rows), as autovacuum may leave one between tests. ANALYZE
    writes a table's size in place, past the test's rollback: on leaving, it is
    measured again with the rows in it, so no later test plans with these."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(quote_ident(attname), ', ') FROM pg_attribute"
            " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped"
            " AND attgenerated = ''",  # the stored tsvectors are made again
            [table],
        )
        [columns] = cursor.fetchone()
        kept = f"CREATE TEMPORARY TABLE kept AS SELECT {columns} FROM {table}"  # noqa: S608 - constants
        cursor.execute(kept)
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT * FROM kept")  # noqa: S608
        cursor.execute("DROP TABLE kept")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")


@on_postgresql
def test_postgresql_a_phrase_in_few_passages_is_listed_from_the_index_not_walked(db, client):
    """Each word of the phrase in half the passages, the phrase itself in three: the
    planner prices it in many and, on the 200,000-incident archive, read every passage
    in order testing each; with the statistics of an empty table it prices it in one
    and listed the matches again for each passage read. Here it is made to prefer
    both. The count says three, so the matches are read whole from the index once,
    only the passages with both words tested for the phrase, and sorted."""
    report = make_report(title="Patterns of Global Terrorism 1990 - Peru")
    for n in range(1, 100):
        report.pk, report.slug, report.year, report.sha256 = None, f"r{n}", 2000 + n, f"{n:064x}"
        report.save()
    texts = [
        "Nothing.",
        "Political parties met.",
        "Violence followed.",
        "Political unrest, violence.",
    ]
    Paragraph.objects.bulk_create(
        Paragraph(
            report=report,
            number=number,
            text="A political violence."
            if report.year in (1990, 2005, 2050) and number == 9
            else texts[number % 4],
        )
        for report in Report.objects.all()
        for number in range(2, 32)
    )
    with as_if_just_emptied("reports_paragraph"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/search/", {"q": '"political violence"', "kind": "passages"})
        [listed] = [
            q["sql"]
            for q in queries
            if q["sql"].startswith('SELECT "reports_paragraph"."id" AS "pk"')
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {listed}")
            [plan] = cursor.fetchone()[0]

    shown = response.context["found"].page.object_list
    assert [hit.report.year for hit in shown] == [2050, 2005, 1990]
    assert phrase_tests(plan["Plan"]) <= 803  # those with both words, of 3,001


# --- A query in more rows than COMMON_ROWS (counted by SQLite, estimated by PostgreSQL) ---


def every_word_common(monkeypatch, sqlite_rows):
    """Make a word common: in SQLite in more than `sqlite_rows` rows, in PostgreSQL in
    any (the planner's estimate of a word in a few rows is itself a few)."""
    monkeypatch.setattr(sqlite, "COMMON_ROWS", sqlite_rows)
    monkeypatch.setattr(postgresql, "COMMON_ROWS", 0)


def common_hits(query, limit):
    return [
        (hit.report.year, hit.title_match, hit.paragraph.number if hit.paragraph else None)
        for hit in search_archive(query, limit=limit).reports
    ]


def test_a_common_word_shows_its_newest_title_matches_newest_year_first(db, monkeypatch):
    """More rows than COMMON_ROWS: no bm25 (its IDF counts every row); the newest
    `limit` title matches, by year, each with its first matching passage."""
    every_word_common(monkeypatch, 4)
    for year in (1991, 1995, 1993, 1990):
        make_report(
            title=f"Patterns of Global Terrorism {year} - Chile",
            body="Nothing here.\n\nA chile.\n\nChile chile chile chile.",
        )
    make_report(title="Patterns of Global Terrorism 1999 - Peru", body="Chile.")  # body only

    # 1991 and 1995 are older reports: the newest two are 1993 and 1990. bm25 would
    # rank the dense third paragraph first; the first matching passage is the second.
    assert common_hits("chile", limit=2) == [(1993, True, 2), (1990, True, 2)]
    assert common_hits("chile", limit=3) == [(1995, True, 2), (1993, True, 2), (1990, True, 2)]


def test_a_common_word_in_few_titles_adds_the_reports_of_its_newest_passages(db, monkeypatch):
    every_word_common(monkeypatch, 4)
    make_report(title="Patterns of Global Terrorism 1990 - Chile", body="Nothing here.")
    for year in (1994, 1996, 1992):
        make_report(
            title=f"Patterns of Global Terrorism {year} - Peru",
            body="Nothing.\n\nA chile, a chile.",
        )
    make_report(
        title="Patterns of Global Terrorism 1997 - Peru", body="A chile.", status=Status.DRAFT
    )

    assert common_hits("chile", limit=3) == [(1990, True, None), (1996, False, 2), (1994, False, 2)]
    assert common_hits("chile", limit=10) == [
        (1990, True, None),
        (1996, False, 2),
        (1994, False, 2),
        (1992, False, 2),
    ]


@on_sqlite
def test_a_word_in_at_most_common_rows_is_still_ranked_by_bm25(db, monkeypatch):
    monkeypatch.setattr(sqlite, "COMMON_ROWS", 4)
    make_report(title="Patterns of Global Terrorism 1993 - Peru", body="A chile among words.")
    make_report(title="Patterns of Global Terrorism 1990 - Peru", body="Chile chile chile.")
    make_report(title="Patterns of Global Terrorism 1999 - Chile", body="Nothing here.")

    assert common_hits("chile", limit=20) == [
        (1999, True, None),
        (1990, False, 1),
        (1993, False, 1),
    ]


@on_sqlite
def test_a_phrase_of_common_words_is_common_where_the_phrase_is_rare(db, monkeypatch):
    """Its bm25 would read both words' lists whole: its words make it common, uncounted."""
    monkeypatch.setattr(sqlite, "COMMON_ROWS", 4)
    for year in range(1990, 1995):
        make_report(title=f"Patterns of Global Terrorism {year} - Chile", body="Armed men attack.")
    make_report(title="Patterns of Global Terrorism 1980 - Peru", body="Armed attack, armed attack")
    make_report(
        title="Patterns of Global Terrorism 1985 - Peru",
        body="An armed attack, one among the many words of a long and wordy paragraph here.",
    )

    assert sqlite.common(parse('"armed attack"')) is True
    # bm25 would put 1980's dense passage first; a common query is newest first.
    assert common_hits('"armed attack"', limit=20) == [(1985, False, 1), (1980, False, 1)]
    monkeypatch.setattr(sqlite, "COMMON_ROWS", 10)  # its own figure: "armed" in 7 rows
    assert sqlite.common(parse('"armed attack"')) is False
    assert common_hits('"armed attack"', limit=20) == [(1980, False, 1), (1985, False, 1)]


@pytest.mark.parametrize(
    ("query", "common"),
    [
        ("armed", True),
        ("armed attack", True),  # each clause in more rows than COMMON_ROWS
        ("armed okapi", False),  # in no more rows than its rarest clause
        ('"armed okapi"', False),  # nor a phrase than its rarest word
        ("okapi OR armed", True),
        ("armed -attack", True),  # words left out make it rarer, never more common
        ("okapi OR tapir", None),  # each rare; together, who knows: counted
        ("arm*", None),  # a prefix's words are many: counted
    ],
)
@on_sqlite
def test_the_words_of_a_query_tell_whether_it_is_common(db, monkeypatch, query, common):
    monkeypatch.setattr(sqlite, "COMMON_ROWS", 4)
    for year in range(1990, 1995):
        make_report(title=f"Patterns of Global Terrorism {year} - Chile", body="Armed men attack.")
    make_report(title="Informe 1990 - Perú", body="Okapi.", language="es")

    assert sqlite.common(parse(query)) is common


@on_sqlite
def test_a_counted_query_is_common_by_its_rows_in_either_table(db, monkeypatch):
    monkeypatch.setattr(sqlite, "COMMON_ROWS", 4)
    make_report(
        title="Patterns of Global Terrorism 1990 - Chile",
        body="An okapi among the many other words of this paragraph.\n\nOkapi okapi.",
    )
    make_report(title="Patterns of Global Terrorism 1991 - Chile", body="Okapi.")
    for year in (1990, 1991):
        make_report(title=f"Informe {year} - Chile", body="Okapi.", language="es")

    def passage_of_1990():  # bm25's best (2), or a common query's first (1)
        [number] = [
            hit.paragraph.number
            for hit in search_archive("okap*").reports  # a prefix: its rows are counted
            if hit.report.title.startswith("Patterns") and hit.report.year == 1990
        ]
        return number

    assert passage_of_1990() == 2  # 3 rows in English, 2 in Spanish: in neither more than 4
    for year in (1992, 1993):
        make_report(title=f"Patterns of Global Terrorism {year} - Chile", body="Okapi.")
    assert passage_of_1990() == 1  # 5 in English


@on_sqlite
def test_the_common_words_follow_the_archive(db, monkeypatch):
    monkeypatch.setattr(sqlite, "COMMON_ROWS", 4)
    for year in range(1990, 1994):
        make_report(title=f"Patterns of Global Terrorism {year} - Chile", body="Okapi.")
    assert sqlite.common(parse("okapi")) is False

    make_report(title="Patterns of Global Terrorism 1994 - Chile", body="Okapi.")

    assert sqlite.common(parse("okapi")) is True


def test_a_common_word_never_shows_drafts_and_escapes_its_snippet(db, monkeypatch):
    every_word_common(monkeypatch, 2)
    for year in (1991, 1992, 1993):
        make_report(title=f"Patterns of Global Terrorism {year} - Chile", body="<b>chile</b> & co")
    make_report(
        title="Patterns of Global Terrorism 1999 - Chile", body="Chile.", status=Status.DRAFT
    )

    hits = search_archive("chile", limit=20).reports

    assert [hit.report.year for hit in hits] == [1993, 1992, 1991]
    assert all(hit.snippet == "<b>chile</b> & co" for hit in hits)  # plain text: the page escapes


def segments(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(DISTINCT segid) FROM {table}_idx")  # noqa: S608
        return cursor.fetchone()[0]


@on_sqlite
def test_rebuilding_the_index_merges_every_search_table_into_one_segment(db):
    for year in range(1990, 1995):  # each in its own savepoint: a segment each
        make_report(title=f"Patterns of Global Terrorism {year} - Peru", body="Okapi.")
        make_report(title=f"Informe {year} - Perú", body="El okapi.", language="es")
        make_incident(title=f"Okapi raid {year}", slug=f"okapi-raid-{year}")
    make_group(name="Okapi Front")
    assert segments("reports_search_fts") > 1
    assert segments("reports_search_es") > 1

    with transaction.atomic():
        search.pause_search_index()
        search.rebuild_search_index()

    assert [segments(table) for table in sqlite_schema.SEARCH_TABLES] == [1, 1, 1, 1]
    assert len(search_archive("okapi").reports) == 10
    assert len(search_archive("okapi").incidents) == 5


@on_sqlite
def test_migration_0008_merges_the_segments_of_an_existing_archive(db):
    for year in range(1990, 1995):
        make_report(title=f"Patterns of Global Terrorism {year} - Peru", body="Okapi.")
    assert segments("reports_search_fts") > 1

    migration = importlib.import_module("reports.migrations.0008_search_optimize")
    migration.optimize(None, type("SchemaEditor", (), {"connection": connection}))

    assert segments("reports_search_fts") == 1
    assert len(search_archive("okapi").reports) == 5


@on_sqlite
def test_a_word_in_more_than_candidates_rows_is_ranked_among_its_newest(db, monkeypatch):
    """Between CANDIDATES and COMMON_ROWS: bm25 over the newest CANDIDATES passages."""
    monkeypatch.setattr(sqlite, "CANDIDATES", 2)
    monkeypatch.setattr(sqlite, "COMMON_ROWS", 10)
    make_report(title="Patterns of Global Terrorism 1990 - Peru", body="Chile chile chile.")
    make_report(title="Patterns of Global Terrorism 1991 - Peru", body="A chile among words.")
    make_report(title="Patterns of Global Terrorism 1992 - Peru", body="Chile chile.")

    # The oldest, densest passage is not among the newest two: the 1992 one ranks first.
    assert common_hits("chile", limit=20) == [(1992, False, 1), (1991, False, 1)]


@on_sqlite
def test_the_lists_of_one_kind_fall_back_to_substrings_without_the_search_tables(
    peru_1997, monkeypatch, client
):
    monkeypatch.setattr(sqlite, "available", lambda: False)

    found = search.search("Cerp", kind="incidents")  # a substring: only the fallback finds it
    assert [i.slug for i in found.page.object_list] == [
        "japanese-ambassadors-residence-hostage-crisis-lima"
    ]
    assert found.counts["reports"] == found.counts["passages"] == 1
    assert [g.slug for g in search.search("Cerp -Lima", kind="groups").page.object_list] == []
    response = client.get("/search/", {"q": "Cerp", "country": "PE", "sort": "oldest"})
    assert response.status_code == 200
    assert "Nestor" in response.content.decode()
