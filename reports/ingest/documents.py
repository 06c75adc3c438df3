"""Parsed source documents into the database, all or nothing.

Used by the `import_documents` command and the admin's upload page, so both
apply the same rules and say the same things.
"""

from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from reports.ingest.parsing import DocumentError, parse_document
from reports.models import Country, Organisation, Paragraph, Report, Status, normalise_space

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


def parse_all(sources):
    """Parse every (name, bytes) source; raise ImportRefused listing each bad one."""
    parsed, problems = [], []
    first_by_slug = {}  # slug -> (name, sha256) of the first document with that title
    for name, data in sources:
        try:
            doc = parse_document(data, settings.ARCHIVE_MAX_DOCUMENT_BYTES)
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
        parsed.append((name, doc))
    if problems:
        raise ImportRefused(problems)
    return parsed


def import_documents(sources, *, method, user=None, publish=False, dry_run=False):
    """Import (name, bytes) sources as reports; return one Outcome per source.

    Raise ImportRefused, having written nothing, if any source is refused.
    With dry_run, do all the work and roll it back.
    """
    parsed = parse_all(sources)
    with transaction.atomic():
        outcomes = [
            _import_one(name, doc, method=method, user=user, publish=publish)
            for name, doc in parsed
        ]
        if dry_run:
            transaction.set_rollback(True)
    return outcomes


def _import_one(name, doc, *, method, user, publish):
    existing = Report.objects.filter(sha256=doc.sha256).first()
    if existing is not None:
        if publish and existing.status != Status.PUBLISHED:
            existing.set_status(Status.PUBLISHED, user)
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
    report.source_filename = PurePath(name).name[-255:]
    report.sha256 = doc.sha256
    report.size_bytes = doc.size_bytes
    report.imported_at = timezone.now()
    report.imported_by = user if user is not None and user.is_authenticated else None
    report.import_method = method
    if publish:
        report.set_status(Status.PUBLISHED, user)
    report.save()
    _replace_paragraphs(name, report, doc.paragraphs)
    return Outcome(name, action, report)


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
        quotes = "; ".join(f"“{_shorten(c.quote)}”" for c in broken[:3])
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


def _shorten(text, length=80):
    text = normalise_space(text)
    return text if len(text) <= length else text[: length - 1] + "…"
