"""Answers to reads, reused while nothing they show can have changed.

A client that polls (a reconciler, the Go client's ``Peerings().Read`` in a loop) sends the same
request again and again, and gets the same bytes until something changes. Every change that can
move any answer moves the network's ``generation`` (stored writes, fired timers, the clock, link
faults, the stream updates between processes: ``Network.note_change``), so the server keeps the
answer to a read whose endpoint is ``reusable`` with the generation it was made at, and answers
the same request (method, target, version and every header: ``watchers.key_of``, the key blocked
queries are grouped by) with the same bytes while the generation stays, with a fresh ``Date``.
Running the app again would cost the request, routing, query parsing, rendering and Go's
encoding for bytes known already: on a keep-alive ``GET`` that was three quarters of the
server's time (benchmarks/README.md, issue 13).

Only answers made on the loop thread with the network's lock held are kept: there the generation
read after the app ran is the one its answer shows. Nothing here reads the request beyond its
head, so a request with a body, an injected answer or an ``answer_hook`` is never answered here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from . import goresponse
from .watchers import Answer, Key

MAX_ANSWERS = 256
# Kept answers are dropped together once their bytes pass this (a 10,000-peering list is 11 MB).
MAX_KEPT_BYTES = 32 << 20
_DATE = b"\r\nDate: "
_DATE_LENGTH = len("Mon, 02 Jan 2006 15:04:05 GMT")


@dataclass
class Kept:
    generation: int
    answer: Answer
    date: str  # the Date its data carries
    date_at: int  # where that value starts in the data; -1: the answer has none of the server's


class Answers:
    """The kept answers to ``cluster``'s reads (loop thread only). A server makes a new one
    for each cluster it serves, so no answer of one cluster is ever found for another."""

    def __init__(self, cluster: object) -> None:
        self.cluster = cluster
        self._kept: dict[Key, Kept] = {}
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._kept)

    def find(self, key: Key) -> Kept | None:
        return self._kept.get(key)

    def keep(self, key: Key, generation: int, answer: Answer) -> None:
        size = len(answer.data)
        if size > MAX_KEPT_BYTES:
            return
        old = self._kept.pop(key, None)
        if old is not None:
            self._bytes -= len(old.answer.data)
        if len(self._kept) >= MAX_ANSWERS or self._bytes + size > MAX_KEPT_BYTES:
            self.clear()
        date = goresponse.http_date()
        head_end = answer.data.find(b"\r\n\r\n")
        at = answer.data.find(_DATE + date.encode("latin-1"), 0, head_end)
        self._kept[key] = Kept(generation, answer, date, at + len(_DATE) if at >= 0 else -1)
        self._bytes += size

    def current(self, kept: Kept, generation: int) -> Answer | None:
        """``kept``'s answer with today's Date, or None once the network has moved on."""
        if kept.generation != generation:
            return None
        if kept.date_at >= 0:
            date = goresponse.http_date()
            if date != kept.date:
                data, at = kept.answer.data, kept.date_at
                kept.answer = replace(kept.answer, data=b"".join(
                    (data[:at], date.encode("latin-1"), data[at + _DATE_LENGTH:])
                ))
                kept.date = date
        return kept.answer

    def clear(self) -> None:
        self._kept.clear()
        self._bytes = 0
