"""Back up the whole archive to one file, and restore it into an empty database.

Version 4 files are JSON Lines, written and read a row at a time so memory stays
flat whatever the archive's size:

    {"format": "political-violence-archive", "version": 4, "exported_at": "..."}
    {"model": "auth.group", "name": "Editors", "permissions": [[codename, app, model], ...]}
    {"model": "auth.user", "pk": 1, "fields": {...}}
    ... one line per row, Django's serialized form (primary keys kept, so history rows and
    citations still point at the right rows), model after model in archive_models() order
    {"counts": {"auth.user": 2, ...}, "sha256": "..."}

The last line, the trailer, holds the rows' counts by model and the SHA-256 of every
byte before it: a file cut short has no trailer, and an edited one fails the checksum.
A restore checks the whole file (checksum, header, trailer) before it writes anything,
then writes in one transaction, checking again as it reads.

Versions 1 to 3 were one JSON document, {"format", "version", "exported_at", "counts",
"sha256", "payload"}: `payload` maps "app_label.model" to that model's rows, `sha256` is
the checksum of every other key, in canonical JSON. They still restore (read whole, as
they were written). Version 2 added the figure claims, group relations, designations and
proposed revisions (with their history) and each citation's quote key; 3 added readers'
error reports and the original files' bytes (base64, as Django serializes binary fields),
which a file of an earlier version does not have. A version 1 file has none of the new
rows, the quote keys are computed as the citations are saved (reports.signals.key_quote),
and a citation that repeats another's passage is folded into it, as migration 0009 did
to the database. A version 2 file written before migration 0016 has English copies of
the entries' text (title_en, ...) and null for a Spanish text nobody wrote: the copies
are dropped and the nulls read as "", as that migration did to the database.

A restore refuses, naming the row, text PostgreSQL cannot store (a NUL character, a lone
surrogate): a backup of an archive that took them before they were refused at entry.
"""

import contextlib
import datetime
import hashlib
import itertools
import json
import os
import tempfile
from pathlib import Path

from django.apps import apps
from django.contrib.auth.models import Group as Role
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connections, transaction
from django.db.models.signals import pre_save
from django.utils import timezone

from reports.models import ArchiveState, Figures, quote_key
from reports.search import pause_search_index, rebuild_search_index
from reports.text import unstorable_in
from reports.translated import TRANSLATED

FORMAT = "political-violence-archive"
VERSION = 4
READABLE_VERSIONS = (1, 2, 3, 4)
LEGACY_VERSIONS = (1, 2, 3)  # one JSON document, read whole
# Rows read from the database, serialized and written at a time.
CHUNK_SIZE = 2000

# Models outside the reports app whose rows belong to the archive, and whether
# their foreign keys travel as natural keys (content types and roles differ
# between databases; the archive's own rows keep their primary keys).
EXTRA_MODELS = (("auth.user", True), ("admin.logentry", True))


class BackupError(Exception):
    """A backup file that cannot be restored, or a database it cannot go into."""


class BackupEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but datetimes and times keep their microseconds.

    Django's encoder cuts them to milliseconds, so a restore would not give back
    the timestamps the history and the provenance recorded.
    """

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def archive_models():
    """Return [(label, model, natural_keys)] in the order they are written and restored.

    Every model of the reports app, historical ones included, so a model added
    later is backed up without anyone remembering to list it here.
    """
    models = [(label, apps.get_model(label), natural) for label, natural in EXTRA_MODELS[:1]]
    models += [
        (model._meta.label_lower, model, refers_to_content_types(model))
        for model in apps.get_app_config("reports").get_models()
        # The change stamp and the figures derived under it describe this database's
        # state, not the archive: the restored database computes its own.
        if model not in (ArchiveState, Figures)
    ]
    models += [(label, apps.get_model(label), natural) for label, natural in EXTRA_MODELS[1:]]
    return models


def refers_to_content_types(model):
    """Whether a model's rows name content types (a proposed revision names the kind of
    entry it changes): they travel as natural keys, being numbered per database."""
    return any(field.related_model is ContentType for field in model._meta.concrete_fields)


def _roles():
    """Return {role name: [permission natural keys]} for every auth group."""
    return {
        role.name: sorted(p.natural_key() for p in role.permissions.all())
        for role in Role.objects.prefetch_related("permissions__content_type").order_by("name")
    }


def _line(record):
    """`record` as one line of the file, UTF-8 bytes."""
    text = json.dumps(record, cls=BackupEncoder, ensure_ascii=False, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


def _rows(model, natural, using):
    """Yield `model`'s rows in Django's serialized form, in primary key order, reading
    and serializing CHUNK_SIZE rows at a time."""
    rows = model._default_manager.using(using).order_by("pk").iterator(chunk_size=CHUNK_SIZE)
    while chunk := list(itertools.islice(rows, CHUNK_SIZE)):
        yield from serializers.serialize("python", chunk, use_natural_foreign_keys=natural)


def write_backup(stream, using="default"):
    """Write the backup of database `using` to the binary `stream`; return the counts."""
    digest = hashlib.sha256()

    def put(record):
        line = _line(record)
        digest.update(line)
        stream.write(line)

    put({"format": FORMAT, "version": VERSION, "exported_at": timezone.now().isoformat()})
    counts = {"auth.group": 0}
    for name, permissions in _roles().items():
        put({"model": "auth.group", "name": name, "permissions": permissions})
        counts["auth.group"] += 1
    for label, model, natural in archive_models():
        counts[label] = 0
        for row in _rows(model, natural, using):
            put(row)
            counts[label] += 1
    stream.write(_line({"counts": counts, "sha256": digest.hexdigest()}))
    return counts


@contextlib.contextmanager
def _snapshot(using):
    """One transaction for the whole export, so its tables are read as of one moment while
    editors go on writing: SQLite's WAL gives a read transaction its snapshot; PostgreSQL
    needs REPEATABLE READ for that, set when the export opens the transaction itself."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def export_archive(path, using="default"):
    """Write the backup of database `using` to `path`; return the counts.

    The file is written beside `path` under a temporary name, flushed to disk and read
    back against its checksum, and only then moved over `path` (os.replace, atomic on one
    file system): a backup killed or failing half-way leaves the last good one whole.
    """
    path = Path(path)
    stream = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed, or removed, below)
        "wb", dir=path.parent, prefix=f".{path.name}.", delete=False
    )
    try:
        with stream, _snapshot(using):
            counts = write_backup(stream, using)
            stream.flush()
            os.fsync(stream.fileno())
        check_file(stream.name)  # what a restore would check, before it counts as a backup
        os.replace(stream.name, path)
    except BaseException:
        Path(stream.name).unlink(missing_ok=True)
        raise
    return counts


def _known_labels():
    return {label for label, _model, _natural in archive_models()} | {"auth.group"}


def _open(path):
    try:
        return open(path, "rb")  # noqa: SIM115 (the callers close it)
    except OSError as error:
        raise BackupError(f"{path}: cannot be read ({error.strerror})") from None


def _record(path, number, line):
    """Line `number` of the file, parsed; BackupError if it is not one JSON object."""
    try:
        record = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        raise BackupError(f"{path}: line {number} is not UTF-8 text; the file is damaged") from None
    except json.JSONDecodeError as error:
        raise BackupError(
            f"{path}: line {number} is not valid JSON ({error.msg}, column {error.colno}); "
            "the file is truncated or damaged"
        ) from None
    if not isinstance(record, dict):
        raise BackupError(f"{path}: line {number} is not a JSON object; the file is damaged")
    return record


