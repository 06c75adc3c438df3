"""OAI-PMH 2.0 repository of the archive's published reports and incidents.

The six verbs, `oai_dc` records, sets by kind (`reports`, `incidents`), by
country (`country:PE`) and by series (`series:<slug>`), selective harvesting
on the last change (`updated_at`), and resumption tokens. The XML is built with
xml.etree, which escapes every text and attribute.

A list is read in a fixed order (reports then incidents, each by primary key)
and a resumption token carries where the last page stopped (kind and last pk),
so a page costs the same however deep the harvest is and a record added during a
harvest neither shifts nor repeats the others. Tokens are signed (opaque to the
harvester, tamper-evident) and expire after a day.
"""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Exists, Min, OuterRef
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from reports.models import Country, Figure, Incident, Report, place_name
from reports.opendata.citing import iso_at_precision
from reports.opendata.claims import claim_words, estimate_words, published_estimates

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
for _prefix, _uri in (("", OAI), ("oai_dc", OAI_DC), ("dc", DC), ("xsi", XSI)):
    ET.register_namespace(_prefix, _uri)

PAGE_SIZE = 100
TOKEN_LIFETIME = timedelta(days=1)
TOKEN_SALT = "reports.opendata.oai.resumption"  # noqa: S105 - a signing namespace, not a secret
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SECOND_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
SET_SPEC_RE = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$")
# Characters XML 1.0 cannot carry at all, even escaped.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

VERBS = {
    # verb: (required, optional, exclusive)
    "Identify": (set(), set(), None),
    "ListMetadataFormats": (set(), {"identifier"}, None),
    "ListSets": (set(), set(), "resumptionToken"),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
    "GetRecord": ({"identifier", "metadataPrefix"}, set(), None),
}
KINDS = ("report", "incident")  # the order in which a list is read


class OAIError(Exception):
    def __init__(self, code, message):
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


@dataclass
class Query:
    """A list request, from its arguments or from a resumption token."""

    verb: str
    prefix: str
    set_spec: str | None = None
    start: datetime | None = None  # inclusive
    end: datetime | None = None  # exclusive
    stage: int = 0  # index in KINDS
    after: int = 0  # last pk of the previous page in that kind
    cursor: int = 0
    total: int | None = None

    def to_token(self):
        return signing.dumps(
            {
                "v": self.verb,
                "p": self.prefix,
                "s": self.set_spec,
                "f": self.start.isoformat() if self.start else None,
                "u": self.end.isoformat() if self.end else None,
                "k": self.stage,
                "a": self.after,
                "c": self.cursor,
                "n": self.total,
            },
            salt=TOKEN_SALT,
            compress=True,
        )

    @classmethod
    def from_token(cls, verb, token):
        try:
            data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_LIFETIME)
            if data["v"] != verb or data["k"] not in range(len(KINDS)):
                raise ValueError
            return cls(
                verb=verb,
                prefix=data["p"],
                set_spec=data["s"],
                start=datetime.fromisoformat(data["f"]) if data["f"] else None,
                end=datetime.fromisoformat(data["u"]) if data["u"] else None,
                stage=int(data["k"]),
                after=int(data["a"]),
                cursor=int(data["c"]),
                total=data["n"],
            )
        except signing.SignatureExpired:
            raise OAIError("badResumptionToken", "The resumption token has expired.") from None
        except (signing.BadSignature, ValueError, KeyError, TypeError):
            raise OAIError(
                "badResumptionToken", "The resumption token is not valid for this request."
            ) from None


# --- Identifiers, dates, sets ---------------------------------------------------


def repository_id(request):
    return request.get_host().split(":")[0] or "localhost"


def oai_identifier(request, kind, slug):
    return f"oai:{repository_id(request)}:{kind}/{slug}"


def parse_identifier(request, identifier):
    """Return (model, slug) for an identifier of this repository, or raise idDoesNotExist."""
    prefix = f"oai:{repository_id(request)}:"
    if identifier.startswith(prefix):
        kind, _, slug = identifier[len(prefix) :].partition("/")
        model = {"report": Report, "incident": Incident}.get(kind)
        if model is not None and slug:
            return model, slug
    raise OAIError("idDoesNotExist", f"No record has the identifier {identifier!r}.")


