"""Filters for the public lists, bound as FilterSet(request.GET or None, queryset=...).

A value that does not parse (a year "abc", an unknown country code, a bad date)
leaves the form invalid; the view then shows the form's errors instead of rows.
"""

import re
from datetime import date

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, Func, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Least
from django.forms.renderers import TemplatesSetting
from django.utils.functional import lazy
from django.utils.text import get_text_list
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from reports.figures import derived, derived_together
from reports.links import url_for
from reports.models import (
    Country,
    Group,
    GroupActivity,
    GroupAlias,
    Incident,
    IncidentType,
    Organisation,
    Paragraph,
    Report,
    Status,
)
from reports.search.listing import Filters

MAX_QUERY_LENGTH = 200
# Suggestions of the group field's autocomplete, and candidates named by its error.
MAX_GROUP_SUGGESTIONS = 10
MAX_GROUP_CANDIDATES = 5
GROUP_HELP = _("Its name, acronym or alias.")


# The public pages' forms are written by our templates (templates/reports/includes/),
# found through settings.TEMPLATES: the Jinja2 engine, which renders the pages too.
FORM_RENDERER = TemplatesSetting()


class TextInput(forms.TextInput):
    template_name = "reports/includes/widgets/input.html"


class SearchInput(TextInput):
    input_type = "search"


class NumberInput(forms.NumberInput):
    template_name = "reports/includes/widgets/input.html"


class DateInput(forms.DateInput):
    template_name = "reports/includes/widgets/input.html"


class Select(forms.Select):
    """A <select> whose one template loops over (value, label, selected) triples, where
    Django's Select builds a dict and renders a template for each of ~60 countries."""

    template_name = "reports/includes/widgets/select.html"

    def get_context(self, name, value, attrs):
        # Widget's context (name, value as a list of strings, attrs) without the option
        # dicts ChoiceWidget adds for its per-option templates.
        context = forms.Widget.get_context(self, name, value, attrs)
        chosen = set(context["widget"]["value"])
        context["widget"]["options"] = [
            (key, label, key in chosen) for key, label in ((str(k), v) for k, v in self.choices)
        ]
        return context


def countries_with(related_name):
    """Countries with at least one published row behind `related_name`, for a choice list."""
    # EXISTS probes the (status, country, ...) index once per country (about 60); a JOIN with
    # DISTINCT read every one of 200,000 incidents.
    model = Country._meta.get_field(related_name).related_model
    published = model.objects.filter(country=OuterRef("pk"), status=Status.PUBLISHED)
    return Country.objects.filter(Exists(published))


class CountryFilter(django_filters.ChoiceFilter):
    """Country chosen by ISO code (?country=PE), among countries with published rows.

    The FilterSet fills the choices with (code, name) pairs once per request
    (`country_choices`); the code is checked against them in Python, so choosing a
    country costs no query of its own and the <select> builds no Country instances.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Country"))
        kwargs.setdefault("empty_label", _("Any country"))
        kwargs.setdefault("widget", Select)
        super().__init__(field_name="country", **kwargs)


def country_choices(related_name):
    """(code, name) of the countries with published rows behind `related_name`.

    Stored per archive change (reports.figures): every list page's form shows them,
    and finding them is a query of ~60 index probes.
    """
    return derived(*countries_of(related_name))


def countries_of(related_name):
    """(the key country_choices(related_name) is stored under, what computes it)."""
    return (
        f"countries-with-{related_name}",
        lambda: list(countries_with(related_name).values_list("code", "name")),
    )


class SortFilter(django_filters.ChoiceFilter):
    """Order by one of a fixed set of orderings; the first is the default.

    The primary key ends every ordering (unless it already does), so pages are stable.
    """

    def __init__(self, orderings, **kwargs):
        self.orderings = orderings  # {value: (label, [order_by fields])}
        kwargs.setdefault("label", _("Sort by"))
        kwargs.setdefault("empty_label", None)
        kwargs.setdefault("widget", Select)
        super().__init__(choices=[(k, v[0]) for k, v in orderings.items()], **kwargs)

    def ordering(self, value=None):
        _label, fields = self.orderings.get(value) or next(iter(self.orderings.values()))
        return fields if fields[-1].lstrip("-") == "pk" else [*fields, "pk"]

    def filter(self, qs, value):
        return qs.order_by(*self.ordering(value))


class FilterForm(forms.Form):
    """The form of an ArchiveFilterSet, which builds its class and fields for each request,
    written by the template `template_name`.

    Django deep-copies a form's class fields for each instance; these are new already,
    and copying their choices, widgets and validators again is a measurable part of a
    list page (bench/RESULTS.md), so the instance takes them as they are.
    """

    template_name = "reports/includes/filter_form.html"
    default_renderer = FORM_RENDERER

    def __init__(self, *args, **kwargs):
        fields, self.base_fields = self.base_fields, {}
        super().__init__(*args, **kwargs)
        del self.base_fields
        self.fields = fields
        self.order_fields(self.field_order)


class ArchiveFilterSet(django_filters.FilterSet):
    """A FilterSet whose rows are in its sort filter's default order even when unbound."""

    def __init__(self, data=None, queryset=None, **kwargs):
        sort = self.base_filters.get("sort")
        if queryset is not None and sort is not None:
            queryset = queryset.order_by(*sort.ordering())
        super().__init__(data, queryset=queryset, **kwargs)


