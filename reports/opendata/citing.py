"""Citations and machine-readable descriptions of reports, incidents and groups.

Plain functions, no request or template: each takes the object and its absolute
URL and returns text or a dict. BibTeX, RIS and CSL-JSON say what the "Cite
this" line on the page says (author, title, date, URL, accessed date); JSON-LD
(schema.org) and Dublin Core describe the entry for crawlers and harvesters.
"""

import json
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from reports.models import DatePrecision, Figure, RelationKind, Report
from reports.templatetags.formatting import precise_date

SCHEMA_ORG = "https://schema.org"
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"


@dataclass(frozen=True)
class CiteParts:
    """What every citation format says, computed once so they all agree."""

    kind: str  # "report", "incident" or "group"
    key: str
    author: str
    title: str
    date_text: str  # as the "Cite this" line shows it
    date_parts: tuple  # (year,) or (year, month, day)
    url: str
    accessed: date
    publisher: str
    container: str  # the archive's name for entries, the series for reports
    # A report's own: its language, where its original is served, its publisher's id.
    language: str = ""
    source_url: str = ""
    identifier: str = ""


def kind_of(obj):
    return type(obj).__name__.lower()


def cite_parts(obj, url, accessed=None):
    """Return the CiteParts of a report, incident or group.

    A report is cited as its publisher's document, dated when it was published
    (or by the year it covers); an incident or group as the archive's entry,
    dated when it was last published. This is the rule of the page's "Cite this" line.
    """
    archive = settings.ARCHIVE_NAME
    accessed = accessed or timezone.localdate()
    if isinstance(obj, Report):
        author = str(obj.publisher or obj.republisher or archive)
        if obj.published_on:
            date_text = precise_date(obj.published_on)
            parts = (obj.published_on.year, obj.published_on.month, obj.published_on.day)
        else:
            date_text, parts = str(obj.year), (obj.year,)
        return CiteParts(
            "report",
            obj.slug,
            author,
            obj.title,
            date_text,
            parts,
            url,
            accessed,
            str(obj.republisher or obj.publisher or archive),
            obj.series,
            obj.language,
            obj.source_url,
            obj.document_identifier,
        )
    when = timezone.localtime(obj.status_changed_at or obj.updated_at)
    return CiteParts(
        kind_of(obj),
        obj.slug,
        archive,
        str(obj),
        precise_date(when.date()),
        (when.year, when.month, when.day),
        url,
        accessed,
        archive,
        archive,
    )


def report_note(parts, republished="Republished by"):
    """ "Republished by X; original: URL": what the archived copy is a copy of."""
    notes = [f"{republished} {parts.publisher}"] if parts.publisher != parts.author else []
    if parts.source_url:
        notes.append(f"original: {parts.source_url}")
    return "; ".join(notes)


# --- BibTeX ------------------------------------------------------------------

BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}


def bibtex_escape(text):
    return "".join(BIBTEX_SPECIALS.get(char, char) for char in " ".join(str(text).split()))


def to_bibtex(obj, url, accessed=None):
    """Return a BibTeX entry: @techreport for a report, @misc for an archive entry."""
    parts = cite_parts(obj, url, accessed)
    entry = "techreport" if parts.kind == "report" else "misc"
    fields = [
        # Double braces keep a corporate author from being split into first/last names.
        ("author", "{" + bibtex_escape(parts.author) + "}"),
        ("title", bibtex_escape(parts.title)),
        ("year", str(parts.date_parts[0])),
    ]
    if len(parts.date_parts) == 3:
        fields.append(("month", str(parts.date_parts[1])))
    if parts.kind == "report":
        fields.append(("institution", bibtex_escape(parts.author)))
        fields.append(("type", bibtex_escape(parts.container)))
        if parts.identifier:
            fields.append(("number", bibtex_escape(parts.identifier)))
        fields.append(("language", bibtex_escape(parts.language)))
        if report_note(parts):
            fields.append(("note", bibtex_escape(report_note(parts))))
    else:
        fields.append(("howpublished", bibtex_escape(parts.container)))
    fields.append(("url", parts.url))
    fields.append(("urldate", parts.accessed.isoformat()))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry}{{{parts.kind}-{parts.key},\n{body}\n}}\n"


# --- RIS ---------------------------------------------------------------------


def ris_value(text):
    """RIS is one tag per line: a value never carries a line break."""
    return " ".join(str(text).split())


