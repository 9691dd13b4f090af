"""``PeerCAPems`` of a peering: the PEM texts, or the peer's CA root to read them from.

When a stream opens, each side replicates its CA roots to the other (Consul's trust-bundle
resource). The fake stores the peer's root itself instead of its text, and reads the PEM the
first time the field is read: a lifecycle that never shows the peer's CA never signs a
certificate for it, which is most of what a new cluster costs (benchmarks/README.md). What a
reader sees is the same either way, because a root's PEM never changes once made.

The field is a data descriptor that dataclasses use as such: the constructor, ``replace``,
equality and repr all go through it, so a record or snapshot reads like one holding the texts.
"""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar, overload


class PemSource(Protocol):
    """A CA root whose PEM may not be made yet (``ca.CARoot``)."""

    @property
    def pem(self) -> str: ...


# What the field holds: the texts (as assigned) or the one root they come from.
Stored = list[str] | tuple[str, ...] | PemSource

Pems = TypeVar("Pems", list[str], tuple[str, ...])


class PeerCAPems(Generic[Pems]):
    """The field itself; ``kind`` is the container readers get (a list on the stored record,
    a tuple on a frozen snapshot)."""

    def __init__(self, kind: type[Pems]) -> None:
        self._kind: type[Pems] = kind
        self._slot = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_{name}"

    @overload
    def __get__(self, obj: None, owner: Any = None) -> tuple[str, ...]: ...

    @overload
    def __get__(self, obj: object, owner: Any = None) -> Pems: ...

    def __get__(self, obj: object | None, owner: Any = None) -> Pems | tuple[str, ...]:
        if obj is None:
            return ()  # the dataclass field's default: no PEMs
        stored: Stored = obj.__dict__.get(self._slot, ())
        if isinstance(stored, self._kind):
            return stored
        pems = self._kind(stored if isinstance(stored, list | tuple) else (stored.pem,))
        obj.__dict__[self._slot] = pems  # a frozen snapshot caches it, as cached_property does
        return pems

    def __set__(self, obj: object, value: Stored) -> None:
        obj.__dict__[self._slot] = value

    def stored(self, obj: object) -> Stored:
        """What ``obj`` holds, without reading a root's PEM (a snapshot takes it over)."""
        value: Stored = obj.__dict__.get(self._slot, ())
        return value
