"""The state file of ``fakeconsul serve --state-file``: durable, atomic, never clobbered.

Each save writes the whole document to ``PATH.tmp``, fsyncs it, renames it over ``PATH`` and
fsyncs the directory, so at any instant ``PATH`` holds either the previous state or the new
one, whole. The server saves before it sends the answer to a request that changed anything,
so a ``kill -9`` at any moment loses no acknowledged write.

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
import threading
from pathlib import Path
from typing import IO

from .. import messages
from ..golang.gocompat import go_marshal
from ..golang.gojson import decode_any
from ..model.network import Network
from . import snapshot
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
        self._last: bytes | None = None
        self.saves = 0

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
        """The parsed document, or None when there is no state yet (no file, or an empty one,
        such as ``mktemp`` makes)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as err:
            raise StateFileError(messages.state_unreadable(str(self.path), _reason(err))) from None
        if not data.strip():  # mktemp's empty file, or one an editor left with a newline
            return None
        try:
            document: object = json.loads(data)
        except RecursionError:
            # A config entry nested deeper than the C parser recurses (Go accepts 10,000
            # levels): the Go decoder keeps a stack of its own.
            document = decode_any(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise StateFileError(messages.state_corrupt(
                str(self.path), messages.STATE_NOT_JSON.format(err)
            )) from None
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
        """Write the network's state if it changed since the last save; True if written.

        Serialized: a save that starts after a write finished always includes it, and saves
        land in the order they were taken.
        """
        with self._saving:
            with network.lock:
                data = _encode(snapshot.dump(network))
            if data == self._last:
                return False
            try:
                self._write(data)
            except OSError as err:
                raise StateFileError(
                    messages.state_save_failed(str(self.path), _reason(err))
                ) from None
            self._last = data
            self.saves += 1
            return True

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
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself must survive a power cut too
        finally:
            os.close(directory)


def _encode(document: object) -> bytes:
    # Compact: json's C encoder only runs without indent, and the whole state is encoded after
    # every request (10x faster at 200 peerings). ``python -m json.tool`` makes it readable;
    # allow_nan=False keeps it JSON.
    try:
        return (json.dumps(document, separators=(",", ":"), allow_nan=False) + "\n").encode()
    except RecursionError:  # a deeply nested config entry: Go's encoder walks without recursion
        return go_marshal(document) + b"\n"


def _reason(err: OSError) -> str:
    return err.strerror or str(err)
