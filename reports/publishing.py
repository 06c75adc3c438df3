"""Who may change an entry's editorial status, and what a published entry rests on.

The admin's bulk actions, its change forms and its pages for an entry's parts all ask
these functions, so hiding a button is never the only guard: a forged POST meets the
same rule.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.ingest.documents import UPDATED
from reports.models import (
    INCIDENT_FIGURES,
    Citation,
    Fact,
    FigureClaim,
    Group,
    GroupActivity,
    GroupAlias,
    GroupRelation,
    Incident,
    IncidentType,
    Leader,
    Perpetration,
    Report,
    Status,
)


def can_publish(user, model):
    """Return whether `user` may move entries of `model` into or out of published."""
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")


def status_change_problem(user, model, old, new):
    """Return why `user` may not move a `model` entry from `old` to `new`, or None.

    `old` is None for an entry being created (it starts as a draft).
    """
    old = old or Status.DRAFT
    if old == new:
        return None
    touches_published = Status.PUBLISHED in (old, new)
    if touches_published and not can_publish(user, model):
        verb = _("publish") if new == Status.PUBLISHED else _("unpublish")
        return _("You may not %(verb)s %(things)s: only Publishers can.") % {
            "verb": verb,
            "things": model._meta.verbose_name_plural,
        }
    return None


# --- The publish rule -------------------------------------------------------------------
#
# A published incident or group rests on at least one citation of a published report,
# and each fact it states rests on a citation of a published report marked as
# supporting it (a figure: on a claim). `Evidence` is an entry as the rule sees it,
# saved (evidence_of) or as a change form would leave it (reports.forms); every path
# that changes an entry, its parts or a report it cites asks the same questions of it.

NO_CITATION = "no citation"
NO_PUBLISHED_CITATION = "no published citation"
UNSOURCED_ENTRY = frozenset({NO_CITATION, NO_PUBLISHED_CITATION})
NEEDS_A_CITATION = gettext_lazy(
    "A published entry needs at least one citation of the report that supports it."
)
NEEDS_A_PUBLISHED_CITATION = gettext_lazy(
    "A published entry needs a citation of a published report; publish it first."
)


@dataclass(frozen=True)
class Cited:
    """A citation as the rule reads it."""

    pk: int | None
    published: bool  # its report is published
    facts: frozenset


@dataclass(frozen=True)
class Claimed:
    """A figure claim as the rule reads it."""

    figure: str
    citation: int | None
    published: bool  # rests on a citation of a published report, or on the dataset row


@dataclass(frozen=True)
class FactSourcing:
    """One fact an entry states and how many citations support it (claims, for a figure)."""

    fact: str
    label: str
    citations: int
    published: int  # of them, those of a published report

    @property
    def sourced(self):
        return self.published > 0


@dataclass(frozen=True)
class Evidence:
    """What an incident or group states, and the citations and claims it rests on."""

    stated: tuple  # Fact values, in Fact order
    citations: tuple  # Cited
    claims: tuple  # Claimed

    def sourcing(self):
        """Return a FactSourcing for each stated fact."""
        rows = []
        for fact in self.stated:
            if fact in FIGURE_FACTS:
                support = [claim.published for claim in self.claims if claim.figure == fact]
            else:
                support = [cited.published for cited in self.citations if fact in cited.facts]
            rows.append(FactSourcing(fact, Fact(fact).label, len(support), sum(support)))
        return rows

    def breaks(self):
        """Return the set of ways a published entry so described breaks the rule: NO_CITATION,
        NO_PUBLISHED_CITATION, and each fact no citation of a published report supports."""
        broken = {row.fact for row in self.sourcing() if not row.sourced}
        if not self.citations:
            broken.add(NO_CITATION)
        elif not any(cited.published for cited in self.citations):
            broken.add(NO_PUBLISHED_CITATION)
        return frozenset(broken)


FIGURE_FACTS = frozenset(Fact(figure).value for figure in INCIDENT_FIGURES)
# The kinds of an entry's parts, by model; each kind is a list in an entry's parts.
PART_KINDS = {
    Citation: "citations",
    FigureClaim: "claims",
    Perpetration: "perpetrators",
    GroupAlias: "aliases",
    Leader: "leaders",
}
# The parts whose presence states a fact.
PART_FACTS = {"perpetrators": Fact.PERPETRATORS, "aliases": Fact.ALIASES, "leaders": Fact.LEADERS}


def stated_facts(entry, parts):
    """Return the facts `entry` states, given its `parts` ({kind: [parts]})."""
    present = {PART_FACTS[kind] for kind in PART_FACTS if parts.get(kind)}
    if isinstance(entry, Group):
        facts = {Fact.NAME, *present}
        if entry.founded_year is not None:
            facts.add(Fact.FOUNDED)
        if entry.activity != GroupActivity.UNKNOWN:
            facts.add(Fact.ACTIVITY)
    else:
        facts = {Fact.START_DATE, *present}
        if entry.end_date:
            facts.add(Fact.END_DATE)
        if entry.city or entry.region:
            facts.add(Fact.PLACE)
        if entry.type != IncidentType.OTHER:
            facts.add(Fact.TYPE)
        if (entry.outcome or "").strip():
            facts.add(Fact.OUTCOME)
        claimed = {claim.figure for claim in parts.get("claims", ())}
        for figure in FIGURE_FACTS:
            if getattr(entry, figure) is not None or figure in claimed:
                facts.add(figure)
    return tuple(fact for fact in Fact.values if fact in facts)


def is_published_report(report, unpublished=None):
    return report.status == Status.PUBLISHED and report.pk != getattr(unpublished, "pk", None)


def evidence(entry, parts, removed_citations=(), unpublished=None):
    """Return the Evidence of `entry` with `parts` ({kind: [model instances, saved or not]}).

    Claims resting on a citation in `removed_citations` (pks) go with it, as the database's
    cascade takes them; `unpublished` is a report to count as unpublished.
    """
    citations = {}
    cited = []
    for citation in parts.get("citations", ()):
        row = Cited(
            citation.pk,
            is_published_report(citation.report, unpublished),
            frozenset(citation.facts or ()),
        )
        cited.append(row)
        if citation.pk is not None:
            citations[citation.pk] = row
    claims = []
    for claim in parts.get("claims", ()):
        if claim.citation_id in removed_citations:
            continue
        if claim.from_dataset:
            published = True
        elif claim.citation_id in citations:
            published = citations[claim.citation_id].published
        else:
            published = claim.citation is not None and is_published_report(
                claim.citation.report, unpublished
            )
        claims.append(Claimed(claim.figure, claim.citation_id, published))
    return Evidence(stated_facts(entry, parts), tuple(cited), tuple(claims))


def saved_parts(entry):
    """Return {kind: [parts]} of `entry` as stored, read through its with_evidence()
    prefetch when it has one."""
    if entry.pk is None:
        return {}
    stored = entry
    if not {"citations", "claims"} <= getattr(entry, "_prefetched_objects_cache", {}).keys():
        stored = type(entry).objects.with_evidence().get(pk=entry.pk)
    parts = {"citations": list(stored.citations.all()), "claims": list(stored.claims.all())}
    if isinstance(entry, Incident):
        parts["perpetrators"] = list(stored.perpetration_set.all())
    else:
        parts["aliases"] = list(stored.aliases.all())
        parts["leaders"] = list(stored.leaders.all())
    return parts


def evidence_of(entry, *, without=(), adding=(), unpublished=None):
    """Return the Evidence of `entry` as stored, less the parts `without` and with the
    parts `adding` (saved or not); `unpublished` is a report to count as unpublished."""
    parts = saved_parts(entry)
    for part in without:
        kind = PART_KINDS.get(type(part))
        if kind:
            parts[kind] = [kept for kept in parts.get(kind, ()) if kept.pk != part.pk]
    for part in adding:
        kind = PART_KINDS.get(type(part))
        if kind and same_entry(entry, entries_of(part)):
            parts.setdefault(kind, []).append(part)
    # A citation changed (in without and adding, its pk kept) keeps the claims resting on it.
    kept = {part.pk for part in parts.get("citations", ())}
    removed = {part.pk for part in without if isinstance(part, Citation)} - kept
    return evidence(entry, parts, removed, unpublished)


def breaks_message(breaks):
    """Return what `breaks` (from Evidence.breaks) means for the person who caused them."""
    messages = []
    if NO_CITATION in breaks:
        messages.append(str(NEEDS_A_CITATION))
    elif NO_PUBLISHED_CITATION in breaks:
        messages.append(str(NEEDS_A_PUBLISHED_CITATION))
    facts = [str(Fact(fact).label).lower() for fact in Fact.values if fact in breaks]
    if facts:
        messages.append(
            _(
                "Not sourced by a published report: %(facts)s. Mark the facts each citation "
                "supports, and give each figure a claim resting on a citation."
            )
            % {"facts": ", ".join(facts)}
        )
    return " ".join(messages) or None


def publish_problem(entry):
    """Return why `entry` (saved) cannot be published as it stands, or None."""
    if not isinstance(entry, Incident | Group):
        return None
    return breaks_message(evidence_of(entry).breaks())


def change_problem(after, before=None):
    """Return why a change leaving a published entry as `after` (Evidence) is refused, or None.

    `before` is the entry's Evidence when it was already published: a change is refused
    for what it breaks, not for what was broken before it (an entry published before a
    rule, an entry imported from a dataset); None when the change publishes it.
    """
    was_broken = before.breaks() if before is not None else frozenset()
    if was_broken & UNSOURCED_ENTRY:
        was_broken |= UNSOURCED_ENTRY  # one fault, whichever the entry has
    return breaks_message(after.breaks() - was_broken)


def sourcing(entry):
    """Return the FactSourcing rows of `entry` (saved) for its editors."""
    return evidence_of(entry).sourcing()


def unsourced_facts(entry):
    """Return the facts `entry` (saved) states that no citation of a published report supports."""
    return [row.fact for row in sourcing(entry) if not row.sourced]


# --- An entry's parts, edited on their own ----------------------------------------------


def entries_of(part):
    """Return the incidents and groups `part` (a citation, claim, perpetrator, alias,
    leader, relation or designation) belongs to."""
    if isinstance(part, GroupRelation):
        candidates = (part.group if part.group_id else None, part.other if part.other_id else None)
    elif isinstance(part, Perpetration):
        candidates = (part.incident if part.incident_id else None,)
    elif isinstance(part, Citation | FigureClaim):
        candidates = (
            part.incident if part.incident_id else None,
            part.group if part.group_id else None,
        )
    else:
        candidates = (part.group if part.group_id else None,)
    return [entry for entry in candidates if entry is not None]


def same_entry(entry, entries):
    return any(type(other) is type(entry) and other.pk == entry.pk for other in entries)


def may_change_part(user, part):
    """Whether `user` may change or delete `part` outside its entry's own form: only
    Publishers touch a published entry's parts there (Editors propose a change to a
    live entry on the entry's page)."""
    return all(
        can_publish(user, type(entry))
        for entry in entries_of(part)
        if entry.status == Status.PUBLISHED
    )


