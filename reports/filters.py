"""Filters for the public lists, bound as FilterSet(request.GET or None, queryset=...).

A value that does not parse (a year "abc", an unknown country code, a bad date)
leaves the form invalid; the view then shows the form's errors instead of rows.
"""

from datetime import date

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from reports.models import (
    Country,
    Group,
    GroupActivity,
    GroupAlias,
    Incident,
    IncidentType,
    Paragraph,
    Report,
    Status,
)

MAX_QUERY_LENGTH = 200


def countries_with(related_name):
    """Countries with at least one published row behind `related_name`, for a choice list."""
    # EXISTS probes the (status, country, ...) index once per country (about 60); a JOIN with
    # DISTINCT read every one of 200,000 incidents.
    model = Country._meta.get_field(related_name).related_model
    published = model.objects.filter(country=OuterRef("pk"), status=Status.PUBLISHED)
    return Country.objects.filter(Exists(published))


class CountryFilter(django_filters.ModelChoiceFilter):
    """Country chosen by ISO code (?country=PE), among countries with published rows."""

    def __init__(self, related_name, **kwargs):
        kwargs.setdefault("label", _("Country"))
        kwargs.setdefault("empty_label", _("Any country"))
        super().__init__(
            field_name="country",
            to_field_name="code",
            queryset=countries_with(related_name),
            **kwargs,
        )


class SortFilter(django_filters.ChoiceFilter):
    """Order by one of a fixed set of orderings; a tie-breaker keeps pages stable."""

    def __init__(self, orderings, **kwargs):
        self.orderings = orderings  # {value: (label, [order_by fields])}
        kwargs.setdefault("label", _("Sort by"))
        kwargs.setdefault("empty_label", None)
        super().__init__(choices=[(k, v[0]) for k, v in orderings.items()], **kwargs)

    def filter(self, qs, value):
        if value in self.orderings:
            return qs.order_by(*self.orderings[value][1], "pk")
        return qs


def text_field(label):
    return django_filters.CharFilter(label=label, method="filter_text", max_length=MAX_QUERY_LENGTH)


