"""Insert many rows of one model in multi-row INSERTs, for the bulk importer and generator.

bulk_create prepares every value of every row through its field: five million
calls for 200,000 incidents of 25 columns.
Here the columns a caller does not vary are prepared once, and the varying
ones only where the database needs a conversion (dates, JSON, decimals).
Like bulk_create it sends no signals and calls no save(): a writer using it calls
ArchiveState.bump() once, in its transaction, so caches learn of the change.
"""

import threading
from contextlib import contextmanager, suppress
from itertools import chain
from queue import Empty, Queue

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

    def __init__(self, model, fields, constants=None, raw=(), numbered=False):
        """`raw` names fields whose values are already in the database's form (e.g. JSON
        text); `numbered`: the database numbers the rows, and insert() returns their ids."""
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
        # PostgreSQL's rows carry ids taken from the table's sequence (_new_ids).
        self.numbered = numbered
        numbers = [opts.pk] if numbered and connection.vendor == "postgresql" else []
        width = len(varying) + len(fixed) + len(numbers)
        columns = ", ".join(quote(field.column) for field in varying + fixed + numbers)
        # Names come from the model's metadata, quoted; values are parameters.
        self.head = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES "  # noqa: S608
        self.marks = f"({', '.join(['%s'] * width)})"
        # Many rows a statement, as many as the database takes parameters, rather than
        # a statement a row (executemany): on SQLite each statement of a table with
        # triggers opens a savepoint, and at each one FTS5 writes what it holds as a
        # new segment, so the search triggers of 105,000 paragraphs wrote 105,000
        # segments, and merged them, a large part of a full-size generate_archive.
        self.rows_per_statement = max(1, (connection.features.max_query_params or 999) // width)
        self.full_sql = self._sql(self.rows_per_statement)
        # PostgreSQL takes the rows as a stream instead (COPY, see insert).
        self.copy_sql = f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN"
        self.sequence_args = [opts.db_table, opts.pk.column]
        self.model = model

    def _sql(self, rows):
        return self.head + ", ".join([self.marks] * rows)

    @staticmethod
    def _converter(field):
        if isinstance(field, models.DateTimeField):
            return connection.ops.adapt_datetimefield_value
        if isinstance(field, models.DateField):
            return connection.ops.adapt_datefield_value
        return lambda value: field.get_db_prep_save(value, connection)

    def insert(self, rows):
        """Insert the rows (tuples in the order of `fields`), in this order; return their
        ids in that order if the inserter is `numbered`."""
        if self.converters:
            rows = map(self._convert, rows)
        fixed = self.fixed_values
        if connection.vendor != "postgresql":
            rows = [(*row, *fixed) for row in rows]
            self._execute(rows)
            return self._last_ids(len(rows)) if self.numbered else None
        if not self.numbered:
            self._copy([(*row, *fixed) for row in rows])
            return None
        rows = list(rows)  # counted for their ids
        ids = self._new_ids(len(rows))
        self._copy([(*row, *fixed, pk) for row, pk in zip(rows, ids, strict=True)])
        return ids

    def _new_ids(self, count):
        # Taken before the rows are written, so that no query needs to find them after.
        if not count:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [*self.sequence_args, count],
            )
            return [row[0] for row in cursor.fetchall()]

    @staticmethod
    def _last_ids(count):
        # This write transaction's INSERT statements (no other writer can come between
        # on SQLite), one after another: SQLite numbers their rows one after another,
        # the last one being last_insert_rowid(), which the search triggers' own
        # inserts do not change.
        if not count:
            return []
        with connection.cursor() as cursor:
            cursor.execute("SELECT last_insert_rowid()")
            last = cursor.fetchone()[0]
        return list(range(last - count + 1, last + 1))

    def _execute(self, rows):
        per = self.rows_per_statement
        full = len(rows) - len(rows) % per
        with connection.cursor() as cursor:
            if full:
                # One executemany of the full statements: Django rewrites a statement's
                # placeholders for the driver once a call, a cost that grows with them.
                cursor.executemany(
                    self.full_sql,
                    [list(chain.from_iterable(rows[i : i + per])) for i in range(0, full, per)],
                )
            if full < len(rows):
                cursor.execute(self._sql(len(rows) - full), list(chain.from_iterable(rows[full:])))

    def _copy(self, rows):
        # COPY rather than INSERTs: the driver writes each value into one stream, where
        # INSERTs have it quote every value into the statement's text (Django's
        # client-side binding) and the server parse and plan statements of thousands
        # of rows. The values are the same Python objects, dumped by the driver as it
        # would for an INSERT's parameters; COPY fires the same triggers and checks the
        # same constraints, and is part of the caller's transaction. The rows are made
        # before it starts (insert): making them may query, which a COPY under way
        # on the connection would wait on for ever. Its errors are raised as Django's
        # (IntegrityError...), as an INSERT's would be.
        with (
            connection.wrap_database_errors,
            connection.cursor() as cursor,
            cursor.cursor.copy(self.copy_sql) as copy,
        ):
            write = copy.write_row
            for row in rows:
                write(row)

    def _convert(self, row):
        row = list(row)
        for index, convert in self.converters:
            if row[index] is not None:
                row[index] = convert(row[index])
        return row