def _live_refusal(user, part):
    for entry in entries_of(part):
        if entry.status == Status.PUBLISHED and not can_publish(user, type(entry)):
            return _(
                "“%(entry)s” is published: only Publishers may change its %(parts)s here. "
                "Propose the change on the %(kind)s's own page."
            ) % {
                "entry": entry,
                "parts": part._meta.verbose_name_plural,
                "kind": entry._meta.verbose_name,
            }
    return None


def _rule_refusal(changes):
    """Return why `changes` ({entry key: (entry, without, adding)}) break the rule for a
    published entry, or None."""
    for entry, without, adding in changes.values():
        if not isinstance(entry, Incident | Group):
            continue
        entry = type(entry).objects.get(pk=entry.pk)  # as stored
        if entry.status != Status.PUBLISHED:
            continue
        before = evidence_of(entry)
        problem = change_problem(evidence_of(entry, without=without, adding=adding), before)
        if problem:
            return _("“%(entry)s” is published and this would leave it unsourced. %(problem)s") % {
                "entry": entry,
                "problem": problem,
            }
    return None


def _changes(old_parts, new_parts):
    changes = {}
    for attr, parts in (("without", old_parts), ("adding", new_parts)):
        for part in parts:
            for entry in entries_of(part):
                key = (type(entry), entry.pk)
                change = changes.setdefault(key, {"entry": entry, "without": [], "adding": []})
                change[attr].append(part)
    return {
        key: (change["entry"], change["without"], change["adding"])
        for key, change in changes.items()
    }


