"""The Go types ``fakeconsul.gojson`` decodes into, described by what decoding needs: Go's
name for the type (error texts name it), its kind, and for structs the fields in order."""

from __future__ import annotations


class GoType:
    """A Go type the decoder can fill; ``text`` is Go's ``reflect.Type.String()``."""

    __slots__ = ("kind", "text", "elem")

    def __init__(self, kind: str, text: str, elem: GoType | None = None) -> None:
        # "string", "bool", "int", "duration", "any", "ignored", "slice", "map" or "struct"
        self.kind = kind
        self.text = text
        self.elem = elem

    @property
    def error_text(self) -> str:
        """The type as an UnmarshalTypeError names it.  Go's ``indirect`` has already stepped
        through (and allocated) a pointer before the error is built: ``*T`` is reported as T."""
        return self.text


class GoInt(GoType):
    """A Go integer type (``int``, ``int8`` ... ``uint64``; ``int`` and ``uint`` are 64-bit, as
    on every platform Consul ships for).  A number that strconv.ParseInt/ParseUint refuses or
    that overflows the type is an UnmarshalTypeError naming the literal ("number 1.5")."""

    __slots__ = ("low", "high")

    def __init__(self, text: str) -> None:
        super().__init__("int", text)
        unsigned = text.startswith("u")
        bits = int(text.removeprefix("u").removeprefix("int") or 64)
        self.low = 0 if unsigned else -(1 << (bits - 1))
        self.high = (1 << bits) - 1 if unsigned else (1 << (bits - 1)) - 1


STRING = GoType("string", "string")
BOOL = GoType("bool", "bool")
INT = GoInt("int")
# interface{}: objects become maps, numbers float64 (Go's text for the type has the space).
ANY = GoType("any", "interface {}")
# A time.Duration field of a Consul struct whose UnmarshalJSON (CheckType,
# HealthCheckDefinition) reads it through an interface{} alias: a string goes through
# time.ParseDuration (its error fails the decode), a number is nanoseconds, anything else is
# ignored.  time.Duration itself has no UnmarshalJSON; a bare one would decode as an int64.
DURATION = GoType("duration", "time.Duration")


def ignored(text: str) -> GoType:
    """A field of Go type ``text`` whose value the fake never reads (raft indexes, hashes, times
    a client echoes back in an ACL body): any JSON value is accepted and dropped."""
    return GoType("ignored", text)


def slice_of(elem: GoType) -> GoType:
    """``[]elem``."""
    return GoType("slice", "[]" + elem.text, elem)


def map_of(elem: GoType) -> GoType:
    """``map[string]elem``."""
    return GoType("map", "map[string]" + elem.text, elem)


# Go 1.21+ foldName upper-cases ASCII letters and maps any other rune to the smallest rune of
# its case-fold orbit.  Only two non-ASCII runes fold into ASCII: U+017F (long s) to 'S' and
# U+212A (Kelvin sign) to 'K'; the rest fold to non-ASCII runes, which never match an ASCII
# name, so leaving them as they are is exact.  (str.casefold is not: it maps "ß" to "ss".)
_FOLD = str.maketrans(
    {chr(c): chr(c - 32) for c in range(0x61, 0x7B)} | {"\u017f": "S", "\u212a": "K"}
)


class GoStruct(GoType):
    """The Go struct ``package.name``: exported, untagged fields in declaration order.
    ``pointer=True`` makes it ``*package.name`` (JSON null leaves it nil).  At the top level
    of a decode the pointer flag is moot: Go decodes into ``&v``."""

    __slots__ = ("name", "package", "fields", "pointer", "_exact", "_folded")

    def __init__(
        self, name: str, package: str, fields: list[tuple[str, GoType]], pointer: bool = False
    ) -> None:
        super().__init__("struct", ("*" if pointer else "") + f"{package}.{name}")
        self.name, self.package, self.pointer = name, package, pointer
        self.fields = tuple(fields)
        self._exact: dict[str, tuple[str, GoType]] = {}
        self._folded: dict[str, tuple[str, GoType]] = {}
        for fname, ftype in self.fields:
            if fname in self._exact or not fname.isascii():
                # _FOLD is exact only for ASCII names, which Consul's Go fields all are.
                raise ValueError(f"field {fname!r} of {self.text}: duplicate or not ASCII")
            self._exact[fname] = (fname, ftype)
            # Of two fields with one folded name, Go's byFoldedName keeps the first.
            self._folded.setdefault(fname.translate(_FOLD), (fname, ftype))

    @property
    def error_text(self) -> str:
        return f"{self.package}.{self.name}"

    def lookup(self, key: str) -> tuple[str, GoType] | None:
        """The field a JSON key selects: exact name first, else case-insensitively."""
        return self._exact.get(key) or self._folded.get(key.translate(_FOLD))

    def zero_fields(self) -> dict[str, object]:
        return {fname: zero(ftype) for fname, ftype in self.fields}


_ZEROS: dict[str, object] = {"string": "", "bool": False, "int": 0, "duration": 0}


def zero(typ: GoType) -> object:
    """Go's zero value of ``typ`` as decoding results hold it (nil is None)."""
    if isinstance(typ, GoStruct) and not typ.pointer:
        return typ.zero_fields()
    return _ZEROS.get(typ.kind)