def reset_sequences(*models_):
    """After rows inserted with explicit ids, move the id sequences past them (PostgreSQL)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


# This connection's SQLite settings during a bulk write (bulk_writes), each saying why.
BULK_PRAGMAS = {
    # 64 MB instead of SQLite's default 2 MB: a 200,000-row import writes the incident
    # table's unique indexes (and in a smaller import all of them, see DeferredIndexes)
    # in random key order.
    "cache_size": -65536,
    # An INSERT that may fail half-way (constraints, triggers) first copies each page it
    # changes to a statement journal. SQLite skips that for pages appended to the file,
    # but not once the file has had a free page (as after DeferredIndexes drops the
    # indexes): a 200,000-row import then wrote 4 GB to a temporary file in 2 million
    # write() calls, kernel time spent for nothing. In memory it is a copy. It holds one
    # statement's pages, so it stays small; the rollback journal, which a crash needs,
    # is not affected.
    "temp_store": 2,  # MEMORY
}


@contextmanager
def bulk_writes():
    """Tune this connection for a bulk write (SQLite, see BULK_PRAGMAS); restore it after.

    Enter it outside the write's transaction.atomic(), so that it restores the settings
    after the commit or rollback. Neither setting changes what a crash or a rollback
    leaves: the journal mode and the synchronous level stay as they are.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        saved = _current(cursor)
        for name, value in BULK_PRAGMAS.items():
            if name in saved:
                cursor.execute(f"PRAGMA {name} = {value}")
    try:
        yield
    finally:
        # Not in a transaction that already failed (the caller's own, around this one):
        # the connection then keeps the bulk settings, which are only slower or larger.
        if not connection.needs_rollback:
            with connection.cursor() as cursor:
                settable = _current(cursor)
                for name, value in saved.items():
                    if name in settable:
                        cursor.execute(f"PRAGMA {name} = {value}")


def _current(cursor):
    """The values of BULK_PRAGMAS now, of those that may be changed (one query)."""
    cursor.execute(
        "SELECT (SELECT cache_size FROM pragma_cache_size),"
        " (SELECT temp_store FROM pragma_temp_store),"
        " EXISTS (SELECT 1 FROM pragma_database_list WHERE name = 'temp')"
    )
    cache_size, temp_store, temp_open = cursor.fetchone()
    # Changing temp_store deletes the connection's temporary tables (and in a
    # transaction is refused), so it is left alone once its temporary database is open.
    if temp_open:
        return {"cache_size": cache_size}
    return {"cache_size": cache_size, "temp_store": temp_store}