def part_change_problem(user, old, new):
    """Return why `user` may not change the part `old` (stored; None when adding) into
    `new` (None when deleting), or None."""
    for part in (old, new):
        refusal = part is not None and _live_refusal(user, part)
        if refusal:
            return refusal
    return _rule_refusal(_changes([old] if old else [], [new] if new else []))


def parts_delete_problem(user, parts):
    """Return why `user` may not delete all of `parts` at once, or None."""
    for part in parts:
        refusal = _live_refusal(user, part)
        if refusal:
            return refusal
    return _rule_refusal(_changes(parts, []))


# --- Reports leaving published ---------------------------------------------------------


@dataclass(frozen=True)
class Withdrawal:
    """A published entry that cannot stay published once `report` is not, and why."""

    entry: object
    report: object
    facts: tuple  # the facts that rest on it alone; () when it is the entry's only source

    @property
    def reason(self):
        """The history's change reason for the entry withdrawn."""
        if not self.facts:
            return _("Withdrawn: its only published source “%(report)s” was unpublished.") % {
                "report": self.report
            }
        return _(
            "Withdrawn: its %(facts)s rested on “%(report)s” alone, which was unpublished."
        ) % {
            "facts": ", ".join(str(Fact(fact).label).lower() for fact in self.facts),
            "report": self.report,
        }


