"""Real Consul's delays as data, in seconds of model time, one mutable object per network."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass
class Timing:
    """Delays of the simulated cluster.

    The defaults make tests fast: the stream connects and a deleted peering is removed at once.
    Set a delay and advance the clock to see every intermediate state Consul shows.
    """

    # Establish returns while the dialer's stream is still being opened (ESTABLISHING).
    connect_delay: float = 0.0
    # The leader's deferred-deletion routine removes a DELETING peering "soon" in Consul.
    deletion_delay: float = 0.0
    # Consul's outgoing heartbeat interval (both directions).
    heartbeat_interval: float = 15.0
    # Consul kills a stream that received no heartbeat for this long ("heartbeat timeout").
    heartbeat_timeout: float = 120.0
    # The dialer's gRPC keepalive (leader_peering.go establishStream: a ping after 30 s without
    # a read, 10 s to answer) ends its stream over a cut link before the heartbeat timeout.
    keepalive_timeout: float = 40.0
    # How long establish retries the secret exchange with an unreachable acceptor before it
    # answers (rpc/peering/service.go retryExchange: establishmentTimeout, 3 s in Consul,
    # which `fakeconsul serve` uses). 0 tries each of the token's addresses once.
    establish_retry_window: float = 0.0

    def __post_init__(self) -> None:
        for name in _FIELD_NAMES:
            value = getattr(self, name)
            if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
                raise ValueError(f"Timing.{name} must be a number of seconds >= 0, not {value!r}")
        if self.heartbeat_interval <= 0:
            raise ValueError("Timing.heartbeat_interval must be > 0")

    def update(self, **changes: float) -> None:
        """Change several delays at once, validated as in the constructor."""
        candidate = Timing(**{**self.__dict__, **changes})
        self.__dict__.update(candidate.__dict__)


# dataclasses.fields() rebuilds its tuple on each call; every new network checks two Timings.
_FIELD_NAMES = tuple(f.name for f in fields(Timing))


# Timing's fields as the control API and the state file name them, in Consul's PascalCase.
TIMING_FIELDS = {
    "".join(part.title() for part in f.name.split("_")): f.name for f in fields(Timing)
}


def timing_to_api(timing: Timing) -> dict[str, float]:
    values = asdict(timing)
    return {api: values[name] for api, name in TIMING_FIELDS.items()}
