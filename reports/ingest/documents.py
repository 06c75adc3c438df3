"""Parsed source documents into the database, all or nothing.

Used by the `import_documents` command and the admin's upload page, so both
apply the same rules and say the same things.
"""

import datetime
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from reports.ingest.parsing import CONTROL_RE, DocumentError, parse_document
from reports.languages import normalise_language
from reports.models import (
    Country,
    Organisation,
    Paragraph,
    Report,
    SourceFile,
    Status,
    normalise_space,
)
from reports.text import excerpt, unstorable

CREATED, UNCHANGED, UPDATED = "created", "unchanged", "updated"


class ImportRefused(Exception):
    """One or more documents of a run were refused; nothing of the run was written."""

    def __init__(self, problems):
        self.problems = problems  # [(name, reason)]
        super().__init__("; ".join(f"{name}: {reason}" for name, reason in problems))


@dataclass
class Outcome:
    name: str
    action: str
    report: Report


@dataclass(frozen=True)
class Details:
    """What an editor says of one document that its text does not: where the original
    is, its publisher's identifier, when it was published; and its language, when the
    parser's guess is wrong. Empty values leave the report's as they are."""

    source_url: str = ""
    document_identifier: str = ""
    published_on: datetime.date | None = None
    language: str = ""

    def __bool__(self):
        return any((self.source_url, self.document_identifier, self.published_on, self.language))


def check_details(source_url="", document_identifier="", published_on=None, language=""):
    """Return the Details given as text (or a date); raise DocumentError saying what is wrong."""
    source_url = (source_url or "").strip()
    # Text from a command line may hold what the file system decoded as surrogates.
    for name, text in (("source URL", source_url), ("document identifier", document_identifier)):
        if what := unstorable(text or ""):
            raise DocumentError(f"the {name} holds {what}, which the archive cannot store")
    if source_url:
        if len(source_url) > Report._meta.get_field("source_url").max_length:
            raise DocumentError("the source URL is longer than 500 characters")
        try:
            URLValidator(schemes=["http", "https"])(source_url)
        except ValidationError:
            raise DocumentError(
                f"the source URL “{source_url[:120]}” is not a web address (http:// or https://)"
            ) from None
    document_identifier = " ".join((document_identifier or "").split())
    if len(document_identifier) > Report._meta.get_field("document_identifier").max_length:
        raise DocumentError("the document identifier is longer than 200 characters")
    if CONTROL_RE.search(document_identifier):
        raise DocumentError("the document identifier contains control characters")
    if isinstance(published_on, str):
        text = published_on.strip()
        try:
            published_on = datetime.date.fromisoformat(text) if text else None
        except ValueError:
            raise DocumentError(
                f"the publication date “{text[:40]}” is not a date of the form YYYY-MM-DD"
            ) from None
    if published_on and published_on > timezone.localdate():
        raise DocumentError(f"the publication date {published_on.isoformat()} is in the future")
    if language:
        try:
            language = normalise_language(language)
        except ValueError as error:
            raise DocumentError(str(error)) from None
    return Details(source_url, document_identifier, published_on, language or "")


def _details_problem(doc, details):
    """Why `details` cannot describe `doc`, or None."""
    if details.published_on and details.published_on.year < doc.year:
        return (
            f"the publication date {details.published_on.isoformat()} is before the year "
            f"the report covers ({doc.year})"
        )
    return None


def parse_all(sources, details=None):
    """Parse every (name, bytes) source; raise ImportRefused listing each bad one.

    `details` describe one document: given with several sources, all are refused.
    """
    if details and len(sources) > 1:
        raise ImportRefused(
            [
                (
                    name,
                    "the source URL, document identifier, publication date and language "
                    f"describe one document, and this run has {len(sources)}: import "
                    "each document on its own with its own details",
                )
                for name, _data in sources
            ]
        )
    parsed, problems = [], []
    first_by_slug = {}  # slug -> (name, sha256) of the first document with that title
    for name, data in sources:
        # A file name the file system could not decode (Python keeps its bytes as lone
        # surrogates): it would be the report's source_filename.
        if what := unstorable(name):
            shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            problems.append((shown, f"the file's name holds {what} (it is not UTF-8); rename it"))
            continue
        try:
            doc = parse_document(data, settings.ARCHIVE_MAX_DOCUMENT_BYTES, name=name)
        except DocumentError as error:
            problems.append((name, str(error)))
            continue
        # Two versions of one document in a run: which one should win is not
        # ours to guess (the same bytes twice are harmless).
        first_name, first_sha = first_by_slug.setdefault(_slug(doc), (name, doc.sha256))
        if first_sha != doc.sha256:
            problems.append(
                (
                    name,
                    f"{first_name} in this run is another version of the same document "
                    "(same title, different bytes); import one version at a time",
                )
            )
            continue
        if details and (problem := _details_problem(doc, details)):
            problems.append((name, problem))
            continue
        parsed.append((name, doc, data))
    if problems:
        raise ImportRefused(problems)
    return parsed