def to_ris(obj, url, accessed=None):
    """Return an RIS record: RPRT for a report, ELEC (web page) for an archive entry."""
    parts = cite_parts(obj, url, accessed)
    date_tag = "/".join(f"{p:02}" if i else str(p) for i, p in enumerate(parts.date_parts))
    lines = [
        ("TY", "RPRT" if parts.kind == "report" else "ELEC"),
        ("AU", parts.author),
        ("TI", parts.title),
        ("PY", str(parts.date_parts[0])),
        ("DA", date_tag + ("/" if len(parts.date_parts) < 3 else "")),
        ("PB", parts.author if parts.kind == "report" else parts.publisher),
        ("T2", parts.container),
        ("UR", parts.url),
        ("Y2", parts.accessed.strftime("%Y/%m/%d")),
        ("DB", settings.ARCHIVE_NAME),
    ]
    if parts.kind == "report":
        lines.append(("LA", parts.language))
        if parts.identifier:
            lines.append(("AN", parts.identifier))
        if parts.source_url:
            lines.append(("L2", parts.source_url))  # RIS: link to the full text
        if report_note(parts):
            lines.append(("N1", report_note(parts)))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {ris_value(value)}\r\n" for tag, value in lines)


# --- CSL-JSON ----------------------------------------------------------------


def to_csl(obj, url, accessed=None):
    """Return a CSL-JSON item (a dict); a file holds a list of them."""
    parts = cite_parts(obj, url, accessed)
    item = {
        "id": f"{parts.kind}-{parts.key}",
        "type": "report" if parts.kind == "report" else "webpage",
        "title": parts.title,
        "author": [{"literal": parts.author}],
        "issued": {"date-parts": [list(parts.date_parts)]},
        "accessed": {
            "date-parts": [[parts.accessed.year, parts.accessed.month, parts.accessed.day]]
        },
        "URL": parts.url,
        "publisher": parts.author if parts.kind == "report" else parts.publisher,
    }
    if parts.kind == "report":
        item["collection-title"] = parts.container
        item["language"] = parts.language
        if parts.identifier:
            item["number"] = parts.identifier
        if report_note(parts):
            item["note"] = report_note(parts)
    else:
        item["container-title"] = parts.container
    return item


def to_csl_json(obj, url, accessed=None):
    return json.dumps([to_csl(obj, url, accessed)], ensure_ascii=False, indent=2) + "\n"


# --- JSON-LD (schema.org) and Dublin Core ------------------------------------


def iso_at_precision(value, precision):
    """ISO 8601 at the precision the source gives: "1997-05" for May 1997."""
    if value is None:
        return None
    if precision == DatePrecision.YEAR:
        return f"{value.year:04}"
    if precision == DatePrecision.MONTH:
        return f"{value.year:04}-{value.month:02}"
    return value.isoformat()


def organisation_ld(org):
    if org is None:
        return None
    data = {"@type": "Organization", "name": org.name}
    if org.url:
        data["url"] = org.url
    return data


def country_ld(country):
    return {"@type": "Country", "name": country.name, "identifier": country.code}


def compact(data):
    """Drop empty values, so the JSON-LD says only what the archive knows."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def report_ld(report, url):
    """schema.org Report: the original document, based on its republished copy."""
    author = organisation_ld(report.publisher)
    data = {
        "@context": SCHEMA_ORG,
        "@type": "Report",
        "@id": url,
        "url": url,
        "name": report.title,
        "headline": report.title,
        "author": author,
        "publisher": author,
        "datePublished": report.published_on.isoformat()
        if report.published_on
        else str(report.year),
        "temporalCoverage": str(report.year),
        "contentLocation": country_ld(report.country),
        "isPartOf": {"@type": "CreativeWorkSeries", "name": report.series},
        "inLanguage": report.language,
        "identifier": report.document_identifier,
        "sameAs": report.source_url,
        "dateModified": report.updated_at.isoformat() if report.updated_at else None,
    }
    if report.republisher or report.source_url:
        republished = f"Republished by {report.republisher}; " if report.republisher else ""
        data["isBasedOn"] = compact(
            {
                "@type": "Report",
                "name": report.title,
                "url": report.source_url,
                "identifier": report.document_identifier,
                "inLanguage": report.language,
                "author": author,
                "publisher": organisation_ld(report.republisher or report.publisher),
                "description": f"{republished}archived from the file {report.source_filename} "
                f"(SHA-256 {report.sha256})",
            }
        )
    return compact(data)


def claim_ld(claim):
    """One source's figure as a schema.org PropertyValue, in the source's words."""
    return compact(
        {
            "@type": "PropertyValue",
            "name": str(Figure(claim.figure).label),
            "value": claim.low if claim.exact else claim.point,
            "minValue": claim.low,
            "maxValue": claim.high,  # none: the source gives only a lower bound
            "description": "; ".join(part for part in (claim.wording, claim.moment) if part),
        }
    )


def figures_ld(estimates):
    """[PropertyValue] of an entry's figures: the best estimate as the value, the range of
    the claims as minValue and maxValue (no maxValue when open), each claim beside it."""
    return [
        compact(
            {
                "@type": "PropertyValue",
                "propertyID": figure,
                "name": str(Figure(figure).label),
                "value": found.best,
                "minValue": found.low,
                "maxValue": found.high,
                "valueReference": [claim_ld(claim) for claim in found.claims],
            }
        )
        for figure, found in estimates.items()
        if found is not None
    ]


def relation_ld(relation, other_url):
    """ "Counterpart of <other group>" as a PropertyValue naming the other group's page."""
    return {
        "@type": "PropertyValue",
        "propertyID": relation.kind,
        "name": str(RelationKind(relation.kind).label),
        "value": relation.other.name,
        "url": other_url,
    }


