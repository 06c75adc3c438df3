"""The source blocks of the detail pages: quoted passages, provenance and disclaimers.

Written in Python rather than included templates: an include, its loop and its filters
cost a detail page ~1-2 ms, a tenth of it. Every value from the archive is escaped
here with html.escape (`_e`); nothing is marked safe unescaped.
"""

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils.dateformat import format as format_date
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

from reports.templatetags.lists import _e
from reports.templatetags.passages import fact_labels

register = template.Library()

WHEN = "j F Y, H:i e"


def _when(value):
    """A moment as the provenance shows it, in the archive's time zone (as |date did)."""
    return _e(format_date(template_localtime(value), WHEN))


def _reviewer(entry):
    user = entry.status_changed_by
    return _e(user.get_username()) if user else "archive staff"


def _safe(html):
    return mark_safe(html)  # noqa: S308 (callers escape every value they write)


@register.simple_tag
def citation_list(citations):
    """The quotations behind an entry, numbered for its footnotes (#c1, #c2, ...)."""
    if not citations:
        items = "\n  <p>No published source quoted.</p>"
    else:
        rows = []
        for number, citation in enumerate(citations, start=1):
            url = _e(citation.report.get_absolute_url())
            where = label = ""
            if citation.paragraph:
                where = f"#p{citation.paragraph.number:d}"
                label = f", paragraph {citation.paragraph.number:d}"
            supports = (
                f'\n          <span class="supports">Supports: {_e(fact_labels(citation.facts))}'
                "</span>"
                if citation.facts
                else ""
            )
            note = (
                f'\n          <span class="note">Editor\'s note: {_e(citation.note)}</span>'
                if citation.note
                else ""
            )
            rows.append(
                f'\n    <li id="c{number:d}">\n      <figure>\n'
                f'        <blockquote cite="{url}{where}"><p>{_e(citation.quote)}</p>'
                "</blockquote>\n"
                f'        <figcaption>\n          <a href="{url}{where}">'
                f"{_e(citation.report.title)}{label}</a>{supports}{note}\n"
                "        </figcaption>\n      </figure>\n    </li>"
            )
        items = f'\n  <ol class="citation-list">{"".join(rows)}\n  </ol>'
    return _safe(
        '<section class="citations" aria-labelledby="citations-heading">\n'
        f'  <h2 id="citations-heading">Sources quoted</h2>{items}\n</section>'
    )


def _source(report, link):
    title = _e(report.title)
    if link:
        title = f'<a href="{_e(report.get_absolute_url())}">{title}</a>'
    imported_by = f" by {_e(report.imported_by.get_username())}" if report.imported_by else ""
    reviewed = (
        f"{_when(report.status_changed_at)} by {_reviewer(report)}"
        if report.status_changed_at
        else "not recorded"
    )
    return (
        '\n  <dl class="provenance__source">\n'
        f"    <dt>Source document</dt><dd>{title}</dd>\n"
        f"    <dt>Publisher</dt><dd>{_e(report.publisher or 'not stated in the document')}</dd>\n"
        f"    <dt>Republisher</dt><dd>{_e(report.republisher or 'none')}</dd>\n"
        f"    <dt>Imported</dt><dd>{_when(report.imported_at)}{imported_by},"
        f" with {_e(report.import_method)}</dd>\n"
        f'    <dt>File</dt><dd><span class="filename">{_e(report.source_filename)}</span>'
        f" ({_e(filesizeformat(report.size_bytes))})</dd>\n"
        f'    <dt>SHA-256</dt><dd><code class="checksum">{_e(report.sha256)}</code></dd>\n'
        f"    <dt>Editorial status</dt><dd>{_e(report.get_status_display())}</dd>\n"
        f"    <dt>Last reviewed</dt><dd>{reviewed}</dd>\n  </dl>"
    )


@register.simple_tag
def provenance(reports, entry=None, link=False):
    """One block per source report; `entry` (optional) is the incident or group shown."""
    this = ""
    if entry:
        reviewed = (
            f", last reviewed {_when(entry.status_changed_at)} by {_reviewer(entry)}"
            if entry.status_changed_at
            else ""
        )
        this = (
            '\n  <p class="provenance__entry">This entry: '
            f"{_e(entry.get_status_display().lower())}{reviewed}.</p>"
        )
    sources = "".join(_source(report, link) for report in reports) or (
        "\n  <p>No published source document supports this entry.</p>"
    )
    return _safe(
        '<section class="provenance" aria-labelledby="provenance-heading">\n'
        f'  <h2 id="provenance-heading">Provenance</h2>{this}{sources}\n</section>'
    )


@register.simple_tag
def disclaimer(text, report=None):
    """A source document's disclaimer; `report` names the document when there are several."""
    if not text:
        return ""
    source = f' <span class="disclaimer__source">({_e(report.title)})</span>' if report else ""
    return _safe(
        '<aside class="disclaimer">\n'
        f'  <h2 class="disclaimer__label">Disclaimer of the source document{source}</h2>\n'
        f"  <p>{_e(text)}</p>\n</aside>"
    )


@register.simple_tag
def disclaimers(reports):
    """The disclaimer of each source report of an entry, each naming its report."""
    return _safe("".join(disclaimer(report.disclaimer, report) for report in reports))