def import_documents(
    sources, *, method, user=None, publish=False, dry_run=False, details=Details()
):
    """Import (name, bytes) sources as reports; return one Outcome per source.

    Raise ImportRefused, having written nothing, if any source is refused.
    With dry_run, do all the work and roll it back. `details` (Details) describe
    the one document of a run of one.
    """
    parsed = parse_all(sources, details)
    with transaction.atomic():
        outcomes = []
        for name, doc, data in parsed:
            outcome = _import_one(
                name, doc, method=method, user=user, publish=publish, details=details
            )
            _keep_original(outcome, data)
            outcomes.append(outcome)
        if dry_run:
            transaction.set_rollback(True)
    return outcomes


def _apply(report, details):
    """Set the details given on `report`; return whether anything changed."""
    changed = False
    for field in ("source_url", "document_identifier", "published_on", "language"):
        value = getattr(details, field)
        if value and getattr(report, field) != value:
            setattr(report, field, value)
            changed = True
    return changed


def _import_one(name, doc, *, method, user, publish, details=Details()):
    existing = Report.objects.filter(sha256=doc.sha256).first()
    if existing is not None:
        # The same bytes again: only what the editor says now can change the report.
        changed = _apply(existing, details)
        if publish and existing.status != Status.PUBLISHED:
            existing.set_status(Status.PUBLISHED, user)
            changed = True
        if changed:
            existing.save()
            return Outcome(name, UPDATED, existing)
        return Outcome(name, UNCHANGED, existing)

    slug = _slug(doc)
    report = Report.objects.filter(slug=slug).first()
    action = UPDATED if report else CREATED
    if report is None:
        report = Report(slug=slug)
    report.title = doc.title
    report.series = doc.series
    report.year = doc.year
    report.country = Country.objects.resolve(doc.country_code)
    report.publisher = _organisation(doc.publisher)
    report.republisher = _organisation(doc.republisher)
    report.disclaimer = doc.disclaimer
    report.language = doc.language
    _apply(report, details)
    report.source_filename = PurePath(name).name[-255:]
    report.sha256 = doc.sha256
    report.size_bytes = doc.size_bytes
    report.imported_at = timezone.now()
    report.imported_by = user if user is not None and user.is_authenticated else None
    report.import_method = method
    report.source_format = doc.source_format
    report.extracted_with = doc.extracted_with
    if publish:
        report.set_status(Status.PUBLISHED, user)
    report.save()
    _replace_paragraphs(name, report, doc.paragraphs)
    return Outcome(name, action, report)


def _keep_original(outcome, data):
    """Store the file's bytes with its report (once: the same bytes again change nothing)."""
    stored = SourceFile.objects.filter(report=outcome.report)
    if not stored.exists():
        SourceFile.objects.create(report=outcome.report, data=data)
    elif outcome.action != UNCHANGED:
        stored.update(data=data)


def _slug(doc):
    # The slug comes from the title, so a corrected version of a document (same
    # title, new bytes) updates its report instead of making a second one.
    return slugify(doc.title)[:200].strip("-") or doc.sha256[:12]


def _organisation(name):
    if not name:
        return None
    return Organisation.objects.get_or_create(name=name)[0]


def _replace_paragraphs(name, report, texts):
    """Write the paragraphs in place, keeping anchors, and refuse to orphan a citation.

    A cited passage that moved to another paragraph takes its citation along;
    one that is gone refuses the whole run.
    """
    current = {p.number: p for p in report.paragraphs.all()}
    for number, text in enumerate(texts, start=1):
        paragraph = current.get(number)
        if paragraph is None:
            Paragraph.objects.create(report=report, number=number, text=text)
        elif paragraph.text != text:
            paragraph.text = text
            paragraph.save(update_fields=["text"])
    kept = list(report.paragraphs.filter(number__lte=len(texts)))
    broken = []
    for citation in report.citations.select_related("paragraph"):
        needle = normalise_space(citation.quote)
        if (
            citation.paragraph is not None
            and citation.paragraph.number <= len(texts)
            and needle in normalise_space(citation.paragraph.text)
        ):
            continue
        moved_to = next((p for p in kept if needle in normalise_space(p.text)), None)
        if moved_to is None:
            broken.append(citation)
        else:
            citation.paragraph = moved_to
            citation.save()
    if broken:
        quotes = "; ".join(f"“{excerpt(c.quote)}”" for c in broken[:3])
        raise ImportRefused(
            [
                (
                    name,
                    f"this new version of “{report.title}” no longer contains "
                    f"{len(broken)} passage(s) cited by the archive ({quotes}); "
                    "edit those citations first",
                )
            ]
        )
    report.paragraphs.filter(number__gt=len(texts)).delete()
