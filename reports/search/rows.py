"""The search page's result rows as data (templates/reports/includes/search_*.html
write them): links, plain texts, and the texts the query's words are marked in, cut
into segments.

The rows are built here, in plain Python, rather than by calls from the templates:
a call from a template costs several times what the same call costs here, and a
results page makes a dozen a row. Nothing here writes markup; the templates escape
every text, segments included.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from reports.models import name_with_acronym
from reports.templatetags.formatting import precise_date
from reports.translated import localized, reader_language

SUMMARY_WORDS = 40


@dataclass(slots=True)
class ReportRow:
    url: str
    title: list
    country_url: str
    country_name: str
    year: int
    # The best matching passage, or empty when only the title matched.
    passage: list
    paragraph_number: int | None
    paragraph_url: str
    language: str = "en"  # the report's: its title and passage are in it


@dataclass(slots=True)
class IncidentRow:
    url: str
    title: list
    date: str
    country_url: str
    country_name: str
    # The first SUMMARY_WORDS words of the summary.
    summary: list
    # The language of the title and of the summary where it is not the reader's, because
    # they are not translated (reports.translated); "" where it is.
    title_fallback: str = ""
    summary_fallback: str = ""


@dataclass(slots=True)
class GroupRow:
    url: str
    name: list
    aliases: list


@dataclass(slots=True)
class ResultRows:
    reports: list
    incidents: list
    groups: list


@lru_cache(maxsize=256)
def _words_pattern(words):
    """A regex splitting text around `words` (those of two letters or more), or None."""
    words = sorted({word for word in words if len(word) > 1}, key=len, reverse=True)
    if not words:
        return None
    # One group around the alternatives: split() then returns text, match, text, ...
    return re.compile(f"({'|'.join(re.escape(word) for word in words)})", re.IGNORECASE)


def highlight(text, words):
    """`text` cut into (text, is_match) segments, in order; is_match for each occurrence
    of one of `words` (a tuple; any case), which the template marks."""
    pattern = _words_pattern(words)
    if pattern is None:
        return [(text, False)] if text else []
    return [(piece, bool(n % 2)) for n, piece in enumerate(pattern.split(text)) if piece]


def first_words(text, count):
    """The first `count` words of `text`, then " …" if there were more: as Django's
    truncatewords filter, without the lazy Truncator object it builds on every call."""
    words = text.split()
    if len(words) <= count:
        return " ".join(words)
    cut = " ".join(words[:count])
    return cut if cut.endswith(" …") else f"{cut} …"


def report_row(hit, words, country_urls):
    report = hit.report
    url = report.get_absolute_url()
    paragraph = hit.paragraph
    return ReportRow(
        url=url,
        title=highlight(report.title, words),
        country_url=country_urls[report.country],
        country_name=report.country.local_name,
        year=report.year,
        passage=highlight(hit.snippet, words) if paragraph else [],
        paragraph_number=paragraph.number if paragraph else None,
        paragraph_url=f"{url}#p{paragraph.number}" if paragraph else "",
        language=report.language,
    )


def incident_row(incident, words, country_urls, language):
    title, summary = (
        localized(incident, "title", language),
        localized(incident, "summary", language),
    )
    return IncidentRow(
        url=incident.get_absolute_url(),
        title=highlight(title.text, words),
        date=precise_date(incident.start_date, incident.start_precision),
        country_url=country_urls[incident.country],
        country_name=incident.country.local_name,
        summary=highlight(first_words(summary.text, SUMMARY_WORDS) if summary else "", words),
        title_fallback=title.language if title.fallback else "",
        summary_fallback=summary.language if summary.fallback else "",
    )


def group_row(group, words):
    return GroupRow(
        url=group.get_absolute_url(),
        name=highlight(name_with_acronym(group.name, group.acronym), words),
        aliases=[highlight(alias.name, words) for alias in group.aliases.all()],
    )


class CountryURLs(dict):
    """Each country's URL, made once for all the rows from that country."""

    def __missing__(self, country):
        url = self[country] = country.get_absolute_url()
        return url


def result_rows(results):
    """The rows of the search page for `results` (search_archive's), in its order."""
    words, country_urls, language = tuple(results.parsed.words), CountryURLs(), reader_language()
    return ResultRows(
        reports=[report_row(hit, words, country_urls) for hit in results.reports],
        incidents=[incident_row(row, words, country_urls, language) for row in results.incidents],
        groups=[group_row(group, words) for group in results.groups],
    )