def withdrawals(report):
    """Return a Withdrawal for each published incident or group that rests on `report` alone,
    as a whole or for a fact, by kind and name."""
    found = []
    for model in (Incident, Group):
        alone = set(model.objects.resting_on(report).values_list("pk", flat=True))
        citing = (
            model.objects.published()
            .filter(pk__in=Citation.objects.filter(report=report).values(model._meta.model_name))
            .with_evidence()
        )
        for entry in citing:
            if entry.pk in alone:
                found.append(Withdrawal(entry, report, ()))
                continue
            broken = evidence_of(entry, unpublished=report).breaks() - evidence_of(entry).breaks()
            facts = tuple(fact for fact in Fact.values if fact in broken)
            if facts:
                found.append(Withdrawal(entry, report, facts))
    return found


def withdrawals_problem(report, found):
    """Return the refusal of unpublishing `report` while the entries `found` rest on it."""
    return _(
        "“%(report)s” cannot leave “published” while published entries rest on it alone: "
        "%(entries)s. Withdraw them too (they go back to review), or keep it published."
    ) % {
        "report": report,
        "entries": ", ".join(f"“{withdrawal.entry}”" for withdrawal in found),
    }


def withdraw(found, user):
    """Send each entry of `found` (Withdrawals) back to review, its history saying why.

    Return the problem that stops it (the user may not unpublish such entries), or None;
    then nothing is changed.
    """
    for withdrawal in found:
        problem = status_change_problem(
            user, type(withdrawal.entry), Status.PUBLISHED, Status.REVIEW
        )
        if problem:
            return problem
    for withdrawal in found:
        entry = withdrawal.entry
        entry.set_status(Status.REVIEW, user)
        entry._change_reason = withdrawal.reason
        entry._history_user = user
        entry.save()
    return None


def change_statuses(user, queryset, new, withdrawing=False):
    """Move each entry of `queryset` to `new` where the rules allow it.

    A report leaves "published" only if no published entry rests on it alone, or, with
    `withdrawing`, taking those entries back to review with it.
    Return (changed entries, [(entry, problem)] for the ones left as they were).
    """
    changed, refused = [], []
    for entry in queryset:
        if entry.status == new:
            continue
        problem = status_change_problem(user, type(entry), entry.status, new)
        if problem is None and new == Status.PUBLISHED:
            problem = publish_problem(entry)
        with transaction.atomic():
            if problem is None and isinstance(entry, Report) and entry.is_published:
                found = withdrawals(entry)
                if found and withdrawing:
                    problem = withdraw(found, user)
                elif found:
                    problem = withdrawals_problem(entry, found)
            if problem:
                refused.append((entry, problem))
                continue
            entry.set_status(new, user)
            entry._history_user = user  # simple_history records who, outside a request too
            entry.save()
        changed.append(entry)
    return changed, refused


def import_problems(user, outcomes):
    """Return [(name, reason)] for imported documents `user` may not apply.

    A new version of a published report changes what readers see at once, so
    it is a publisher's decision, like publishing itself.
    """
    if can_publish(user, Report):
        return []
    return [
        (
            outcome.name,
            _("it would change the published report “%(title)s”; only Publishers can")
            % {"title": outcome.report.title},
        )
        for outcome in outcomes
        if outcome.action == UPDATED and outcome.report.status == Status.PUBLISHED
    ]
