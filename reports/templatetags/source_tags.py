"""Filters for the source blocks of the pages: the quoted passages, provenance and
disclaimers (templates/reports/includes/citations.html, provenance.html,
disclaimers.html), and the paragraphs of an entry's own text. They return text;
the templates write and escape the markup."""

import re

from django.template.defaultfilters import filesizeformat
from django.utils.dateformat import format as format_date
from django.utils.timezone import template_localtime
from django.utils.translation import get_language

from reports.models import Fact
from reports.templatetags import template_filter

FACT_LABELS = dict(Fact.choices)
# "5 March 2026, 14:02 UTC"; "5 de marzo de 2026, 14:02 UTC".
MOMENT_FORMATS = {"en": "j F Y, H:i e", "es": r"j \d\e F \d\e Y, H:i e"}


@template_filter
def fact_labels(facts):
    """Readable names of the facts a citation supports."""
    return ", ".join(str(FACT_LABELS.get(fact, fact)) for fact in facts or [])


@template_filter
def moment(value):
    """A moment as the provenance shows it, in the archive's time zone and the page's
    language ("5 March 2026, 14:02 UTC")."""
    return format_date(
        template_localtime(value), MOMENT_FORMATS.get(get_language(), "j F Y, H:i e")
    )


@template_filter
def file_size(value):
    """A size in bytes as Django's filesizeformat says it ("1.2 KB"; Jinja2's own
    filesizeformat counts in thousands)."""
    return filesizeformat(value)


@template_filter
def text_paragraphs(text):
    """Split a summary or description as Django's linebreaks filter does: paragraphs at
    blank lines, each a list of its lines (templates/reports/includes/text.html)."""
    text = re.sub(r"\r\n|\r", "\n", str(text or "")).strip()
    return [paragraph.split("\n") for paragraph in re.split(r"\n{2,}", text)] if text else []