def designation_ld(designation):
    """A designation as schema.org's dated role: membership of the authority's list."""
    return compact(
        {
            "@type": "Role",
            "memberOf": {
                "@type": "ProgramMembership",
                "programName": designation.list_name,
                "hostingOrganization": {"@type": "Organization", "name": designation.authority},
            },
            "startDate": designation.designated_from.isoformat()
            if designation.designated_from
            else None,
            "endDate": designation.designated_to.isoformat() if designation.designated_to else None,
        }
    )


def incident_ld(incident, url, perpetrators=(), sources=(), estimates=None):
    """schema.org Event, dated at the precision the source gives."""
    address = compact(
        {
            "@type": "PostalAddress",
            "addressLocality": incident.city,
            "addressRegion": incident.region,
            "addressCountry": incident.country.code,
        }
    )
    location = {
        "@type": "Place",
        "name": incident.place or incident.country.name,
        "address": address,
    }
    if incident.latitude is not None and incident.longitude is not None:
        location["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(incident.latitude),
            "longitude": float(incident.longitude),
        }
    data = {
        "@context": SCHEMA_ORG,
        "@type": "Event",
        "@id": url,
        "url": url,
        "name": incident.title,
        "description": incident.summary,
        "startDate": iso_at_precision(incident.start_date, incident.start_precision),
        "endDate": iso_at_precision(incident.end_date, incident.end_precision),
        "location": location,
        "keywords": incident.get_type_display(),
        "about": [
            {"@type": "Organization", "name": name, "url": link} for name, link in perpetrators
        ],
        "subjectOf": [{"@type": "Report", "name": title, "url": link} for title, link in sources],
        "additionalProperty": figures_ld(estimates or {}),
    }
    return compact(data)


def group_ld(group, url, aliases=(), sources=(), estimates=None, relations=(), designations=()):
    """schema.org Organization with its other names, founding year, strength, relations
    to other groups (`relations`: [(relation, other group's URL)]) and designations.

    Only a faction's parent has a schema.org property (parentOrganization); every
    relation is also a PropertyValue, so all of them read the same way."""
    names = ([group.acronym] if group.acronym else []) + [a.name for a in aliases]
    data = {
        "@context": SCHEMA_ORG,
        "@type": "Organization",
        "@id": url,
        "url": url,
        "name": group.name,
        "alternateName": list(dict.fromkeys(names)),
        "foundingDate": str(group.founded_year) if group.founded_year else None,
        "description": group.description,
        "location": country_ld(group.country) if group.country else None,
        "subjectOf": [{"@type": "Report", "name": title, "url": link} for title, link in sources],
        "parentOrganization": [
            {"@type": "Organization", "name": relation.other.name, "url": link}
            for relation, link in relations
            if relation.kind == RelationKind.FACTION_OF
        ],
        "memberOf": [designation_ld(designation) for designation in designations],
        "additionalProperty": figures_ld(estimates or {})
        + [relation_ld(relation, link) for relation, link in relations],
    }
    return compact(data)


def dublin_core(report, url):
    """[(name, content)] for <meta name="DC.*"> tags on a report's page."""
    pairs = [
        ("DC.title", report.title),
        ("DC.creator", str(report.publisher) if report.publisher else ""),
        ("DC.publisher", str(report.publisher or report.republisher or "")),
        ("DC.date", report.published_on.isoformat() if report.published_on else str(report.year)),
        ("DC.type", "Text"),
        ("DC.format", "text/html"),
        ("DC.identifier", url),
        ("DC.identifier", report.document_identifier),
        ("DC.language", report.language),
        ("DC.coverage", f"{report.country.name}, {report.year}"),
        ("DC.subject", report.series),
        ("DC.source", report.source_url),
        ("DC.source", f"Republished by {report.republisher}" if report.republisher else ""),
        ("DC.rights", report.disclaimer),
    ]
    return [(name, value) for name, value in pairs if value]


# Characters that would let JSON end a <script> element or start markup, as Django's
# json_script escapes them; the JSON stays valid and means the same.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_for_script(data):
    """JSON safe to place inside <script type="application/ld+json">."""
    return json.dumps(data, ensure_ascii=False, sort_keys=False).translate(JSON_SCRIPT_ESCAPES)