class QuickSelect(forms.Select):
    """A <select> whose options are written in Python, not one template each."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in (value if isinstance(value, list | tuple) else [value])}
        options = "".join(
            f'<option value="{escape(key)}"{" selected" if str(key) in chosen else ""}>'
            f"{escape(label)}</option>"
            for key, label in self.choices
        )
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        # Every key and label is escaped above.
        return format_html("<select{}>{}</select>", flatatt(final), mark_safe(options))  # noqa: S308


class ReportFilter(django_filters.FilterSet):
    q = text_field(_("Title or text contains"))
    country = CountryFilter("reports")
    year = django_filters.NumberFilter(
        label=_("Year covered"), min_value=1000, max_value=9999, decimal_places=0
    )
    series = django_filters.ChoiceFilter(label=_("Series"), empty_label=_("Any series"))
    publisher = django_filters.ChoiceFilter(
        label=_("Publisher"), field_name="publisher__name", empty_label=_("Any publisher")
    )
    sort = SortFilter(
        {
            "-year": (_("Newest year first"), ["-year", "title"]),
            "year": (_("Oldest year first"), ["year", "title"]),
            "title": (_("Title A–Z"), ["title"]),
        }
    )

    class Meta:
        model = Report
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices come from published reports only, so a draft's series never shows.
        published = Report.objects.published().order_by()
        series = published.values_list("series", flat=True).distinct().order_by("series")
        publishers = (
            published.exclude(publisher=None)
            .values_list("publisher__name", flat=True)
            .distinct()
            .order_by("publisher__name")
        )
        self.filters["series"].extra["choices"] = [(s, s) for s in series]
        self.filters["publisher"].extra["choices"] = [(name, name) for name in publishers]

    def filter_text(self, queryset, name, value):
        in_text = Paragraph.objects.filter(report=OuterRef("pk"), text__icontains=value)
        return queryset.filter(Q(title__icontains=value) | Exists(in_text))


class IncidentFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the range cannot be before its start."))
        return cleaned


class IncidentFilter(django_filters.FilterSet):
    country = CountryFilter("incidents")
    year = django_filters.NumberFilter(
        label=_("Year"), method="filter_year", min_value=1000, max_value=9999, decimal_places=0
    )
    start = django_filters.DateFilter(
        label=_("From date"),
        method="filter_from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = django_filters.DateFilter(
        label=_("To date"),
        method="filter_to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    type = django_filters.ChoiceFilter(
        label=_("Type"), choices=IncidentType.choices, empty_label=_("Any type")
    )
    # Choices from (slug, name) pairs drawn in Python: 2,000 groups as model instances,
    # each option through the widget's template, took most of the list page's time.
    group = django_filters.ChoiceFilter(
        label=_("Perpetrator group"),
        field_name="perpetrators__slug",
        empty_label=_("Any group"),
        widget=QuickSelect,
    )
    casualties = django_filters.ChoiceFilter(
        label=_("Casualties"),
        method="filter_casualties",
        choices=[("yes", _("Killed or injured reported")), ("no", _("None reported"))],
        empty_label=_("Either"),
    )
    sort = SortFilter(
        {
            "-date": (_("Latest first"), ["-start_date", "title"]),
            "date": (_("Earliest first"), ["start_date", "title"]),
            "-casualties": (_("Most casualties first"), ["-casualties", "-start_date"]),
            "casualties": (_("Fewest casualties first"), ["casualties", "-start_date"]),
        }
    )

    class Meta:
        model = Incident
        fields = []
        form = IncidentFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups = (
            Group.objects.published().order_by("name", "pk").values_list("slug", "name", "acronym")
        )
        self.filters["group"].extra["choices"] = [
            (slug, f"{name} ({acronym})" if acronym else name) for slug, name, acronym in groups
        ]

    # An incident belongs to a period if it overlaps it: a crisis from December 1996
    # to April 1997 is an incident of 1997 too. "Its last day is on or after `day`"
    # is COALESCE(end_date, start_date) >= day, which no index can answer; it is
    # written as two sargable sides instead: it starts on or after the day, or it
    # started before and ends on or after it. SQLite (MULTI-INDEX OR) and PostgreSQL
    # (BitmapOr) answer each side from its own index: start_date from
    # incident_country_idx / incident_pub_date_idx, end_date from the partial
    # end_date indexes of migration 0004.
    @staticmethod
    def ends_on_or_after(day, starts_by=None):
        # The upper bound goes inside the first side: SQLite then reads a start_date
        # range for it instead of every incident that started before `starts_by`.
        first = (
            Q(start_date__gte=day, start_date__lte=starts_by)
            if starts_by
            else Q(start_date__gte=day)
        )
        return first | Q(start_date__lt=day, end_date__gte=day)

    def filter_from(self, queryset, name, value):
        return queryset.filter(self.ends_on_or_after(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(start_date__lte=value)

    def filter_year(self, queryset, name, value):
        year = int(value)
        first, last = date(year, 1, 1), date(year, 12, 31)
        return queryset.filter(self.ends_on_or_after(first, starts_by=last))

    def filter_casualties(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(casualties__gt=0)
        return queryset.filter(casualties=0)


class GroupFilter(django_filters.FilterSet):
    q = text_field(_("Name, alias or description contains"))
    country = CountryFilter("groups")
    activity = django_filters.ChoiceFilter(
        label=_("Status"), choices=GroupActivity.choices, empty_label=_("Any status")
    )

    class Meta:
        model = Group
        fields = []

    def filter_text(self, queryset, name, value):
        alias = GroupAlias.objects.filter(group=OuterRef("pk"), name__icontains=value)
        return queryset.filter(
            Q(name__icontains=value)
            | Q(acronym__icontains=value)
            | Q(description__icontains=value)
            | Exists(alias)
        )


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search reports, incidents and groups"),
        max_length=MAX_QUERY_LENGTH,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
