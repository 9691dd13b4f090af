"""The state file of ``fakeconsul serve --state-file``: durable, cheap per write, never clobbered.

``PATH`` is a base document followed by a journal (``journal.py``). The server saves before it
sends each answer: a request that changed something appends one line holding what it changed
(``changes.py``: the parts, or for peerings the rows, that moved) and fsyncs it; a request
that changed nothing, a read, writes nothing and serialises nothing. So a ``kill -9`` at any
moment loses no acknowledged write, and a write costs what it changed, not the network.

Compaction rewrites the whole document as the new base, with an empty journal, once the
journal has grown past the base (so replaying never costs more than loading twice), at the
first save of a process (which also drops a torn last line), after a save that failed, and at
a clean shutdown. It writes ``PATH.tmp``, fsyncs it, renames it over ``PATH`` and fsyncs the
directory, so at any instant ``PATH`` holds either the old base and journal or the new base.

A file that cannot be read or understood is never overwritten: loading fails with a one-line
reason and the caller stops. ``PATH.lock`` (an flock, released by the kernel even on
``kill -9``) keeps two servers from writing the same file.

The file holds every secret of the network (management and ACL tokens, establishment and
stream secrets), so the file, its tmp and its lock are created 0600 whatever the umask, the tmp
is created anew (O_EXCL|O_NOFOLLOW: a planted link is never followed) beside the file it
replaces, and a state file that is a symbolic link is written through to its target.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import threading
from pathlib import Path
from typing import IO

from .. import messages
from ..golang.gocompat import go_marshal
from ..model.network import Network
from . import journal, snapshot
from .changes import Changes
from .part import SnapshotError

PRIVATE = 0o600  # the file holds secrets: its owner alone reads it


class StateFileError(Exception):
    """The state file cannot be used; ``str(err)`` is a one-line reason naming the file."""


class StateFile:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock_path = self.path.with_name(self.path.name + ".lock")
        self._lock_file: IO[bytes] | None = None
        self._saving = threading.Lock()
        self._changes = Changes()
        self._base_size: int | None = None  # None: the next save writes a whole base
        self._journal_size = 0
        self.torn = False  # the file loaded had a last line that was never acknowledged
        self.appends = 0
        self.compactions = 0

    # --- ownership -------------------------------------------------------------------------

    def acquire(self) -> None:
        """Take the file for this process; fails if another server holds it."""
        try:
            fd = os.open(self._lock_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW,
                         PRIVATE)
            os.fchmod(fd, PRIVATE)
            handle = os.fdopen(fd, "ab")  # held until release()
        except OSError as err:
            raise StateFileError(messages.state_unreadable(str(self.path), _reason(err))) from None
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise StateFileError(messages.state_in_use(str(self.path))) from None
        self._lock_file = handle

    def release(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()  # closing drops the flock
            self._lock_file = None

    # --- loading ---------------------------------------------------------------------------

    def read(self) -> object | None:
        """The document with its journal replayed, or None when there is no state yet (no file,
        or an empty one, such as ``mktemp`` makes)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as err:
            raise StateFileError(messages.state_unreadable(str(self.path), _reason(err))) from None
        if not data.strip():  # mktemp's empty file, or one an editor left with a newline
            return None
        try:
            try:
                text = data.decode()
            except UnicodeDecodeError as err:
                raise SnapshotError(messages.STATE_NOT_JSON.format(err)) from None
            parsed = journal.parse(text)
            document: object = parsed.base
            if parsed.lines:
                root = snapshot.header(parsed.base)
                journal.replay(root, parsed.lines)
        except SnapshotError as err:
            raise StateFileError(messages.state_corrupt(str(self.path), str(err))) from None
        self.torn = parsed.torn
        return document

    def load_into(self, network: Network) -> bool:
        """Fill ``network`` (which has no cluster yet) from the file; False if there was none."""
        document = self.read()
        if document is None:
            return False
        try:
            snapshot.load(network, document)
        except SnapshotError as err:
            raise StateFileError(messages.state_corrupt(str(self.path), str(err))) from None
        return True

    # --- saving ----------------------------------------------------------------------------

    def save(self, network: Network) -> bool:
        """Write what changed since the last save; True if anything was written.

        Serialized: a save that starts after a write finished always includes it (or finds it
        saved by the save it waited for), and saves land in the order they were taken.
        """
        with self._saving:
            if self._base_size is None:
                self._compact(network)
                return True
            with network.lock:
                entry = self._changes.since_last(network)
                line = None if entry is None else _encode(entry)
            if line is None:
                return False
            try:
                self._append(line)
            except OSError as err:
                self._base_size = None  # the journal's tail is unknown now: rewrite it all
                raise StateFileError(
                    messages.state_save_failed(str(self.path), _reason(err))
                ) from None
            self.appends += 1
            self._journal_size += len(line)
            if self._journal_size > self._base_size:
                self._compact(network)
            return True

    def compact(self, network: Network) -> None:
        """Write the whole network as the new base, with an empty journal."""
        with self._saving:
            self._compact(network)

    def _compact(self, network: Network) -> None:
        # Encoded under the lock: the document hands out the model's own lists and dicts.
        with network.lock:
            data = _encode(self._changes.baseline(network))
        try:
            self._write(data)
        except OSError as err:
            self._base_size = None
            raise StateFileError(
                messages.state_save_failed(str(self.path), _reason(err))
            ) from None
        self._base_size, self._journal_size = len(data), 0
        self.compactions += 1

    def _append(self, line: bytes) -> None:
        # No O_CREAT: a file that vanished is a failure to report, not a journal to start.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        try:
            _write_all(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    def _write(self, data: bytes) -> None:
        # A symbolic link stays one: the file it names is replaced, in its own directory (a
        # rename is atomic only within one file system).
        target = Path(os.path.realpath(self.path))
        tmp = target.with_name(target.name + ".tmp")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)  # a crash's leftover, or a planted link: removed, never followed
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, PRIVATE)
        try:
            os.fchmod(fd, PRIVATE)
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself must survive a power cut too
        finally:
            os.close(directory)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _encode(document: object) -> bytes:
    # Compact, on one line: json's C encoder only runs without indent, and a journal entry must
    # be one line. ensure_ascii (the default) keeps every byte ASCII, so a line torn anywhere
    # is still text. allow_nan=False keeps it JSON.
    try:
        return (json.dumps(document, separators=(",", ":"), allow_nan=False) + "\n").encode()
    except RecursionError:  # a deeply nested config entry: Go's encoder walks without recursion
        text = go_marshal(document).decode()
        return (_NON_ASCII.sub(lambda m: json.dumps(m.group())[1:-1], text) + "\n").encode()


def _reason(err: OSError) -> str:
    return err.strerror or str(err)
