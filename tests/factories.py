"""Small make_* helpers: sensible defaults, overridden with keyword arguments."""

from django.contrib.auth.models import Group as Role
from django.contrib.auth.models import User
from django.db import connection

from reports.ingest.documents import import_documents
from reports.models import Citation, Country, FigureClaim, Group, Incident, Status
from reports.publishing import FIGURE_FACTS, unsourced_facts


def make_user(username, role=None, **kwargs):
    kwargs.setdefault("is_staff", role is not None)
    user = User.objects.create_user(username=username, password="correct horse battery", **kwargs)
    if role:
        user.groups.add(Role.objects.get(name=role))
    return user


def make_group(**kwargs):
    kwargs.setdefault("name", "Test Group")
    kwargs.setdefault("slug", kwargs["name"].lower().replace(" ", "-"))
    kwargs.setdefault("status", Status.PUBLISHED)
    return Group.objects.create(**kwargs)


def make_incident(**kwargs):
    kwargs.setdefault("title", "Test incident")
    kwargs.setdefault("slug", kwargs["title"].lower().replace(" ", "-"))
    kwargs.setdefault("start_date", "1997-05-01")
    kwargs.setdefault("status", Status.PUBLISHED)
    if "country" not in kwargs:
        kwargs["country"] = Country.objects.resolve("PE")
    return Incident.objects.create(**kwargs)


def make_citation(report, quote, **kwargs):
    return Citation.objects.create(report=report, quote=quote, **kwargs)


def make_claim(citation, figure, low, high="same", **kwargs):
    """A figure claim of the citation's subject resting on `citation` (exact unless `high`)."""
    return FigureClaim.objects.create(
        incident=citation.incident,
        group=citation.group,
        figure=figure,
        low=low,
        high=low if high == "same" else high,
        citation=citation,
        **kwargs,
    )


def support_every_fact(entry):
    """Mark each fact `entry` states without support as supported by its first citation of a
    published report (a figure: by a claim of its value resting on the citation marked as
    giving it, else on that first one), so tests about something else can publish it."""
    citations = list(entry.citations.filter(report__status=Status.PUBLISHED))
    first = citations[0]
    for fact in unsourced_facts(entry):
        if fact in FIGURE_FACTS:
            citation = next((c for c in citations if fact in c.facts), first)
            make_claim(citation, fact, getattr(entry, fact))
        else:
            first.facts = [*first.facts, fact]
            first.save()
    return entry


def make_report(**kwargs):
    """A report made from a small synthetic document, through the real importer."""
    title = kwargs.pop("title", "Patterns of Global Terrorism 1998 - Peru")
    body = kwargs.pop("body", "A paragraph of text.")
    status = kwargs.pop("status", Status.PUBLISHED)
    data = f"{title}\n\n{body}\n".encode()
    [outcome] = import_documents([(f"{title}.txt", data)], method="test")
    report = outcome.report
    report.status = status
    for key, value in kwargs.items():
        setattr(report, key, value)
    report.save()
    return report


def sqlite_master_rows(name_like="%"):
    """SQLite's schema rows (type, name, table, SQL) whose name is LIKE `name_like`, in
    order, less the planner's statistics."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master"
            " WHERE name LIKE %s AND name NOT LIKE 'sqlite_stat%%' ORDER BY type, name",
            [name_like],
        )
        return cursor.fetchall()
