"""Search per language: Spanish reports are found by Spanish words (Spanish stemming,
accents folded), English ones as before, and one search finds both, whatever the
interface's language. Runs on either engine (CI runs both)."""

import importlib

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import translation

from reports.models import Paragraph, Report
from reports.search import search_archive, spanish
from tests.factories import make_report

SPANISH_BODY = (
    "Los guerrilleros secuestraron al alcalde de Ayacucho en Perú.\n\n"
    "La acción dejó tres niños heridos."
)


@pytest.fixture
def informe(db):
    return make_report(
        title="Informe sobre derechos humanos 1998 - Perú", body=SPANISH_BODY, language="es"
    )


@pytest.fixture
def english(db):
    return make_report(
        title="Patterns of Global Terrorism 1998 - Peru",
        body="Guerrillas kidnapped two ambassadors in Ayacucho.",
    )


def hits(query):
    return [
        (hit.report.language, hit.paragraph and hit.paragraph.number, hit.snippet)
        for hit in search_archive(query).reports
    ]


def test_a_spanish_word_finds_its_stem_in_a_spanish_report(informe):
    # "secuestro" and "secuestraron" share the Spanish stem "secuestr".
    assert hits("secuestro") == [("es", 1, SPANISH_BODY.split("\n\n")[0])]
    assert [hit[:2] for hit in hits("heridas")] == [("es", 2)]  # "heridos", one stem
    assert hits("kidnapped") == []
    assert [hit[:2] for hit in hits("herido niño")] == [("es", 2)]


def test_spanish_words_are_found_without_their_accents_and_with_others(informe):
    assert [hit[:2] for hit in hits("accion")] == [("es", 2)]
    assert [hit[:2] for hit in hits("peru ayacucho")] == [("es", 1)]
    assert [hit[:2] for hit in hits("ACCIÓN")] == [("es", 2)]


def test_a_spanish_title_matches_in_spanish(informe):
    [hit] = search_archive("derecho humano").reports
    assert hit.title_match and hit.report == informe


def test_english_reports_still_stem_in_english(english, informe):
    assert [hit[:2] for hit in hits("kidnapping ambassador")] == [("en", 1)]
    # Spanish words of an English report: the English index, as before.
    assert [hit[:2] for hit in hits("guerrilla")] == [("en", 1)]


def test_one_search_finds_english_and_spanish_reports_from_either_interface(english, informe):
    for language in ("en", "es"):
        with translation.override(language):
            assert {hit.report.language for hit in search_archive("Ayacucho").reports} == {
                "en",
                "es",
            }


def test_the_spanish_search_page_lists_both(client, english, informe):
    response = client.get(
        reverse("reports:search"), {"q": "Ayacucho"}, HTTP_ACCEPT_LANGUAGE="es", follow=True
    )
    assert response.status_code == 200
    assert english.title in response.text and informe.title in response.text


def test_a_report_whose_language_changes_is_searched_in_the_new_one(english):
    assert hits("secuestro") == []
    Paragraph.objects.filter(report=english).update(text="Secuestraron al alcalde.")
    assert hits("secuestro") == []  # English stems: "secuestraron" is not "secuestro"
    english.language = "es"
    english.save()
    assert [hit[:2] for hit in hits("secuestro")] == [("es", 1)]
    english.language = "en"
    english.save()
    assert hits("secuestro") == []
    assert [hit[:2] for hit in hits("secuestraron")] == [("en", 1)]


def test_paragraphs_added_to_a_spanish_report_are_indexed_in_spanish(informe):
    Paragraph.objects.create(report=informe, number=3, text="Hubo un atentado en Lima.")
    assert [hit[:2] for hit in hits("atentados")] == [("es", 3)]
    Paragraph.objects.filter(report=informe, number=3).delete()
    assert hits("atentados") == []


@pytest.mark.parametrize(
    "query",
    ['"secuestro', "NEAR(acción", "niño*", "title:perú", "AND OR NOT", "<b>peru</b>", "ñ" * 300],
)
def test_hostile_queries_against_spanish_reports_never_raise(informe, english, query):
    search_archive(query)


def test_spanish_stems_fold_accents_first():
    assert spanish.spanish_stems("Perú: la ACCIÓN, los niños") == "peru la accion los nin"
    assert spanish.first_match("La acción dejó heridos.", ["Accion"]) == "acción"


def test_the_migration_moves_spanish_reports_and_reverses_on_a_populated_archive(english, informe):
    """Migration 0014 backwards, then forwards again, on rows that exist (with 0020,
    which rebuilds its SQLite tables, and 0023, whose stored vectors read 0014's
    column and configuration, before and after it)."""
    migrations = [
        importlib.import_module(f"reports.migrations.{name}")
        for name in ("0014_search_languages", "0020_search_facets", "0023_stored_search_vectors")
    ]
    editor = type("SchemaEditor", (), {"connection": connection})
    if connection.vendor == "postgresql":  # no ALTER TABLE with foreign key checks pending
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for migration in reversed(migrations):
        migration.drop(None, editor)
    for migration in migrations:
        migration.create(None, editor)
    assert [hit[:2] for hit in hits("secuestro")] == [("es", 1)]
    assert [hit[:2] for hit in hits("kidnapped")] == [("en", 1)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search only")
def test_postgresql_paragraphs_know_their_reports_language(english, informe):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT r.language, p.search_language FROM reports_paragraph p"
            " JOIN reports_report r ON r.id = p.report_id ORDER BY 1"
        )
        assert cursor.fetchall() == [("en", "en"), ("es", "es")]


def test_a_report_created_in_spanish_is_indexed_in_spanish(english):
    report = Report.objects.get(pk=english.pk)  # a copy, inserted in Spanish
    report.pk, report.slug, report.title = None, "informe-anual", "Informe anual - Perú"
    report.language, report.sha256 = "es", "0" * 64
    report.save()
    Paragraph.objects.create(report=report, number=1, text="Desplazaron a los campesinos.")

    assert [hit[:2] for hit in hits("desplazamiento campesino")] == [("es", 1)]
    [hit] = search_archive("informes anuales").reports
    assert hit.title_match and hit.report == report


class Rollback(Exception):
    pass


def test_a_restored_backup_finds_spanish_reports_in_spanish(db, tmp_path):
    path = tmp_path / "archive.json"
    with pytest.raises(Rollback), transaction.atomic():
        make_report(title="Informe 1998 - Perú", body=SPANISH_BODY, language="es")
        call_command("export_archive", str(path), verbosity=0)
        raise Rollback
    assert hits("secuestro") == []

    call_command("import_archive", str(path), verbosity=0)

    assert [hit[:2] for hit in hits("secuestro")] == [("es", 1)]
