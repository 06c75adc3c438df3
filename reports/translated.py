"""An entry's text in the reader's language, or in the other one, marked, where it is missing.

Editors write titles, summaries, outcomes and descriptions in English (the original
field) and in Spanish (`<field>_es` beside it on the same table, so a list row needs no
join). The original stays the English text whatever the page's language: the indexes,
the search triggers, the raw SQL of the lists, the bulk importers and the exports read
it. A page shows the reader's language; where an entry has no text in it, the page
shows the other language's text, and the template says so (its `lang`, and "(in
English)"). Names are proper names: a group's name is not translated, its description is.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import get_language

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)  # "en", "es"
ORIGINAL = "en"  # the language of the original fields
# The fields written in both languages, by model name.
TRANSLATED = {"incident": ("title", "summary", "outcome"), "group": ("description",)}


@dataclass(frozen=True, slots=True)
class Localized:
    """A text, the language it is in, and whether that is not the page's language."""

    text: str
    language: str
    fallback: bool = False

    def __bool__(self):
        return bool(self.text)

    def __str__(self):
        return self.text


def reader_language():
    """ "en" or "es": the active language, as the entries' text columns name it."""
    language = (get_language() or ORIGINAL).split("-")[0]
    return language if language in LANGUAGES else ORIGINAL


def text_in(entry, name, language):
    """Field `name` of `entry` as written in `language` ("" when it is not)."""
    column = name if language == ORIGINAL else f"{name}_{language}"
    return getattr(entry, column, None) or ""


def localized(entry, name, language=None):
    """Field `name` of `entry` in `language` (the reader's by default), or else in the
    other language, marked as a fallback: a Localized."""
    language = language or reader_language()
    text = text_in(entry, name, language)
    if text:
        return Localized(text, language)
    for other in LANGUAGES:
        if other != language and (text := text_in(entry, name, other)):
            return Localized(text, other, fallback=True)
    return Localized("", language)


def translated_fields(model):
    """The names of `model`'s fields written in both languages (none if it has none)."""
    return TRANSLATED.get(model._meta.model_name, ())


def in_language(verbose_name, language):
    """ "title (Spanish)": the label of a field's text in one language."""
    return format_lazy("{} ({})", verbose_name, dict(settings.LANGUAGES)[language])
