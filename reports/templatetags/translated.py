"""An entry's text in the reader's language, for the templates (reports.translated)."""

from reports.templatetags import template_global
from reports.translated import localized


@template_global
def entry_text(entry, name):
    """Field `name` of `entry` as a Localized: the reader's language, or the other one."""
    return localized(entry, name)
