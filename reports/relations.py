"""A group's relations to other groups and its designations, as its page shows them.

Plain data for templates/reports/includes/relations.html: the page lists what the group's
own sources say of it ("Counterpart of X") and what other groups' sources say about it,
read from its side ("Has splinter: X"). Only what a reader may see: relations naming
published groups and resting on a passage of a published report. Each row carries its
sources, as footnotes of the page (#c<n>) or, for a passage the page does not quote,
a link to the paragraph of its report.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from reports.models import Designation, RelationKind
from reports.passages import footnote_numbers

# "X is <kind> Y", read from Y's side. Ally, rival and counterpart read the same both ways.
INVERSE = {
    RelationKind.SPLINTER_OF: _("Has splinter"),
    RelationKind.FACTION_OF: _("Has faction"),
    RelationKind.SUCCESSOR_OF: _("Succeeded by"),
}
KIND_ORDER = {kind: position for position, kind in enumerate(RelationKind.values)}


@dataclass(frozen=True)
class Source:
    """Where a relation or designation comes from: footnote `number` of this page, or
    else the cited paragraph (`url`) of the report titled `title`."""

    number: int | None
    url: str
    title: str
    paragraph: int | None


@dataclass
class RelationRow:
    label: str  # "Counterpart of", "Has splinter"
    group: object  # the other group
    sources: list = field(default_factory=list)


@dataclass(frozen=True)
class DesignationRow:
    designation: Designation
    sources: list


def source_of(citation, numbers):
    """The Source of `citation`; `numbers` is {citation pk: its footnote on the page}."""
    paragraph = citation.paragraph
    url = citation.report.get_absolute_url()
    if paragraph is not None:
        url = f"{url}#{paragraph.anchor}"  # paragraph.get_absolute_url(), without a query
    return Source(
        numbers.get(citation.pk),
        url,
        citation.report.title,
        paragraph.number if paragraph is not None else None,
    )


def group_relations(group, citations):
    """The published relations of `group` in both directions: RelationRows in the order
    of the kinds, the group's own statements first, then by the other's name.

    `group` has its published parts read (models.load_published_parts): what its own
    sources say (`published_relations`) and what other groups' say of it
    (`published_relations_about`). `citations` are the page's footnoted citations
    (Citation.objects.for_display()).
    """
    numbers = footnote_numbers(citations)
    rows = {}
    for relation in [*group.published_relations, *group.published_relations_about]:
        if relation.group_id == group.pk:
            key, other = (0, KIND_ORDER[relation.kind]), relation.other
            label = relation.get_kind_display()
        else:
            inverse = INVERSE.get(relation.kind)
            key, other = (1 if inverse else 0, KIND_ORDER[relation.kind]), relation.group
            label = inverse or relation.get_kind_display()
        # The same relation stated from both sides (two counterparts) is one row.
        row = rows.setdefault((key, other.name, other.pk), RelationRow(str(label), other))
        source = source_of(relation.citation, numbers)
        if source not in row.sources:
            row.sources.append(source)
    return [rows[key] for key in sorted(rows)]


def group_designations(group, citations):
    """The published designations of `group` (models.load_published_parts) as
    DesignationRows, by authority and start date."""
    numbers = footnote_numbers(citations)
    designations = sorted(
        group.published_designations,
        key=lambda d: (d.authority, d.designated_from is not None, d.designated_from or 0, d.pk),
    )
    return [DesignationRow(d, [source_of(d.citation, numbers)]) for d in designations]
