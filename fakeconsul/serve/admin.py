"""Whole-network operations that the control API and the dashboard offer, as plain data.

Nothing here is Consul behaviour: it is the fake's own view of its world (every cluster, both
states of every peering, the simulated streams, the pending timers, the clock) and the few
operations a test in another language needs (reset, advance the clock, change the timing).
"""

from __future__ import annotations

import hashlib
import inspect
import json
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from ..golang.gocompat import format_time
from ..model.clock import ManualClock, SystemClock
from ..model.cluster import Cluster
from ..model.network import Network
from ..model.peering import Peering, PeeringRecord
from ..model.stream import Stream
from ..model.timers import Timer
from ..model.timing import timing_to_api


def network_of(cluster: Cluster) -> Network:
    """The network a served cluster belongs to (a cluster sees it only as its host)."""
    network = cluster.network
    assert isinstance(network, Network), network
    return network


def clock_to_api(network: Network) -> dict[str, Any]:
    clock = network.clock
    api: dict[str, Any] = {"Now": format_time(network.now())}
    if isinstance(clock, SystemClock):
        api["Kind"] = "system"
        api["OffsetSeconds"] = clock.offset.total_seconds()
    elif isinstance(clock, ManualClock):
        api["Kind"] = "manual"
    else:
        api["Kind"] = type(clock).__name__
    return api


def advance(network: Network, seconds: float) -> None:
    """Move model time; whatever falls due fires, in order, before this returns."""
    network.clock.advance(timedelta(seconds=seconds))
    network.catch_up()


def set_timing(network: Network, changes: dict[str, float]) -> None:
    """Change Timing fields given by their Python names (validated by Timing itself)."""
    with network.lock:
        network.timing.update(**changes)
    network.note_change()  # the Timing object cannot tell the network itself


def reset(network: Network) -> None:
    """Back to an empty network as it started: no peerings, timers, streams or faults; every
    cluster up; the startup timing; a system clock without offset.

    Clusters keep their identity and CA, and indexes keep growing, as a blocking client expects.
    """
    with network.lock:
        network.reset()
        network.timing.update(**asdict(network.initial_timing))
        if isinstance(network.clock, SystemClock):
            network.clock.reset()


# --- the state overview ----------------------------------------------------------------------


def network_state(network: Network) -> dict[str, Any]:
    """Everything the fake holds, for ``GET /_fakeconsul/state`` and the dashboard.

    Linear in peerings and timers. Under the network's lock it only copies: each peering's
    frozen snapshot (``shown``) and the few values around it; the JSON objects are built and
    the version digested after the lock is let go, so writes wait for the copy, not the render.
    """
    with network.lock:
        network.catch_up()
        streams = network.streams()
        # Which stream owns each timer, found once: asking every stream for every timer was
        # quadratic (7.9 s for the dashboard's state at 4,000 pairs).
        owners = {id(timer): stream for stream in streams for timer in stream.timers}
        clock = clock_to_api(network)
        timing = timing_to_api(network.timing)
        disconnected = [list(pair) for pair in network.disconnected_pairs()]
        copies = [_copy_cluster(network, c) for c in network.clusters]
        timers = [_timer(t, owners) for t in network.pending_timers()]
    state = {
        "Clock": clock,
        "Timing": timing,
        "Disconnected": disconnected,
        "Clusters": [_render_cluster(fields, peerings) for fields, peerings in copies],
        "Timers": timers,
    }
    state["Version"] = version_of(state)
    return state


