"""Files of the unfiltered exports, built once per archive version.

An export without a filter is the same for every reader until the archive changes, and
it is the largest. The first request for one after a change streams it as any export
is streamed and writes the same bytes to a temporary file, renamed into place once the
export is complete; later requests are sent that file. A file's name holds the
archive's stamp (reports.caching.stamp), so a change to the archive makes a new name;
the files of other stamps are deleted when a new one is in place. It also holds a hash
of what else the content depends on: the site's address (in every URL), the language,
the archive's name, and exports.FORMAT.

A file is kept only if the archive's stamp is the same when the export ends as when it
began: every write to the archive changes it in the writer's transaction, so all the
rows were read at that version.

The one difference from a streamed export: a JSON export's meta says when it was
exported, and for a file that is when the file was built. The file's modification time
is set to that moment, and X-Exported-At and the download's name say the same.
"""

import hashlib
import logging
import os
import tempfile
import time
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, NamedTuple

from django.conf import settings
from django.utils.translation import get_language

from reports.caching import stamp as archive_stamp
from reports.models import ArchiveState
from reports.opendata import exports

logger = logging.getLogger(__name__)

# A temporary file this old belongs to a build that died.
ABANDONED_AFTER = 24 * 3600
# Files of one kind and format kept at one stamp: one per address the site is asked
# under (and language), a few in production; past these, the oldest are removed.
KEPT_VARIANTS = 4


def directory():
    """Where the files are kept, or None when settings.EXPORT_CACHE_DIR is empty."""
    return Path(settings.EXPORT_CACHE_DIR) if settings.EXPORT_CACHE_DIR else None


def current_stamp():
    return archive_stamp(*ArchiveState.current())


def file_name(kind, fmt, stamp, archive_url):
    variant = "\n".join(
        [str(exports.FORMAT), archive_url, get_language() or "", settings.ARCHIVE_NAME]
    )
    digest = hashlib.sha256(variant.encode()).hexdigest()[:16]
    return f"{kind}-{stamp}-{digest}.{fmt}"


class Built(NamedTuple):
    file: BinaryIO  # open; the response closes it
    exported_at: datetime  # when it was built


def find(kind, fmt, stamp, archive_url):
    """The file of this export at archive stamp `stamp`, opened, or None."""
    path = directory() / file_name(kind, fmt, stamp, archive_url)
    try:
        file = path.open("rb")
    except FileNotFoundError:
        return None
    return Built(file, datetime.fromtimestamp(os.fstat(file.fileno()).st_mtime, tz=UTC))


def building(kind, fmt, stamp, archive_url, exported_at, pieces):
    """`pieces` (text) as UTF-8 bytes, kept as the file of this export at `stamp` if they
    are all read and the archive is still at `stamp` then.

    Writing the file never fails the download: without it, the next request streams
    the export again.
    """
    final = directory() / file_name(kind, fmt, stamp, archive_url)
    return _tee(pieces, final, kind, fmt, stamp, exported_at)


def _tee(pieces, final, kind, fmt, stamp, exported_at):
    # Opened on the first read, so a response closed unread leaves no file behind.
    file = start(final)
    complete = False
    try:
        for piece in pieces:
            data = piece.encode()
            if file is not None:
                try:
                    file.write(data)
                except OSError:
                    logger.warning("Cannot write %s", file.name, exc_info=True)
                    discard(file)
                    file = None
            yield data
        complete = True
    finally:
        if file is not None:
            if complete and still_at(stamp):
                keep(file, final, exported_at)
                remove_others(final, kind, fmt, stamp)
            else:
                discard(file)


def start(final):
    """A temporary file beside `final`, or None if none can be written."""
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        return tempfile.NamedTemporaryFile(  # noqa: SIM115 (_tee closes it, whatever happens)
            dir=final.parent, prefix=f".{final.name}.", suffix=".tmp", delete=False
        )
    except OSError:
        logger.warning("Cannot write export files in %s", final.parent, exc_info=True)
        return None


def still_at(stamp):
    try:
        return current_stamp() == stamp
    except Exception:  # the download is complete; a file is only worth keeping if sure
        logger.warning("Cannot read the archive's stamp", exc_info=True)
        return False


def keep(file, final, exported_at):
    try:
        file.close()
        os.chmod(file.name, 0o644)  # public data; a temporary file is made private
        when = exported_at.timestamp()
        os.utime(file.name, (when, when))
        os.replace(file.name, final)
    except OSError:
        logger.warning("Cannot keep %s", final, exc_info=True)
        discard(file)


def discard(file):
    file.close()
    Path(file.name).unlink(missing_ok=True)


def remove_others(kept, kind, fmt, stamp):
    """Delete the files of `kind` at other archive stamps, those of this format at this
    stamp but `kept` past the KEPT_VARIANTS newest, and abandoned temporary files."""
    now = time.time()
    variants, removed = [], []
    for path in kept.parent.iterdir():
        name = path.name
        with suppress(FileNotFoundError):  # another process removed it first
            if name.startswith(f"{kind}-{stamp}-"):
                if name.endswith(f".{fmt}") and path != kept:
                    variants.append((path.stat().st_mtime, path))
            elif name.startswith(f"{kind}-") or (
                name.endswith(".tmp") and now - path.stat().st_mtime > ABANDONED_AFTER
            ):
                removed.append(path)
    removed += [path for _built, path in sorted(variants, reverse=True)[KEPT_VARIANTS - 1 :]]
    for path in removed:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            logger.warning("Cannot remove %s", path, exc_info=True)