def refresh_planner_statistics(*models_):
    """ANALYZE after a bulk write, so the query planner knows the tables' shapes.

    SQLite keeps no statistics until asked; without them it picks an index that
    matches a query's ORDER BY over the one that filters, and a list page reads every
    published row. analysis_limit samples each index instead of reading it whole, so
    the cost stays small however large the tables grow: it analyses every table.
    PostgreSQL samples rows of each table it analyses and computes its search indexes'
    expressions for them, so there only the tables of `models_` (the ones written, if
    given) are analysed, not the reports' paragraphs after an import of incidents.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 1000")
            cursor.execute("ANALYZE")
        else:
            quote = connection.ops.quote_name
            cursor.execute("ANALYZE " + ", ".join(quote(model._meta.db_table) for model in models_))


class DeferredIndexes:
    """Drop a model's secondary indexes while a large bulk insert runs; build them at the end.

    SQLite puts each new row into every index at once. The incident table has eight
    non-unique ones, most led by a random key (date, country), so a 200,000-row import
    writes to pages all over each of them, several times what building the eight
    afresh costs, each from one sort of its keys. The rebuild reads the whole table, so
    it pays only when the insert is large next to what the table already holds: the
    indexes go once the rows inserted reach `min_rows` and half the rows there were.

    Only the indexes the model declares without uniqueness (db_index fields and
    Meta.indexes) go: unique ones enforce integrity and answer the importer's own
    lookups. Their SQL is the schema editor's, which is what the migrations ran; one
    whose SQL in the database differs (a migration not applied yet) is left alone, and
    each is built again from the very text read from the database. The drops are part of
    the caller's transaction, so a rollback undoes them. Never on PostgreSQL, where
    DROP INDEX would lock out readers until the transaction ends.
    """

    min_rows = 10_000  # below this, the DDL and rebuild cost about what they save

    def __init__(self, model):
        self.model = model
        self.inserted = 0
        self.rows_before = None  # counted when the inserts first reach min_rows
        self.dropped = None  # [(name, sql)] once dropped

    def before_insert(self, rows):
        """Call before inserting `rows` rows; drops the indexes once that pays."""
        inserted, self.inserted = self.inserted, self.inserted + rows
        if connection.vendor != "sqlite" or self.dropped is not None:
            return
        if self.inserted < self.min_rows:
            return
        if self.rows_before is None:
            self.rows_before = self.model._default_manager.count() - inserted
        if self.inserted >= self.rows_before // 2:
            self._drop()

    def _drop(self):
        if not connection.in_atomic_block:
            raise RuntimeError("drop and restore indexes in one transaction")
        # The schema editor only writes SQL here; it is not entered (SQLite's refuses to
        # be used in a transaction, for the table rebuilds it does and this does not).
        editor = connection.schema_editor()
        declared = {str(statement) for statement in editor._model_indexes_sql(self.model)}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s",
                [self.model._meta.db_table],
            )
            self.dropped = [(name, sql) for name, sql in cursor.fetchall() if sql in declared]
            for name, _sql in self.dropped:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")

    def restore(self):
        """Build the dropped indexes again, in the transaction that dropped them."""
        with connection.cursor() as cursor:
            for _name, sql in self.dropped or ():
                cursor.execute(sql)


def ahead(items, size=2):
    """Yield the items of the iterator `items`, each made in a thread while the caller
    uses the ones before (at most `size` ahead).

    A bulk writer reads and checks its next batch while the database writes one: the
    thread holds Python's lock only while it computes, and the caller's thread gives it
    up while it waits for the database. `items` must not use the database (the thread
    has a connection of its own, outside the caller's transaction). Its exception is
    raised here, where the item would have come; if the caller stops early, the thread
    stops after the item it is making.
    """
    queue = Queue(maxsize=size)
    stop = threading.Event()
    end = object()

    def make():
        try:
            for item in items:
                if stop.is_set():
                    return
                queue.put((item, None))
        except BaseException as error:  # noqa: BLE001 - raised in the caller's thread
            queue.put((end, error))
            return
        queue.put((end, None))

    thread = threading.Thread(target=make, name="bulk-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item, error = queue.get()
            if error is not None:
                raise error
            if item is end:
                return
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock its put(), if it waits on a full queue
            with suppress(Empty):
                queue.get(timeout=0.1)
        thread.join()