def version_of(state: dict[str, Any]) -> str:
    """A short digest that changes whenever the state does; the wall clock's own ticking does
    not count (a system clock's ``Now`` is left out, its offset is not)."""
    stable = dict(state)
    stable.pop("Version", None)
    clock = dict(stable["Clock"])
    if clock.get("Kind") == "system":
        clock.pop("Now", None)
    stable["Clock"] = clock
    # Keys come in a fixed order (clusters as added, peerings by name, timers by due time), so
    # sorting them, which costs as much as the encoding, would add nothing.
    text = json.dumps(stable, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


_Copy = tuple[dict[str, Any], list[tuple[Peering, dict[str, Any]]]]


def _copy_cluster(network: Network, cluster: Cluster) -> _Copy:
    """What the overview shows of a cluster, copied under the lock: immutable snapshots and
    plain values, rendered later without it."""
    peerings = []
    for record in cluster.store.peerings():
        # What a read would show, without a read's checks, so that a stopped cluster or one
        # without peering still shows what it stores; unchanged peerings cost a lookup.
        peering = cluster.shown(record)
        stream = network.stream_for(cluster, record.id)
        peerings.append((peering, {
            "StoredState": record.state.value,
            "Role": "dialer" if record.is_dialer else "acceptor",
            "PeerCluster": _peer_cluster(network, cluster, record, stream),
            "Stream": None if stream is None else _stream(stream),
        }))
    fields = {
        "Name": cluster.name,
        "ID": cluster.id,
        "Up": cluster.is_up,
        "Address": cluster.served_address,
        "SyntheticAddress": cluster.synthetic_address,
        "PeeringEnabled": cluster.peering_enabled,
        "Index": cluster.store.index,
        "PeeringTableIndex": cluster.store.peering_table_index,
    }
    return fields, peerings


def _render_cluster(fields: dict[str, Any], peerings: list[tuple[Peering, dict[str, Any]]]
                    ) -> dict[str, Any]:
    rendered = []
    for peering, extra in peerings:
        api = peering.to_api()
        api.update(extra)
        rendered.append(api)
    return {**fields, "Peerings": rendered}


def _peer_cluster(
    network: Network, cluster: Cluster, record: PeeringRecord, stream: Stream | None
) -> str | None:
    """Which cluster of this network is at the other end, when the fake can tell."""
    if stream is not None:
        other = stream.acceptor if stream.dialer is cluster else stream.dialer
        if other is not None:
            return other.name
    for address in record.manual_server_addresses + record.peer_server_addresses:
        target = network.resolve(address)
        if target is not None:
            return target.name
    if record.remote.datacenter in network:
        return record.remote.datacenter
    return None


def _stream(stream: Stream) -> dict[str, Any]:
    return {
        "Dialer": stream.dialer.name,
        "Acceptor": stream.acceptor.name if stream.acceptor is not None else None,
        "Connected": stream.connected,
        "LinkLost": stream.link_lost,
        "Failures": stream.failures,
        "LastError": stream.last_error,
    }


def _timer(timer: Timer, owners: dict[int, Stream]) -> dict[str, Any]:
    api: dict[str, Any] = {"Due": format_time(timer.due)}
    api.update(describe_timer(timer, owners))
    return api


def describe_timer(timer: Timer, owners: dict[int, Stream]) -> dict[str, Any]:
    """What a timer will do, told from its action; ``owners`` maps ``id(timer)`` to the stream
    that scheduled it.

    Timers carry no label of their own, so this is the one place that knows how the model's
    timers are made (stream dial, heartbeat and heartbeat timeout; deferred deletion); any
    other timer is named after the function that made it.
    """
    action = timer.action
    qualname = getattr(action, "__qualname__", type(action).__name__)
    stream = owners.get(id(timer))
    if stream is not None:
        kind = {"_dial": "dial", "_heartbeat": "heartbeat"}.get(
            getattr(action, "__name__", ""),
            "heartbeat timeout" if "lose_link" in qualname else qualname,
        )
        record = stream.dialer.store.peering_by_id(stream.dialer_peering_id)
        return {
            "Kind": kind,
            "Cluster": stream.dialer.name,
            "Peering": record.name if record is not None else stream.dialer_peering_id,
        }
    # Other timers (deferred deletion, other stores' clean-ups) are closures: name them after
    # the function that made them and find the cluster and peering they captured.
    maker = qualname.split(".<locals>")[0].rsplit(".", 1)[-1]
    kind = "remove deleted peering" if maker == "_remover" else maker.strip("_").replace("_", " ")
    cluster: Cluster | None = None
    peering: str | None = None
    try:
        captured = inspect.getclosurevars(action)
        values = list(captured.nonlocals.values())
    except TypeError:  # not a Python function (a builtin or a callable object)
        values = []
    for value in values:
        if isinstance(value, Cluster) and cluster is None:
            cluster = value
        elif isinstance(value, PeeringRecord) and peering is None:
            peering = value.name
    for value in values:
        if cluster is not None and peering is None and isinstance(value, str):
            record = cluster.store.peering_by_id(value)
            peering = record.name if record is not None else None
    return {"Kind": kind, "Cluster": cluster.name if cluster else None, "Peering": peering}
