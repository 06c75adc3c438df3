"""Atom feeds of what was published last: reports, incidents, and per country and group."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from reports.disclaimers import disclaimers_of_citations
from reports.models import Country, Group, Incident, Report, Status

FEED_SIZE = 50


def newest_first(queryset):
    # Newest publication first; an entry published before status times were kept
    # falls back to its last change.
    return queryset.order_by(F("status_changed_at").desc(nulls_last=True), "-updated_at", "-pk")


def published_incidents():
    """Published incidents with their country and the citations of published reports
    (for their disclaimers), two queries for any number."""
    return Incident.objects.published().select_related("country").with_published_citations()


def published_when(obj):
    return obj.status_changed_at or obj.updated_at


class ArchiveFeed(Feed):
    feed_type = Atom1Feed

    def item_pubdate(self, item):
        return published_when(item)

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        if isinstance(item, Report) and item.publisher:
            return item.publisher.name
        return settings.ARCHIVE_NAME

    def item_title(self, item):
        return str(item)

    def item_description(self, item):
        return "\n\n".join([self.summary(item), *self.disclaimers(item)])

    def summary(self, item):
        if isinstance(item, Report):
            return f"{item.series}, {item.year}: {item.country}."
        if isinstance(item, Incident):
            place = f"{item.place}, " if item.place else ""
            summary = Truncator(item.summary).words(60)
            return f"{item.get_type_display()} in {place}{item.country}. {summary}".strip()
        return Truncator(item.description).words(60)

    def disclaimers(self, item):
        """The disclaimer of the report, or those of the published reports an incident
        cites (prefetched with the items): they go wherever the report's content goes."""
        if isinstance(item, Report):
            texts = [item.disclaimer] if item.disclaimer else []
        else:
            texts = disclaimers_of_citations(item.published_citations)
        label = _("Disclaimer of the source document")
        return [f"{label}: {text}" for text in texts]


class LatestReportsFeed(ArchiveFeed):
    title = f"{settings.ARCHIVE_NAME}: latest reports"
    subtitle = "Source documents most recently published in the archive."

    def link(self):
        return reverse("reports:report-list")

    def items(self):
        return newest_first(Report.objects.for_list())[:FEED_SIZE]


class LatestIncidentsFeed(ArchiveFeed):
    title = f"{settings.ARCHIVE_NAME}: latest incidents"
    subtitle = "Incidents most recently published in the archive."

    def link(self):
        return reverse("reports:incident-list")

    def items(self):
        return newest_first(published_incidents())[:FEED_SIZE]


class CountryFeed(ArchiveFeed):
    """Reports and incidents of one country, newest first."""

    def get_object(self, request, code):
        country = get_object_or_404(Country, code=code.upper())
        if not country.has_published_entries():
            raise Http404("Nothing about this country is published.")
        return country

    def title(self, obj):
        return f"{settings.ARCHIVE_NAME}: {obj.name}"

    def subtitle(self, obj):
        return f"Reports and incidents about {obj.name} most recently published."

    def link(self, obj):
        return f"{reverse('reports:incident-list')}?country={obj.code}"

    def items(self, obj):
        reports = newest_first(Report.objects.for_list().filter(country=obj))[:FEED_SIZE]
        incidents = newest_first(published_incidents().filter(country=obj))[:FEED_SIZE]
        merged = sorted([*reports, *incidents], key=published_when, reverse=True)
        return merged[:FEED_SIZE]


class GroupFeed(ArchiveFeed):
    """Incidents attributed to one published group, newest first."""

    def get_object(self, request, slug):
        return get_object_or_404(Group.objects.published(), slug=slug)

    def title(self, obj):
        return f"{settings.ARCHIVE_NAME}: {obj}"

    def subtitle(self, obj):
        return f"Incidents attributed to {obj} most recently published."

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return newest_first(
            published_incidents().filter(perpetration__group=obj, status=Status.PUBLISHED)
        )[:FEED_SIZE]
