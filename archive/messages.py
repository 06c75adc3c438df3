"""The translation catalogues: extract every string to translate, merge, compile.

Pure Python (Babel), so neither a newcomer nor CI needs GNU gettext:

- Python (archive/, reports/): Django's gettext functions, lazy ones included.
- Jinja2 templates (templates/, less admin/ and api/): Jinja2's own Babel extractor.
- Django templates (templates/admin/, templates/api/): Django's templatize(), the step
  makemessages runs before it hands the result to xgettext, read by Babel's Python
  extractor instead.

`make messages` extracts and merges into locale/<language>/LC_MESSAGES/django.po;
the .mo files are generated (gitignored) by compile_catalogs(), which the Makefile and
the test suite run when a .po is newer.
"""

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"
DOMAIN = "django"
# Every language but the source one (English) has a catalogue.
LANGUAGES = ("es",)

# First match wins: the Django-engine folders before the Jinja2 rule for templates/.
METHOD_MAP = [
    ("templates/admin/**.html", "archive.messages:extract_django_template"),
    ("templates/api/**.html", "archive.messages:extract_django_template"),
    ("templates/**.html", "jinja2.ext:babel_extract"),
    ("reports/migrations/**", "ignore"),
    ("reports/**.py", "python"),
    ("archive/**.py", "python"),
]
# As makemessages reads Python: Django's lazy and no-op variants too.
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext_lazy": (1, 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
COMMENT_TAGS = ("Translators:",)


def extract_django_template(fileobj, keywords, comment_tags, options):
    """Babel extractor for a Django template: {% translate %}, {% blocktranslate %}."""
    from django.utils.translation.template import templatize

    code = templatize(fileobj.read().decode("utf-8"))
    # xgettext reads templatize()'s output leniently; Python's tokenizer would trip on the
    # template's indentation, which carries no meaning here.
    code = "\n".join(line.lstrip() for line in code.splitlines())
    return extract_python(io.BytesIO(code.encode("utf-8")), keywords, comment_tags, options)


def extract_messages(root=ROOT):
    """A template catalogue of every translatable string in the sources."""
    template = Catalog(domain=DOMAIN, charset="utf-8", fuzzy=False)
    found = extract_from_dir(root, METHOD_MAP, {}, KEYWORDS, COMMENT_TAGS, strip_comment_tags=True)
    for filename, lineno, message, comments, context in found:
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def po_path(language):
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def _po_bytes(catalog):
    out = io.BytesIO()
    # No line numbers and no obsolete entries: a merge after unrelated edits changes
    # nothing, and a string gone from the sources leaves the catalogue.
    write_po(out, catalog, width=100, ignore_obsolete=True, include_lineno=False)
    return out.getvalue()


def update_catalogs(languages=LANGUAGES):
    """Merge the sources' strings into each language's .po; return the files changed.

    Idempotent: a second run writes nothing. A new string arrives untranslated, never
    guessed from a similar one (no fuzzy matching).
    """
    template = extract_messages()
    changed = []
    for language in languages:
        path = po_path(language)
        if path.exists():
            with path.open("rb") as po:
                catalog = read_po(po, locale=language, domain=DOMAIN)
            before = path.read_bytes()
        else:
            catalog = Catalog(locale=language, domain=DOMAIN, project="archive", fuzzy=False)
            before = b""
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        after = _po_bytes(catalog)
        if after != before:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(after)
            changed.append(path)
    return changed


def compile_catalogs(languages=LANGUAGES, force=False):
    """Write each language's .mo from its .po when the .po is newer; return those written.

    Fuzzy and untranslated entries are left out, so they show in English.
    """
    written = []
    for language in languages:
        po = po_path(language)
        mo = po.with_suffix(".mo")
        if not po.exists():
            continue
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=language, domain=DOMAIN)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        mo.write_bytes(buffer.getvalue())
        written.append(mo)
    return written


def check_compiled(app_configs=None, **kwargs):
    """System check: a catalogue whose .mo is missing or older than its .po would serve
    its language's pages in English, or in yesterday's words."""
    from django.core.checks import Warning

    stale = [
        po
        for po in (po_path(language) for language in LANGUAGES)
        if po.exists()
        and (
            not po.with_suffix(".mo").exists()
            or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
        )
    ]
    return [
        Warning(
            f"{po.relative_to(ROOT)} is not compiled, or changed since.",
            hint="Run `python manage.py messages --compile-only` (make does it for you).",
            id="archive.W001",
        )
        for po in stale
    ]