def datestamp(value):
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_bounds(start_text, end_text):
    """Return (start inclusive, end exclusive) from `from` and `until`, or raise badArgument."""

    def parse(text, name):
        if text is None:
            return None, None
        try:
            if DAY_RE.match(text):
                return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC), "day"
            if SECOND_RE.match(text):
                return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC), "second"
        except ValueError:
            pass
        raise OAIError(
            "badArgument", f"{name} must be a date (YYYY-MM-DD) or a time ({GRANULARITY})."
        )

    start, start_kind = parse(start_text, "from")
    until, until_kind = parse(end_text, "until")
    if start_kind and until_kind and start_kind != until_kind:
        raise OAIError("badArgument", "from and until must have the same granularity.")
    if start and until and start > until:
        raise OAIError("badArgument", "from is after until.")
    # until is inclusive of its whole day or second.
    end = None
    if until is not None:
        try:
            end = until + (timedelta(days=1) if until_kind == "day" else timedelta(seconds=1))
        except OverflowError:  # 9999-12-31: no day follows it
            raise OAIError("badArgument", "until is past the last date there can be.") from None
    return start, end


def series_spec(series):
    return "series:" + (slugify(series) or "untitled")


def record_sets(obj):
    if isinstance(obj, Report):
        return ["reports", f"country:{obj.country_id}", series_spec(obj.series)]
    return ["incidents", f"country:{obj.country_id}"]


def filtered(kind, query):
    """The published queryset of one kind that a list query selects, in harvest order."""
    model = Report if kind == "report" else Incident
    qs = model.objects.published()
    if query.start:
        qs = qs.filter(updated_at__gte=query.start)
    if query.end:
        qs = qs.filter(updated_at__lt=query.end)
    spec = query.set_spec
    if spec:
        head, _, rest = spec.partition(":")
        if head == "reports" and not rest:
            qs = qs if kind == "report" else qs.none()
        elif head == "incidents" and not rest:
            qs = qs if kind == "incident" else qs.none()
        elif head == "country":
            qs = qs.filter(country_id=rest) if rest else qs
        elif head == "series" and kind == "report":
            if rest:
                names = [s for s in Report.objects.published_series() if series_spec(s) == spec]
                qs = qs.filter(series__in=names)
        else:
            qs = qs.none()
    return qs.order_by("pk")


def with_record_data(kind, qs):
    """Join or prefetch what a record shows, so a page takes a fixed number of queries."""
    if kind == "report":
        return qs.select_related("country", "publisher", "republisher")
    return (
        qs.select_related("country")
        .with_published_perpetrators()
        .with_published_citations()
        .with_published_claims()
    )


# --- XML ---------------------------------------------------------------------------


def q(ns, tag):
    return f"{{{ns}}}{tag}"


def clean(text):
    return XML_ILLEGAL.sub("", str(text))


def sub(parent, tag, text=None, ns=OAI, **attrs):
    element = ET.SubElement(parent, q(ns, tag), {k: clean(v) for k, v in attrs.items()})
    if text is not None:
        element.text = clean(text)
    return element


def envelope(request, params):
    root = ET.Element(q(OAI, "OAI-PMH"), {q(XSI, "schemaLocation"): SCHEMA_LOCATION})
    sub(root, "responseDate", datestamp(timezone.now()))
    base_url = request.build_absolute_uri(reverse("open_data:oai"))
    request_el = sub(root, "request", base_url)
    for key, value in params.items():
        request_el.set(key, clean(value))
    return root


def header(request, obj, kind):
    element = ET.Element(q(OAI, "header"))
    sub(element, "identifier", oai_identifier(request, kind, obj.slug))
    sub(element, "datestamp", datestamp(obj.updated_at))
    for spec in record_sets(obj):
        sub(element, "setSpec", spec)
    return element


def oai_dc(request, obj, kind):
    dc = ET.Element(q(OAI_DC, "dc"), {q(XSI, "schemaLocation"): f"{OAI_DC} {OAI_DC_SCHEMA}"})

    def add(tag, value):
        if value not in (None, ""):
            sub(dc, tag, value, ns=DC)

    url = request.build_absolute_uri(obj.get_absolute_url())
    if kind == "report":
        add("title", obj.title)
        add("creator", obj.publisher)
        add("publisher", obj.publisher or obj.republisher)
        if obj.republisher:
            add("contributor", obj.republisher)
        add("date", obj.published_on.isoformat() if obj.published_on else str(obj.year))
        add("type", "Text")
        add("type", "Report")
        add("subject", obj.series)
        add("description", f"{obj.series}: the country report on {obj.country} for {obj.year}.")
        add("coverage", obj.country.name)
        add("coverage", str(obj.year))
        add("format", "text/html")
        add("language", obj.language)
        add("identifier", url)
        add("identifier", obj.document_identifier)
        add("source", obj.source_url)
        if obj.republisher:
            add("source", f"{obj.title}, republished by {obj.republisher} (SHA-256 {obj.sha256})")
        add("rights", obj.disclaimer)
        return dc
    add("title", obj.title)
    add("creator", settings.ARCHIVE_NAME)
    add("publisher", settings.ARCHIVE_NAME)
    add("date", iso_at_precision(obj.start_date, obj.start_precision))
    add("type", "Event")
    add("subject", obj.get_type_display())
    for perpetration in obj.published_perpetrations:
        add("subject", perpetration.group.name)
    add("description", obj.summary)
    for line in figure_lines(obj):
        add("description", line)
    add("coverage", place_name(obj.city, obj.region, obj.country.name))
    start = iso_at_precision(obj.start_date, obj.start_precision)
    end = iso_at_precision(obj.end_date, obj.end_precision)
    add("coverage", f"{start}/{end}" if end else start)
    add("language", "en")
    add("identifier", url)
    seen = set()
    for citation in obj.published_citations:
        if citation.report_id not in seen:
            seen.add(citation.report_id)
            add("source", citation.report.title)
            add("relation", request.build_absolute_uri(citation.report.get_absolute_url()))
    return dc


