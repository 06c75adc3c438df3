"""Curation from the document: a citation form opened with a selected passage filled in,
and a new incident's form drafted from it.

The report's admin page links to an incident's or group's form with
`?cite_report=<pk>&cite_paragraph=<pk>&cite_quote=<text>`; the citation inline
reads them as the initial data of one extra citation. On a new incident's form the
passage also suggests the date, place, type, perpetrators and the facts the citation
supports (reports/drafting.py), and once it is saved, `?suggest_figures=1` suggests the
figure claims its citations give. They only fill a form: the editor checks each and
saves, and the quote is checked against the report when the form is saved, as always.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.utils.translation import gettext as _

from reports.drafting import Draft, archive_names, dates_in, draft, figures_in, marks, segments
from reports.models import Paragraph, Report, normalise_space

PARAMETERS = ("cite_report", "cite_paragraph", "cite_quote")
# The change form's parameter that fills the claims inline with the citations' figures.
SUGGEST_FIGURES = "suggest_figures"
# A citation quotes a passage, not a document; longer input is cut, then checked on save.
MAX_QUOTE_LENGTH = 5000


def passage_from_query(query):
    """Return the initial data of a citation named by `query` (a QueryDict), or None.

    Raise ValueError with a message for the editor when the parameters do not
    name a report and, if given, one of its paragraphs.
    """
    if not any(query.get(name) for name in PARAMETERS):
        return None
    try:
        report = Report.objects.only("pk").get(pk=int(query.get("cite_report", "")))
    except (ValueError, Report.DoesNotExist):
        raise ValueError(_("The passage link names no report; cite the passage by hand.")) from None
    initial = {"report": report.pk, "quote": query.get("cite_quote", "")[:MAX_QUOTE_LENGTH]}
    if query.get("cite_paragraph"):
        try:
            initial["paragraph"] = Paragraph.objects.values_list("pk", flat=True).get(
                pk=int(query["cite_paragraph"]), report=report
            )
        except (ValueError, Paragraph.DoesNotExist):
            raise ValueError(
                _("The passage link names no paragraph of that report; cite it by hand.")
            ) from None
    return initial


class CitationFromPassageInline:
    """Mixin for a citation inline: prefill one extra citation from the passage in the URL."""

    def get_formset(self, request, obj=None, **kwargs):
        initial = None
        if request.method == "GET":
            try:
                initial = passage_from_query(request.GET)
            except ValueError as error:
                messages.warning(request, str(error))
        if initial is not None and obj is not None and cites(obj, initial):
            # The form was saved with this passage already (e.g. "Save and continue
            # editing" keeps the link's query): offering it again would cite it twice.
            messages.info(request, _("This passage is already cited here."))
            initial = None
        if initial is None:
            return super().get_formset(request, obj, **kwargs)
        drafted = getattr(request, "drafted", None)
        if drafted is not None:
            initial["facts"] = drafted.draft.facts()
        formset = super().get_formset(request, obj, **{**kwargs, "extra": 1})
        return prefilled(formset, [initial])


def cites(entry, initial):
    """True if `entry` already cites the passage `initial` names (whitespace aside)."""
    quote = normalise_space(initial["quote"])
    return any(
        normalise_space(cited) == quote
        for cited in entry.citations.filter(report=initial["report"]).values_list(
            "quote", flat=True
        )
    )


def prefilled(formset_class, initial):
    """Return `formset_class` whose unbound formsets start with the `initial` rows (a list)
    in their extra forms."""

    class PrefilledFormSet(formset_class):
        def __init__(self, *args, **kwargs):
            if not args and kwargs.get("data") is None:
                kwargs.setdefault("initial", initial)
            super().__init__(*args, **kwargs)

    PrefilledFormSet.__name__ = formset_class.__name__
    return PrefilledFormSet


@dataclass
class Drafted:
    """A new incident's suggestions (Draft) from a passage of `report`."""

    report: Report
    draft: Draft

    def initial(self):
        return {**self.draft.initial(), "country": self.report.country_id}


def drafted_from_query(query):
    """The Drafted of the passage an add form's link names, or None (no passage, or a link
    the citation inline already explains is wrong)."""
    try:
        initial = passage_from_query(query)
    except ValueError:
        return None
    if initial is None or not initial["quote"].strip():
        return None
    report = Report.objects.only("pk", "year", "country").get(pk=initial["report"])
    return Drafted(report, draft(initial["quote"], report.year, archive_names()))


def suggested_claims(incident):
    """Initial rows of the figure claims the incident's citations give and its claims do
    not have yet: (figure, least, most, the source's words, the citation)."""
    claimed = set(incident.claims.values_list("figure", "low", "high", "citation"))
    rows = []
    for citation in incident.citations.select_related("report").order_by("pk"):
        text = citation.quote
        for found in figures_in(text, dates_in(text, citation.report.year)):
            if (found.figure, found.low, found.high, citation.pk) in claimed:
                continue
            rows.append(
                {
                    "figure": found.figure,
                    "low": found.low,
                    "high": found.high,
                    "wording": found.wording,
                    "citation": citation.pk,
                }
            )
    return rows


def marked_paragraphs(report):
    """[(paragraph, [(text, Mark or None)])]: the report's text for its curation list, the
    dates, figures, places and armed groups in it marked."""
    names = archive_names()
    return [
        (paragraph, segments(paragraph.text, marks(paragraph.text, report.year, names)))
        for paragraph in report.paragraphs.all()
    ]
