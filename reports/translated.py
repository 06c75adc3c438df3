"""An entry's text in the reader's language, or in the other one, marked, where it is missing.

Editors write titles, summaries, outcomes and descriptions in English (the original
field, which the rest of the archive reads) and in Spanish (`<field>_es`, added by
modeltranslation: reports/translation.py). A page shows the reader's language; where an
entry has no text in it, the page shows the other language's text, and the template says
so (its `lang`, and "(in English)").
"""

from dataclasses import dataclass

from django.utils.translation import get_language

LANGUAGES = ("en", "es")
ORIGINAL = "en"  # the language of the original fields


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
    from modeltranslation.translator import NotRegistered, translator

    try:
        return tuple(translator.get_options_for_model(model).local_fields)
    except NotRegistered:
        return ()


def mirror_english(sender, instance, **kwargs):
    """Copy the original fields to modeltranslation's English columns before a save, so
    its `<field>_en` never disagrees with the text the archive reads."""
    for name in translated_fields(sender):
        setattr(instance, f"{name}_{ORIGINAL}", getattr(instance, name))