def claim_source(claim):
    if claim.from_dataset:
        return "the dataset row the incident was imported from"
    citation = claim.citation
    number = f", paragraph {citation.paragraph.number}" if citation.paragraph_id else ""
    return f"{citation.report.title}{number}: “{citation.quote}”"


def figure_lines(incident):
    """Dublin Core descriptions of an incident's figures: per figure its best estimate and
    range, then each published claim in the source's words with the passage it rests on."""
    lines = []
    for figure, found in published_estimates(incident).items():
        if found is None:
            continue
        label = Figure(figure).label
        lines.append(f"{label} (best estimate): {estimate_words(found)}")
        lines += [
            f"{label}: {claim_words(claim)}, according to {claim_source(claim)}"
            for claim in found.claims
        ]
    return lines


def record(request, obj, kind):
    element = ET.Element(q(OAI, "record"))
    element.append(header(request, obj, kind))
    metadata = sub(element, "metadata")
    metadata.append(oai_dc(request, obj, kind))
    return element


def to_bytes(root):
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


# --- Verbs ---------------------------------------------------------------------


def check_arguments(params):
    """Return the verb, or raise badVerb / badArgument for the request's arguments."""
    verb = params.get("verb")
    if verb not in VERBS:
        raise OAIError("badVerb", "The verb is missing or not an OAI-PMH verb.")
    required, optional, exclusive = VERBS[verb]
    given = set(params) - {"verb"}
    if exclusive and exclusive in given:
        if given != {exclusive}:
            raise OAIError("badArgument", f"{exclusive} must be the only argument.")
        return verb
    unknown = given - required - optional
    if unknown:
        raise OAIError("badArgument", f"Illegal argument(s): {', '.join(sorted(unknown))}.")
    missing = required - given
    if missing:
        raise OAIError("badArgument", f"Missing argument(s): {', '.join(sorted(missing))}.")
    return verb


def check_prefix(prefix):
    if prefix != "oai_dc":
        raise OAIError("cannotDisseminateFormat", f"The format {prefix!r} is not offered.")


def identify(request, root, params):
    element = sub(root, "Identify")
    sub(element, "repositoryName", settings.ARCHIVE_NAME)
    sub(element, "baseURL", request.build_absolute_uri(reverse("open_data:oai")))
    sub(element, "protocolVersion", "2.0")
    sub(element, "adminEmail", getattr(settings, "ARCHIVE_ADMIN_EMAIL", "archive@localhost"))
    earliest = [
        model.objects.published().aggregate(first=Min("updated_at"))["first"]
        for model in (Report, Incident)
    ]
    earliest = min((e for e in earliest if e), default=datetime(1970, 1, 1, tzinfo=UTC))
    sub(element, "earliestDatestamp", datestamp(earliest))
    sub(element, "deletedRecord", "no")
    sub(element, "granularity", GRANULARITY)


def list_metadata_formats(request, root, params):
    if "identifier" in params:
        model, slug = parse_identifier(request, params["identifier"])
        if not model.objects.published().filter(slug=slug).exists():
            raise OAIError(
                "idDoesNotExist", f"No record has the identifier {params['identifier']!r}."
            )
    element = sub(root, "ListMetadataFormats")
    fmt = sub(element, "metadataFormat")
    sub(fmt, "metadataPrefix", "oai_dc")
    sub(fmt, "schema", OAI_DC_SCHEMA)
    sub(fmt, "metadataNamespace", OAI_DC)


def all_sets():
    """[(setSpec, setName)] of every set that holds a published record."""
    sets = [
        ("reports", "Reports"),
        ("incidents", "Incidents"),
        ("country", "By country"),
        ("series", "Reports by series"),
    ]
    countries = Country.objects.filter(
        Exists(Report.objects.published().filter(country=OuterRef("pk")))
        | Exists(Incident.objects.published().filter(country=OuterRef("pk")))
    ).order_by("code")
    sets += [(f"country:{c.code}", c.name) for c in countries]
    specs = {}
    for series in Report.objects.published_series():
        specs.setdefault(series_spec(series), series)
    sets += sorted(specs.items())
    return sets


