"""Paging the public lists, the reading room's and the API's: the page's ids first,
then its rows; and whether a list's filters narrow it (then its count is counted,
else the stored figure is used)."""

import contextlib

from django.core.exceptions import EmptyResultSet

from archive.routers import reading_connection as connection


class PageIds:
    """The primary keys of a queryset's rows in order, as a Paginator's object_list.

    The filtered query is compiled once for both the count and the page (Django compiles
    it for each, and compiling the year filter is a large part of that list's cost).
    None is no rows (a form with errors), with no query. `total()`, when given, is the
    count (a stored figure: counting every row is too slow for each visit).
    """

    def __init__(self, queryset, total=None):
        self.sql, self.params = "", ()
        self.total = total
        # EmptyResultSet: a filter that cannot match (e.g. `pk__in=[]`).
        with contextlib.suppress(EmptyResultSet):
            if queryset is not None:
                ids = queryset.values_list("pk", flat=True)
                self.sql, self.params = ids.query.sql_with_params()

    def _rows(self, sql, params):
        if not self.sql:
            return []
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]

    def count(self):
        if self.total is not None:
            return self.total()
        # The list's own SQL, compiled by Django with its parameters kept apart.
        counted = f"SELECT COUNT(*) FROM ({self.sql}) ids"  # noqa: S608
        return self._rows(counted, self.params)[0] if self.sql else 0

    def __getitem__(self, page):
        # The Paginator asks for one slice, the page's.
        start, stop = page.start or 0, page.stop
        return self._rows(f"{self.sql} LIMIT %s OFFSET %s", (*self.params, stop - start, start))


def narrows(filterset):
    """True if a filter other than the sort order has a value."""
    return active_filters(filterset) > 0


def active_filters(filterset):
    """How many filters other than the sort order have a value (0 for a form with errors)."""
    if not filterset.is_bound:
        return 0
    return sum(
        value not in (None, "", [], ()) and name != "sort"
        for name, value in getattr(filterset.form, "cleaned_data", {}).items()
    )
