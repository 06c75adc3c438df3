"""Back up the whole archive to one JSON file, and restore it into an empty database.

The file is {"format", "version", "exported_at", "counts", "sha256", "payload"}:
`payload` maps "app_label.model" to that model's rows (Django's serialized form,
primary keys kept, so history rows and citations still point at the right rows);
`sha256` is the checksum of every other key, in canonical JSON. A restore checks
format, version, checksum and counts before it writes anything, and writes in one
transaction.

Versions: 2 adds the figure claims, group relations, designations and proposed
revisions (with their history) and each citation's quote key; 3 adds readers' error
reports and the original files' bytes (base64, as Django serializes binary fields), which
a file of an earlier version does not have. A version 1 file
still restores: it has none of the new rows, the quote keys are computed as the
citations are saved (reports.signals.key_quote), and a citation that repeats
another's passage is folded into it, as migration 0009 did to the database. A
version 2 file written before migration 0016 has English copies of the entries' text
(title_en, ...) and null for a Spanish text nobody wrote: the copies are dropped and the
nulls read as "", as that migration did to the database.
"""

import datetime
import hashlib
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
from django.utils import timezone

from reports.models import ArchiveState, Figures, quote_key
from reports.translated import TRANSLATED

FORMAT = "political-violence-archive"
VERSION = 3
READABLE_VERSIONS = (1, 2, 3)

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


def checksum(document):
    """Return the SHA-256 of `document` without its own "sha256" key, in canonical JSON."""
    body = {key: value for key, value in document.items() if key != "sha256"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _roles():
    """Return {role name: [permission natural keys]} for every auth group."""
    return {
        role.name: sorted(p.natural_key() for p in role.permissions.all())
        for role in Role.objects.prefetch_related("permissions__content_type").order_by("name")
    }


def build_document(using="default"):
    """Return the backup of database `using` as a JSON-ready dict."""
    payload = {
        "auth.group": [{"name": name, "permissions": perms} for name, perms in _roles().items()]
    }
    for label, model, natural in archive_models():
        rows = model._default_manager.using(using).order_by("pk")
        serialized = serializers.serialize(
            "json", rows, use_natural_foreign_keys=natural, cls=BackupEncoder
        )
        payload[label] = json.loads(serialized)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "counts": {label: len(rows) for label, rows in payload.items()},
        "payload": payload,
    }
    # Round-trip through JSON so the checksum is over exactly what a reader will load.
    document = json.loads(json.dumps(document, cls=BackupEncoder))
    document["sha256"] = checksum(document)
    return document


def export_archive(path, using="default"):
    """Write the backup of database `using` to `path`; return the counts.

    The file is written beside `path` under a temporary name, flushed to disk and read
    back against its checksum, and only then moved over `path` (os.replace, atomic on one
    file system): a backup killed or failing half-way leaves the last good one whole.
    """
    document = build_document(using)
    path = Path(path)
    stream = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed, or removed, below)
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
    )
    try:
        with stream:
            json.dump(document, stream, ensure_ascii=False, indent=1, sort_keys=True)
            stream.write("\n")
            stream.flush()
            os.fsync(stream.fileno())
        read_document(stream.name)  # what a restore would check, before it counts as a backup
        os.replace(stream.name, path)
    except BaseException:
        Path(stream.name).unlink(missing_ok=True)
        raise
    return document["counts"]


def read_document(path):
    """Return the checked document in `path`; raise BackupError for anything amiss."""
    try:
        with open(path, "rb") as stream:
            data = stream.read()
    except OSError as error:
        raise BackupError(f"{path}: cannot be read ({error.strerror})") from None
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
    if document.get("version") not in READABLE_VERSIONS:
        readable = " and ".join(str(version) for version in READABLE_VERSIONS)
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
    known = {label for label, _model, _natural in archive_models()} | {"auth.group"}
    unknown = sorted(payload.keys() - known)
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

    All or nothing: any problem raises BackupError and leaves the database as it was.
    """
    document = read_document(path)
    nonempty = _nonempty_tables(using)
    if nonempty:
        raise BackupError(
            "the database is not empty (rows in " + ", ".join(nonempty) + "); "
            "restore only into a freshly migrated database with no users"
        )
    try:
        payload = upgraded_payload(document)
        with transaction.atomic(using=using):
            _restore_roles(payload.get("auth.group", []), using)
            restored = []
            for label, model, _natural in archive_models():
                rows = payload.get(label, [])
                objects = serializers.deserialize(
                    "python", rows, using=using, handle_forward_references=True
                )
                for obj in objects:
                    # Raw save: no model save() logic and no new history rows; the
                    # rows go back exactly as they were exported.
                    obj.save(using=using)
                restored.append(model)
            _reset_sequences(restored, using)
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
    return {label: len(rows) for label, rows in payload.items()}


def _reset_sequences(models, using):
    """Move PostgreSQL's id sequences past the restored ids (SQLite needs nothing)."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