def text_field(label):
    return django_filters.CharFilter(
        label=label, method="filter_text", max_length=MAX_QUERY_LENGTH, widget=TextInput
    )


def published_publishers():
    """Names of the organisations that published at least one published report, in order."""
    # EXISTS probes the reports' publisher index once per organisation (a few); DISTINCT
    # over a JOIN read all 10,000 published reports.
    reports = Report.objects.published().filter(publisher=OuterRef("pk"))
    return list(
        Organisation.objects.filter(Exists(reports)).order_by("name").values_list("name", flat=True)
    )


class ReportFilter(ArchiveFilterSet):
    q = text_field(_("Title or text contains"))
    country = CountryFilter()
    year = django_filters.NumberFilter(
        label=_("Year covered"),
        min_value=1000,
        max_value=9999,
        decimal_places=0,
        widget=NumberInput,
    )
    series = django_filters.ChoiceFilter(
        label=_("Series"), empty_label=_("Any series"), widget=Select
    )
    publisher = django_filters.ChoiceFilter(
        label=_("Publisher"),
        field_name="publisher__name",
        empty_label=_("Any publisher"),
        widget=Select,
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
        form = FilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices come from published reports only, so a draft's series never shows.
        countries, series, publishers = report_choices("countries", "series", "publishers")
        self.filters["country"].extra["choices"] = countries
        self.filters["series"].extra["choices"] = [(s, s) for s in series]
        self.filters["publisher"].extra["choices"] = [(n, n) for n in publishers]

    def filter_text(self, queryset, name, value):
        in_text = Paragraph.objects.filter(report=OuterRef("pk"), text__icontains=value)
        return queryset.filter(Q(title__icontains=value) | Exists(in_text))


def matching_groups(text, limit=MAX_GROUP_SUGGESTIONS):
    """Published groups whose name, acronym or an alias contains `text`, at most `limit`.

    Names and acronyms that start with `text` come first, then by name.
    """
    aliases = GroupAlias.objects.filter(name__icontains=text).values("group_id")
    starts = Q(name__istartswith=text) | Q(acronym__istartswith=text)
    return (
        Group.objects.published()
        .filter(Q(name__icontains=text) | Q(acronym__icontains=text) | Q(pk__in=aliases))
        .annotate(rank=Case(When(starts, then=Value(0)), default=Value(1)))
        .order_by("rank", "name", "pk")
        .only("slug", "name", "acronym")[:limit]
    )


def resolve_group(text):
    """The one published group `text` names, or a ValidationError that says why not.

    `text` is a slug (the ?group=mrta of the group pages, feeds and API links), or a
    name, acronym, alias or "Name (ACRONYM)", in any case; failing those, a part of
    one that only one published group contains. Several groups is an error (a 400) that
    lists them with the slug to type, as none is: the API and the exports take this
    filter too and must refuse an ambiguous value rather than pick one, and a page of
    candidates would be a second kind of list page for one rare case.
    """
    published = Group.objects.published().only("slug", "name", "acronym")
    group = published.filter(slug=text).first()  # the unique slug index
    if group:
        return group
    exact = (
        Q(name__iexact=text)
        | Q(acronym__iexact=text)
        | Q(pk__in=GroupAlias.objects.filter(name__iexact=text).values("group_id"))
    )
    if labelled := re.fullmatch(r"(.+?)\s*\((.+)\)", text):
        exact |= Q(name__iexact=labelled[1], acronym__iexact=labelled[2])
    candidates = list(published.filter(exact).order_by("name", "pk")[: MAX_GROUP_CANDIDATES + 1])
    if not candidates:
        candidates = list(matching_groups(text, MAX_GROUP_CANDIDATES + 1))
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise ValidationError(
            _("No published group is called “%(text)s”. Try part of its name or its acronym."),
            code="unknown_group",
            params={"text": text},
        )
    named = [f"{group.slug} ({group})" for group in candidates[:MAX_GROUP_CANDIDATES]]
    if len(candidates) > MAX_GROUP_CANDIDATES:
        named.append(_("others"))
    raise ValidationError(
        _("“%(text)s” matches several groups; enter one of these: %(groups)s."),
        code="ambiguous_group",
        params={"text": text, "groups": get_text_list(named, _("or"))},
    )


class GroupSuggestForm(forms.Form):
    q = forms.CharField(max_length=MAX_QUERY_LENGTH, strip=True)


class GroupField(forms.CharField):
    """A group typed as text; cleans to the published Group it names (or None)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            TextInput(
                attrs={
                    "type": "search",
                    "autocomplete": "off",
                    "spellcheck": "false",
                    # static/js/group-suggest.js turns the field into a combobox that
                    # asks this URL for suggestions; without script it is a text field.
                    # url_for, not reverse_lazy: the attribute is converted on every page.
                    "data-suggest": lazy(url_for, str)("reports:group-suggest"),
                    "data-help": GROUP_HELP,  # the description again once the text changes
                    # What the script says, in the page's language (%(…)s filled by it).
                    "data-text-suggestions": _("%(field)s: suggestions"),
                    "data-text-found-one": _("%(num)s group found; use Down to choose."),
                    "data-text-found-other": _("%(num)s groups found; use Down to choose."),
                    "data-text-none": _("No published group matches."),
                    "data-text-chosen": _("Chosen: %(group)s."),
                }
            ),
        )
        kwargs.setdefault("help_text", GROUP_HELP)
        super().__init__(max_length=MAX_QUERY_LENGTH, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        return resolve_group(text) if text else None


class PerpetratorFilter(django_filters.Filter):
    """The incidents a published group is named as perpetrator of (?group=<slug or name>).

    A text field, not a <select>: a list of every published group (2,000 at the
    benchmark size) was most of the incident list's HTML and rendering time.
    """

    field_class = GroupField


class IncidentFilterForm(FilterForm):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the range cannot be before its start."))
        if group := cleaned.get("group"):
            # The field's description (its aria-describedby) names the group the text
            # resolved to; the bound field keeps its own copy of the help text.
            self["group"].help_text = _("Chosen: %(group)s.") % {"group": group}
        return cleaned


class IncidentFilter(ArchiveFilterSet):
    country = CountryFilter()
    year = django_filters.NumberFilter(
        label=_("Year"),
        method="filter_year",
        min_value=1000,
        max_value=9999,
        decimal_places=0,
        widget=NumberInput,
    )
    start = django_filters.DateFilter(
        label=_("From date"),
        method="filter_from",
        widget=DateInput(attrs={"type": "date"}),
    )
    end = django_filters.DateFilter(
        label=_("To date"),
        method="filter_to",
        widget=DateInput(attrs={"type": "date"}),
    )
    type = django_filters.ChoiceFilter(
        label=_("Type"), choices=IncidentType.choices, empty_label=_("Any type"), widget=Select
    )
    group = PerpetratorFilter(label=_("Perpetrator group"), field_name="perpetrators")
    casualties = django_filters.ChoiceFilter(
        label=_("Casualties (best estimate)"),
        method="filter_casualties",
        choices=[("yes", _("Killed or injured reported")), ("no", _("None reported"))],
        empty_label=_("Either"),
        widget=Select,
    )
    # Latest first is the order of incident_pub_date_idx (status, -start_date) and
    # incident_country_idx (status, country, -start_date), whose entries end with the
    # primary key in ascending order: a page is read off the index in order, no sort.
    # Earliest first is the same index read backwards. (A title as tie-breaker made
    # SQLite read and sort every matching row.)
    sort = SortFilter(
        {
            "-date": (_("Latest first"), ["-start_date", "pk"]),
            "date": (_("Earliest first"), ["start_date", "-pk"]),
            # Casualties are the best estimates the incident row keeps (reports/claims.py).
            "-casualties": (
                _("Most casualties first (best estimate)"),
                ["-casualties", "-start_date"],
            ),
            "casualties": (
                _("Fewest casualties first (best estimate)"),
                ["casualties", "-start_date"],
            ),
        }
    )

    class Meta:
        model = Incident
        fields = []
        form = IncidentFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["country"].extra["choices"] = country_choices("incidents")

    # An incident belongs to a period if it overlaps it: a crisis from December 1996
    # to April 1997 is an incident of 1997 too. "Its last day is on or after `day`" is
    # COALESCE(end_date, start_date) >= day, which no index can answer. It is written
    # so that one range of the start_date index (incident_country_idx or
    # incident_pub_date_idx) answers it in the list's order without reading a row:
    #
    #   start_date >= LEAST(day, the earliest start among `spanning`)
    #   AND (start_date >= day OR pk IN spanning)
    #
    # where `spanning` are the incidents that started before the day and end on or
    # after it, found through the partial end_date indexes (migration 0007) (only the
    # few per cent of incidents with an end date are in them). Every index entry holds
    # the pk, so "pk IN" is checked on the index; the lower bound stops the range at the
    # earliest spanning incident instead of the archive's first. A plain OR of the two
    # sides made SQLite either read every matching row to sort them (MULTI-INDEX OR) or
    # walk the start_date index reading each earlier row for its end_date, slower the
    # deeper the page. The earliest start is a MIN over `spanning` by pk: asked
    # directly, SQLite walks the start_date index back to the first incident for it.
    @staticmethod
    def ends_on_or_after(queryset, day, starts_by=None):
        spanning = queryset.filter(start_date__lt=day, end_date__gte=day).values("pk")
        # MIN as a plain function: Django would GROUP BY every column for Min() here.
        earliest = (
            Incident.objects.filter(pk__in=spanning)
            .order_by()
            .values(earliest=Func("start_date", function="MIN"))
        )
        conditions = [
            Q(start_date__gte=Least(Coalesce(Subquery(earliest), Value(day)), Value(day))),
            Q(start_date__gte=day) | Q(pk__in=spanning),
        ]
        if starts_by:
            conditions.append(Q(start_date__lte=starts_by))
        return queryset.filter(*conditions)

    def filter_from(self, queryset, name, value):
        return self.ends_on_or_after(queryset, value)

    def filter_to(self, queryset, name, value):
        return queryset.filter(start_date__lte=value)

    def filter_year(self, queryset, name, value):
        year = int(value)
        first, last = date(year, 1, 1), date(year, 12, 31)
        return self.ends_on_or_after(queryset, first, starts_by=last)

    def filter_casualties(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(casualties__gt=0)
        return queryset.filter(casualties=0)


class GroupFilter(ArchiveFilterSet):
    q = text_field(_("Name, alias or description contains"))
    country = CountryFilter()
    activity = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=GroupActivity.choices,
        empty_label=_("Any status"),
        widget=Select,
    )

    class Meta:
        model = Group
        fields = []
        form = FilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["country"].extra["choices"] = country_choices("groups")

    def filter_text(self, queryset, name, value):
        alias = GroupAlias.objects.filter(group=OuterRef("pk"), name__icontains=value)
        return queryset.filter(
            Q(name__icontains=value)
            | Q(acronym__icontains=value)
            | Q(description__icontains=value)
            | Exists(alias)
        )


class SearchBox(forms.Form):
    """The search box alone (the home page's)."""

    default_renderer = FORM_RENDERER

    q = forms.CharField(
        label=_("Search reports, incidents and groups"),
        max_length=MAX_QUERY_LENGTH,
        strip=True,
        widget=SearchInput,
    )


class SearchForm(SearchBox):
    """The search box, and what narrows, orders and pages its results (reports.search)."""

    kind = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("All kinds")),
            ("reports", _("Reports")),
            ("passages", _("Passages")),
            ("incidents", _("Incidents")),
            ("groups", _("Armed groups")),
        ],
        widget=Select,
    )
    country = forms.ChoiceField(label=_("Country"), required=False, widget=Select)
    year_from = forms.IntegerField(
        label=_("From year"), required=False, min_value=1000, max_value=9999, widget=NumberInput
    )
    year_to = forms.IntegerField(
        label=_("To year"), required=False, min_value=1000, max_value=9999, widget=NumberInput
    )
    series = forms.ChoiceField(label=_("Series"), required=False, widget=Select)
    publisher = forms.ChoiceField(label=_("Publisher"), required=False, widget=Select)
    language = forms.ChoiceField(label=_("Document language"), required=False, widget=Select)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("relevance", _("Relevance")),
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
        ],
        widget=Select,
    )

    # The fields that narrow the results (all but the query, the kind and the sort).
    FILTERS = ("country", "year_from", "year_to", "series", "publisher", "language")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["q"].widget.attrs["aria-describedby"] = "search-help"  # the page's syntax help
        # Choices from published reports only, as the report list's.
        countries, series, publishers, languages = report_choices(
            "countries", "series", "publishers", "languages"
        )
        fields["country"].choices = [("", _("Any country")), *countries]
        fields["series"].choices = [("", _("Any series")), *((s, s) for s in series)]
        fields["publisher"].choices = [("", _("Any publisher")), *((n, n) for n in publishers)]
        fields["language"].choices = [
            ("", _("Any language")),
            *((code, language_name(code)) for code in languages),
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("year_from"), data.get("year_to")
        if start and end and start > end:
            raise ValidationError(_("The first year comes after the last."), code="years")
        return data

    def search_arguments(self):
        """reports.search.search's arguments from the valid form: text, kind, filters, sort."""
        data = self.cleaned_data
        return {
            "text": data["q"],
            "kind": data["kind"],
            "filters": Filters(**{name: data[name] for name in self.FILTERS}),
            "sort": data["sort"] or "relevance",
        }

    def filter_fields(self):
        return [self[name] for name in ("kind", *self.FILTERS, "sort")]


def published_languages():
    """The languages of published reports, in order of their codes."""
    reports = Report.objects.published().order_by("language")
    return list(reports.values_list("language", flat=True).distinct())


# What the report list's and the search's forms offer to choose from: {name: (the key
# its figure is stored under, what computes it)}.
REPORT_CHOICES = {
    "countries": countries_of("reports"),
    "series": ("published-series", Report.objects.published_series),
    "publishers": ("published-publishers", published_publishers),
    "languages": ("published-languages", published_languages),
}


def report_choices(*names):
    """The lists of REPORT_CHOICES `names`, in that order, read in one query (stored per
    archive change, reports.figures)."""
    keyed = dict(REPORT_CHOICES[name] for name in names)
    lists = derived_together(keyed)
    return [lists[key] for key in keyed]


def language_name(code):
    """The language's name in the reader's language where Django knows it, else the code."""
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code