def _streamed_header(stream):
    """The header of a version 4 file open in `stream`, or None for a legacy file
    (one JSON document), which read_document() reads and checks."""
    first = stream.readline()
    try:
        header = json.loads(first.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(header, dict) or header.get("format") != FORMAT or "payload" in header:
        return None
    return header, first


def _check_header(path, header):
    if header.get("version") != VERSION:
        readable = ", ".join(str(version) for version in READABLE_VERSIONS[:-1])
        raise BackupError(
            f"{path}: backup format version {header.get('version')!r}; "
            f"this archive reads versions {readable} and {READABLE_VERSIONS[-1]}"
        )


def _is_trailer(record):
    return "model" not in record and record.keys() == {"counts", "sha256"}


def check_file(path):
    """Read a version 4 backup through, without parsing its rows; return its trailer.

    Checks the header, that the file ends with its trailer, the SHA-256 of every byte
    before it, and the number of row lines against the counts. Raises BackupError.
    """
    with _open(path) as stream:
        found = _streamed_header(stream)
        if found is None:
            document = read_document(path)  # a legacy file: its own checks, and messages
            return {"counts": document["counts"], "sha256": document["sha256"]}
        header, first = found
        _check_header(path, header)
        digest = hashlib.sha256(first)
        rows, last, number = 0, None, 1
        for number, line in enumerate(stream, start=2):  # noqa: B007 (the last one is read)
            if last is not None:
                digest.update(last)
                rows += 1
            last = line
    trailer = _record(path, number, last) if last is not None else {}
    if not _is_trailer(trailer) or not last.endswith(b"\n"):
        raise BackupError(f"{path}: the file ends before its trailer; it is truncated or damaged")
    if trailer["sha256"] != digest.hexdigest():
        raise BackupError(f"{path}: checksum mismatch; the file was changed after it was exported")
    counts = trailer["counts"]
    if not isinstance(counts, dict) or not all(
        isinstance(count, int) and count >= 0 for count in counts.values()
    ):
        raise BackupError(f"{path}: the trailer's counts must map models to numbers of rows")
    unknown = sorted(counts.keys() - _known_labels())
    if unknown:
        raise BackupError(
            f"{path}: rows for models this archive does not have: {', '.join(unknown)}"
        )
    if sum(counts.values()) != rows:
        raise BackupError(f"{path}: row counts do not match the rows: {rows} lines of rows")
    return trailer


def checksum(document):
    """Return the SHA-256 of a legacy `document` without its "sha256" key, in canonical JSON."""
    body = {key: value for key, value in document.items() if key != "sha256"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_document(path):
    """Return the checked legacy document (versions 1-3) in `path`, read whole; raise
    BackupError for anything amiss."""
    with _open(path) as stream:
        data = stream.read()
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise BackupError(f"{path}: not a backup (not UTF-8 text)") from None
    except json.JSONDecodeError as error:
        raise BackupError(
            f"{path}: not valid JSON at line {error.lineno}, column {error.colno} "
            f"({error.msg}); the file is truncated or damaged"
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(f"{path}: not an archive backup (no format {FORMAT!r})")
    if document.get("version") not in LEGACY_VERSIONS:
        readable = ", ".join(str(version) for version in READABLE_VERSIONS[:-1])
        readable += f" and {READABLE_VERSIONS[-1]}"
        raise BackupError(
            f"{path}: backup format version {document.get('version')!r}; "
            f"this archive reads versions {readable}"
        )
    missing = {"counts", "payload", "sha256"} - document.keys()
    if missing:
        raise BackupError(f"{path}: incomplete backup, missing {', '.join(sorted(missing))}")
    if document["sha256"] != checksum(document):
        raise BackupError(f"{path}: checksum mismatch; the file was changed after it was exported")
    payload, counts = document["payload"], document["counts"]
    if not isinstance(payload, dict) or not isinstance(counts, dict):
        raise BackupError(f"{path}: payload and counts must be objects")
    wrong = sorted(
        label
        for label in payload.keys() | counts.keys()
        if not isinstance(payload.get(label), list) or len(payload[label]) != counts.get(label)
    )
    if wrong:
        raise BackupError(f"{path}: row counts do not match the payload for {', '.join(wrong)}")
    unknown = sorted(payload.keys() - _known_labels())
    if unknown:
        raise BackupError(
            f"{path}: rows for models this archive does not have: {', '.join(unknown)}"
        )
    return document


def upgraded_payload(document):
    """The payload of a checked document, as the current version has it."""
    payload = document["payload"]
    if document["version"] == 1:
        fold_repeated_citations(payload.get("reports.citation", []))
    drop_english_copies(payload)
    return payload


def drop_english_copies(payload):
    """Entry rows as migration 0016 left them: no `<field>_en`, "" for a null `<field>_es`."""
    for model, names in TRANSLATED.items():
        for label in (f"reports.{model}", f"reports.historical{model}"):
            for row in payload.get(label, []):
                fields = row["fields"]
                for name in names:
                    fields.pop(f"{name}_en", None)
                    if fields.get(f"{name}_es", "") is None:
                        fields[f"{name}_es"] = ""


def fold_repeated_citations(rows):
    """Fold each version 1 citation row that repeats an earlier one's passage (same
    subject and report, the same words whitespace aside) into that row, its facts kept:
    version 2 refuses the repeat (citation_unique_passage). Nothing in version 1 points
    at a citation by its key, so the repeat can go."""
    kept = {}
    for row in rows:
        fields = row["fields"]
        key = (fields["report"], fields["incident"], fields["group"], quote_key(fields["quote"]))
        first = kept.setdefault(key, row)
        if first is not row:
            merged = set(first["fields"].get("facts") or []) | set(fields.get("facts") or [])
            first["fields"]["facts"] = sorted(merged)
    rows[:] = kept.values()


def _nonempty_tables(using):
    return [
        label
        for label, model, _natural in archive_models()
        if model._default_manager.using(using).exists()
    ]


def _restore_roles(roles, using):
    for entry in roles:
        role, _created = Role.objects.using(using).get_or_create(name=entry["name"])
        permissions = []
        for codename, app_label, model in entry["permissions"]:
            try:
                permissions.append(
                    Permission.objects.db_manager(using).get_by_natural_key(
                        codename, app_label, model
                    )
                )
            except Permission.DoesNotExist:
                raise BackupError(
                    f"role {entry['name']!r}: permission {app_label}.{codename} does not "
                    "exist here; run `manage.py migrate` first"
                ) from None
        role.permissions.set(permissions)


def import_archive(path, using="default"):
    """Restore the backup in `path` into the empty database `using`; return the counts.

    All or nothing: any problem raises BackupError and leaves the database as it was. A
    version 4 file is checked whole first (check_file), then read a row at a time.
    """
    with _open(path) as stream:
        streamed = _streamed_header(stream) is not None
    if streamed:
        trailer = check_file(path)
        rows, counts = _streamed_rows(path, trailer), trailer["counts"]
    else:
        document = read_document(path)
        rows, counts = _legacy_rows(path, document), None
    nonempty = _nonempty_tables(using)
    if nonempty:
        raise BackupError(
            "the database is not empty (rows in " + ", ".join(nonempty) + "); "
            "restore only into a freshly migrated database with no users"
        )
    try:
        with transaction.atomic(using=using):
            pause_search_index(using)  # a whole archive: its search rows written once, after
            restored = _restore(rows, using)
            rebuild_search_index(using)
            _reset_sequences([model for _label, model, _natural in archive_models()], using)
            connections[using].check_constraints()
            ArchiveState.bump(using=using)  # whatever was cached describes another archive
    except (
        DeserializationError,
        DatabaseError,
        ObjectDoesNotExist,
        ValueError,
        LookupError,
        TypeError,
    ) as error:
        raise BackupError(f"{path}: cannot be restored, nothing was written ({error})") from None
    return counts if counts is not None else restored


def _restore(rows, using):
    """Insert `rows` (serialized rows, roles among them) raw; return the counts by model.

    Rows of one model are inserted CHUNK_SIZE at a time into the empty database. As
    loaddata's raw save would, each row first goes through pre_save with raw=True (a
    version 1 citation gets its quote key there); post_save is not sent: its receivers
    leave raw saves alone (no history rows, no figures computed again), but for the
    archive's stamp, which import_archive bumps once.
    """
    counts, deferred, batch = {}, [], []

    def archive_rows():
        for row in rows:
            label = row["model"]
            counts[label] = counts.get(label, 0) + 1
            if label == "auth.group":
                _restore_roles([row], using)
            else:
                yield row

    def flush():
        if not batch:
            return
        model = type(batch[0].object)
        fields = [field for field in model._meta.local_concrete_fields if not field.generated]
        instances = [obj.object for obj in batch]
        size = max(connections[using].ops.bulk_batch_size(fields, instances), 1)
        for start in range(0, len(instances), size):
            # What a raw save does (Model._do_insert), for many rows: the values as they
            # are, no field's pre_save (bulk_create would stamp auto_now fields anew).
            model._base_manager.using(using)._insert(
                instances[start : start + size], fields=fields, using=using, raw=True
            )
        for obj in batch:
            obj.object._state.adding, obj.object._state.db = False, using
            for accessor, values in obj.m2m_data.items():  # a user's roles and permissions
                getattr(obj.object, accessor).set(values)
            if obj.deferred_fields:  # a row pointing at one further on in the file
                deferred.append(obj)
        batch.clear()

    objects = serializers.deserialize(
        "python", archive_rows(), using=using, handle_forward_references=True
    )
    for obj in objects:
        model = type(obj.object)
        if batch and (type(batch[0].object) is not model or len(batch) >= CHUNK_SIZE):
            flush()
        pre_save.send(sender=model, instance=obj.object, raw=True, using=using, update_fields=None)
        batch.append(obj)
    flush()
    for obj in deferred:
        obj.save_deferred_fields(using=using)
    return counts


def _refuse_unstorable(path, where, row):
    """BackupError naming the row if it holds text PostgreSQL cannot store."""
    found = unstorable_in(row.get("fields", row))
    if found:
        field, what = found
        name = (
            f"{row['model']} {row['pk']}" if "pk" in row else f"{row['model']} {row.get('name')!r}"
        )
        raise BackupError(
            f"{path}: {where}, {name}: {field} holds {what}, which PostgreSQL cannot store; "
            "correct it in the archive it came from and export again. Nothing was written"
        )


def _legacy_rows(path, document):
    """The rows of a checked legacy document, as the current version has them, roles first."""
    payload = upgraded_payload(document)
    for role in payload.get("auth.group", []):
        row = {"model": "auth.group", **role}
        _refuse_unstorable(path, "role", row)
        yield row
    for label, _model, _natural in archive_models():
        for row in payload.get(label, []):
            _refuse_unstorable(path, "payload", row)
            yield row


def _streamed_rows(path, trailer):
    """Yield the rows of a version 4 file check_file has read, parsing and checking each.

    The file is read again, so it is checked again: every row's model, the counts, and
    the checksum, which must still be the one check_file found (not a file changed since).
    """
    known, counts = _known_labels(), {}
    with _open(path) as stream:
        digest = hashlib.sha256(stream.readline())
        for number in range(2, 2 + sum(trailer["counts"].values())):
            line = stream.readline()
            digest.update(line)
            row = _record(path, number, line)
            label = row.get("model")
            if label not in known:
                raise BackupError(
                    f"{path}: line {number}: rows for a model this archive does not have: {label!r}"
                )
            # A JSON string holds a NUL or a surrogate only as an escape.
            if b"\\u" in line:
                _refuse_unstorable(path, f"line {number}", row)
            counts[label] = counts.get(label, 0) + 1
            yield row
    if digest.hexdigest() != trailer["sha256"]:
        raise BackupError(f"{path}: the file changed while it was being restored")
    expected = {label: count for label, count in trailer["counts"].items() if count}
    wrong = sorted(
        label
        for label in counts.keys() | expected.keys()
        if counts.get(label) != expected.get(label)
    )
    if wrong:
        raise BackupError(f"{path}: row counts do not match the rows for {', '.join(wrong)}")


def _reset_sequences(models, using):
    """Move PostgreSQL's id sequences past the restored ids (SQLite needs nothing)."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
