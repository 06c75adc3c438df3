"""The cursor of the archive's PostgreSQL connections (settings): prepared statements,
but for full-text matches.

A connection prepares a statement it has run PREPARE_THRESHOLD times: PostgreSQL then
parses it once, and may plan it once for any parameters (a generic plan) rather than
afresh for each run's. The public pages' statements are the same few, run again and
again with another slug, page or country, and planning them cost the server more than
running them.

A generic plan is priced without the parameters' values, which is right where the rows
a value picks are about as many whatever it is (a primary key, a slug, a status), and
wrong for a text search: planned without knowing whether a word is in ten rows or in
every one, the search statements scanned every row for a common word. So a statement
with a match (`@@`) is never prepared, and is planned for its own words each time.
"""

from django.db.backends.postgresql.base import ServerBindingCursor

PREPARE_THRESHOLD = 5  # psycopg's own default: runs of a statement before it is prepared
TEXT_MATCH = "@@"


class PreparingCursor(ServerBindingCursor):
    def execute(self, query, params=None, *, prepare=None, binary=None):
        if prepare is None and isinstance(query, str) and TEXT_MATCH in query:
            prepare = False
        return super().execute(query, params, prepare=prepare, binary=binary)