def list_sets(request, root, params):
    if "resumptionToken" in params:
        # Every set fits on one page, so no token was ever handed out.
        raise OAIError("badResumptionToken", "ListSets has no resumption tokens.")
    element = sub(root, "ListSets")
    for spec, name in all_sets():
        entry = sub(element, "set")
        sub(entry, "setSpec", spec)
        sub(entry, "setName", name)


def get_record(request, root, params):
    check_prefix(params["metadataPrefix"])
    model, slug = parse_identifier(request, params["identifier"])
    kind = "report" if model is Report else "incident"
    obj = with_record_data(kind, model.objects.published()).filter(slug=slug).first()
    if obj is None:
        raise OAIError("idDoesNotExist", f"No record has the identifier {params['identifier']!r}.")
    sub(root, "GetRecord").append(record(request, obj, kind))


def list_query(verb, params):
    if "resumptionToken" in params:
        return Query.from_token(verb, params["resumptionToken"])
    check_prefix(params["metadataPrefix"])
    spec = params.get("set")
    if spec is not None and not SET_SPEC_RE.match(spec):
        raise OAIError("badArgument", "set is not a setSpec.")
    start, end = parse_bounds(params.get("from"), params.get("until"))
    return Query(verb, params["metadataPrefix"], spec, start, end)


def next_page(query):
    """Return (page [(kind, obj)], query for the next page or None)."""
    page = []
    stage, after = query.stage, query.after
    while stage < len(KINDS) and len(page) <= PAGE_SIZE:
        kind = KINDS[stage]
        qs = with_record_data(kind, filtered(kind, query).filter(pk__gt=after))
        page += [(kind, obj) for obj in qs[: PAGE_SIZE + 1 - len(page)]]
        if len(page) <= PAGE_SIZE:
            stage, after = stage + 1, 0
    if len(page) <= PAGE_SIZE:
        return page, None
    page = page[:PAGE_SIZE]
    last_kind, last = page[-1]
    following = Query(
        query.verb,
        query.prefix,
        query.set_spec,
        query.start,
        query.end,
        stage=KINDS.index(last_kind),
        after=last.pk,
        cursor=query.cursor + len(page),
        total=query.total,
    )
    return page, following


def list_items(request, root, params, verb):
    query = list_query(verb, params)
    first = "resumptionToken" not in params
    if first:
        query.total = sum(filtered(kind, query).count() for kind in KINDS)
    page, following = next_page(query)
    if not page:
        if first:
            raise OAIError("noRecordsMatch", "No record matches these arguments.")
        raise OAIError("badResumptionToken", "The resumption token is no longer valid.")
    element = sub(root, verb)
    for kind, obj in page:
        if verb == "ListIdentifiers":
            element.append(header(request, obj, kind))
        else:
            element.append(record(request, obj, kind))
    if following is not None or not first:
        attrs = {"cursor": str(query.cursor)}
        if query.total is not None:
            attrs["completeListSize"] = str(query.total)
        if following is not None:
            attrs["expirationDate"] = datestamp(timezone.now() + TOKEN_LIFETIME)
        sub(element, "resumptionToken", following.to_token() if following else "", **attrs)


HANDLERS = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": lambda request, root, params: list_items(
        request, root, params, "ListIdentifiers"
    ),
    "ListRecords": lambda request, root, params: list_items(request, root, params, "ListRecords"),
}


def respond(request, querydict):
    """Return the OAI-PMH response (bytes) to a request's arguments."""
    repeated = [key for key, values in querydict.lists() if len(values) > 1]
    params = {key: querydict[key] for key in querydict}
    try:
        if repeated:
            if "verb" in repeated:
                raise OAIError("badVerb", "The verb is repeated.")
            raise OAIError("badArgument", f"Repeated argument(s): {', '.join(sorted(repeated))}.")
        verb = check_arguments(params)
        root = envelope(request, params)
        HANDLERS[verb](request, root, params)
    except OAIError as error:
        # After badVerb or badArgument the request element carries no attributes.
        keep = error.code not in {"badVerb", "badArgument"}
        root = envelope(request, params if keep else {})
        sub(root, "error", error.message, code=error.code)
    return to_bytes(root)


@csrf_exempt  # harvesters POST form-encoded arguments; nothing is changed by a request
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request):
    querydict = request.POST if request.method == "POST" else request.GET
    return HttpResponse(respond(request, querydict), content_type="text/xml; charset=utf-8")
