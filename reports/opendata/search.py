"""The archive's search as data: one kind's results as rows, for the API (/api/search/)
and the downloads (/search/export.csv, .json). What is found, and in what order, is
reports.search's; the reading room's search page shows the same results.
"""

from reports.filters import SearchForm
from reports.opendata.exports import export_meta

# Rows of a download at most: the first, in the order asked for.
EXPORT_LIMIT = 10_000


class SearchInvalid(ValueError):
    def __init__(self, errors):
        self.errors = errors  # {field: [message]}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))

    @property
    def body(self):
        """The JSON of the 400 that answers it (the API's and the downloads')."""
        return {"error": "The search is not valid.", "fields": self.errors}


def search_arguments(params):
    """reports.search.search's arguments from a query string (a kind of results is
    needed: reports unless one is given); raise SearchInvalid with the form's errors."""
    form = SearchForm(params)
    if not form.is_valid():
        raise SearchInvalid({field: list(errors) for field, errors in form.errors.items()})
    arguments = form.search_arguments()
    arguments["kind"] = arguments["kind"] or "reports"
    return arguments


def hit_row(kind, hit, absolute):
    """One result of `kind` as a flat dict; `absolute` makes a path a full URL."""
    if kind in ("reports", "passages"):
        report, paragraph = hit.report, hit.paragraph
        url = absolute(report.get_absolute_url())
        return {
            "title": report.title,
            "url": url,
            "country": report.country.name,
            "year": report.year,
            "language": report.language,
            "paragraph": paragraph.number if paragraph else None,
            "paragraph_url": f"{url}#{paragraph.anchor}" if paragraph else None,
            # A passage whole; a report's best passage around the words found.
            "text": paragraph.text if kind == "passages" else hit.snippet,
        }
    if kind == "incidents":
        return {
            "title": hit.title,
            "url": absolute(hit.get_absolute_url()),
            "start_date": hit.start_date.isoformat(),
            "start_precision": hit.start_precision,
            "country": hit.country.name,
        }
    return {
        "name": hit.name,
        "acronym": hit.acronym,
        "url": absolute(hit.get_absolute_url()),
        "aliases": [alias.name for alias in hit.aliases.all()],
    }


def expanded(query):
    """The group names the query searched as one: [{"group": name, "names": [...]}]."""
    return [
        {"group": clause.group, "names": [" ".join(term.words) for term in clause.terms]}
        for clause in query.expanded
    ]


def meta(query, kind, params, archive_url):
    """What a download says about itself: exports.export_meta() and the search."""
    return export_meta(kind, params, archive_url) | {
        "query": query.text,
        "searched_as": str(query),
        "group_names": expanded(query),
        "limit": EXPORT_LIMIT,
    }
