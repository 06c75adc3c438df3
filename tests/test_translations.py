"""The Spanish catalogue is complete: every string in the sources, each translated
(archive/messages.py, locale/es/LC_MESSAGES/django.po)."""

import shutil

from babel.messages.pofile import read_po
from django.utils import translation

from archive import messages


def spanish_catalogue():
    with messages.po_path("es").open("rb") as po:
        return read_po(po, locale="es", domain=messages.DOMAIN)


def key(message):
    return (message.context, message.id)


def test_every_string_in_the_sources_is_in_the_spanish_catalogue():
    extracted = {key(m): m for m in messages.extract_messages() if m.id}
    catalogued = {key(m) for m in spanish_catalogue() if m.id}
    missing = sorted(
        f"{m.locations[0][0]}: {m.id!r}" for k, m in extracted.items() if k not in catalogued
    )
    assert not missing, "run `make messages` and translate:\n" + "\n".join(missing)


def test_every_entry_of_the_spanish_catalogue_is_translated_and_not_fuzzy():
    catalogue = spanish_catalogue()
    assert not catalogue.fuzzy
    untranslated = [m.id for m in catalogue if m.id and not all(_strings(m))]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


def _strings(message):
    return message.string if isinstance(message.string, tuple | list) else [message.string]


def test_extraction_reads_jinja2_django_templates_and_python():
    files = {location[0] for m in messages.extract_messages() for location in m.locations}
    assert "templates/base.html" in files  # Jinja2
    assert "templates/admin/reports/report/change_form.html" in files  # Django's engine
    assert "reports/models.py" in files  # gettext_lazy
    assert not any(path.startswith(("tests/", ".venv/")) for path in files)


def test_make_messages_changes_nothing_the_second_time(tmp_path, monkeypatch):
    shutil.copytree(messages.LOCALE_DIR, tmp_path / "locale")
    monkeypatch.setattr(messages, "LOCALE_DIR", tmp_path / "locale")
    before = messages.po_path("es").read_bytes()
    messages.update_catalogs()
    assert messages.update_catalogs() == []
    # An up-to-date catalogue is left as it is, header and all.
    assert messages.po_path("es").read_bytes() == before


def test_the_compiled_catalogue_serves_the_pages(tmp_path, monkeypatch):
    shutil.copytree(messages.LOCALE_DIR, tmp_path / "locale")
    monkeypatch.setattr(messages, "LOCALE_DIR", tmp_path / "locale")
    mo = messages.po_path("es").with_suffix(".mo")
    mo.unlink(missing_ok=True)
    assert messages.compile_catalogs() == [mo]
    assert messages.compile_catalogs() == []  # up to date
    with translation.override("es"):
        assert translation.gettext("Reports") == "Informes"


def test_a_catalogue_left_uncompiled_is_a_system_check_warning(tmp_path, monkeypatch):
    shutil.copytree(messages.LOCALE_DIR, tmp_path / "locale")
    monkeypatch.setattr(messages, "LOCALE_DIR", tmp_path / "locale")
    monkeypatch.setattr(messages, "ROOT", tmp_path)
    messages.compile_catalogs(force=True)
    assert messages.check_compiled() == []
    messages.po_path("es").with_suffix(".mo").unlink()
    assert [w.id for w in messages.check_compiled()] == ["archive.W001"]
