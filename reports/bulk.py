"""Insert many rows of one model with executemany, for the bulk importer and generator.

bulk_create prepares every value of every row through its field (about 10 µs
a value): for 200,000 incidents of 25 columns that alone is most of a minute.
Here the columns a caller does not vary are prepared once, and the varying
ones only where the database needs a conversion (dates, JSON, decimals).
Like bulk_create it sends no signals and calls no save(): a writer using it calls
ArchiveState.bump() once, in its transaction, so caches learn of the change.
"""

from django.core.management.color import no_style
from django.db import connection, models

# Values of these fields go to the driver as they are.
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.AutoField,
    models.BigAutoField,
)


class RowInserter:
    """INSERT rows given as tuples in the order of `fields`; other columns get `constants`
    or their model default."""

    def __init__(self, model, fields, constants=None, raw=()):
        """`raw` names fields whose values are already in the database's form (e.g. JSON text)."""
        opts = model._meta
        constants = constants or {}
        quote = connection.ops.quote_name
        varying = [opts.get_field(name) for name in fields]
        fixed = [
            field
            for field in opts.concrete_fields
            if field.name not in fields
            and not getattr(field, "generated", False)
            and not field.primary_key
        ]
        self.fixed_values = tuple(
            field.get_db_prep_save(
                constants[field.name] if field.name in constants else field.get_default(),
                connection,
            )
            for field in fixed
        )
        self.converters = [
            (index, self._converter(field))
            for index, field in enumerate(varying)
            if field.name not in raw and not isinstance(field, _PLAIN)
        ]
        columns = ", ".join(quote(field.column) for field in varying + fixed)
        marks = ", ".join(["%s"] * (len(varying) + len(fixed)))
        # Names come from the model's metadata, quoted; values are parameters.
        self.sql = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
        self.model = model

    @staticmethod
    def _converter(field):
        if isinstance(field, models.DateTimeField):
            return connection.ops.adapt_datetimefield_value
        if isinstance(field, models.DateField):
            return connection.ops.adapt_datefield_value
        return lambda value: field.get_db_prep_save(value, connection)

    def insert(self, rows):
        """Insert the rows (tuples in the order of `fields`)."""
        params = []
        for row in rows:
            if self.converters:
                row = list(row)
                for index, convert in self.converters:
                    if row[index] is not None:
                        row[index] = convert(row[index])
            params.append((*row, *self.fixed_values))
        if params:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, params)


def reset_sequences(*models_):
    """After rows inserted with explicit ids, move the id sequences past them (PostgreSQL)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def tune_for_bulk_writes():
    """Give SQLite a page cache big enough that index inserts do not thrash (this connection)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # 64 MB instead of SQLite's default 2 MB: the incident table's five
            # indexes are written in random key order during a 200,000-row import.
            cursor.execute("PRAGMA cache_size = -65536")


def refresh_planner_statistics():
    """ANALYZE after a bulk write, so the query planner knows the tables' shapes.

    SQLite keeps no statistics until asked; without them it picks an index that
    matches a query's ORDER BY over the one that filters, and a list page reads every
    published row. analysis_limit samples each index (about 0.3 s at 200,000 incidents
    instead of several seconds).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 1000")
        cursor.execute("ANALYZE")
