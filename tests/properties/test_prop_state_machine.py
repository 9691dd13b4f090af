"""Random peering histories over 2-3 fake clusters, checked against a reference model.

Hypothesis drives generate, establish (with fresh, used, superseded, same-cluster and foreign
tokens), delete on either side, clock advances and link cuts. After every step each answer must
be the one ``peering_model`` predicts, every peering must show a state the model allows, and the
invariants below must hold. The cluster operations are called directly (the HTTP layer only
translates them; it has its own property tests).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import schema_check
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)
from peering_model import ACTIVE, FAILING, SHOWN_STATES, Model, Record, Token
from sizes import scaled

from fakeconsul import Cluster, ConsulError, ManualClock, Network, Timing

START = datetime(2030, 1, 1, tzinfo=UTC)
NAMES = ("p0", "p1", "p2")
STORED_STATES = {"PENDING", "ESTABLISHING", "DELETING", "TERMINATED"}
CLUSTER = st.integers(0, 2)
# Steps around the 15 s heartbeat and 120 s heartbeat timeout, and the 2-64 s redial backoff.
SECONDS = st.sampled_from([1, 2, 3, 5, 15, 30, 64, 106, 121])


def foreign_tokens() -> list[Token]:
    """Tokens of another network: its dc1 shares our dc1's synthetic address (the exchange
    reaches our dc1, which knows no such peering), its dc4 is nowhere in our network."""
    other = Network()
    made = [other.add_cluster(f"dc{n}") for n in range(1, 5)]
    tokens = []
    for cluster in (made[0], made[3]):
        text = cluster.generate_token("far")
        peering = cluster.read("far")
        assert peering is not None
        tokens.append(Token("", cluster.synthetic_address, peering.id, text))
    return tokens


class PeeringMachine(RuleBasedStateMachine):
    tokens = Bundle("tokens")

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(START)
        self.net = Network(clock=self.clock)
        self.model = Model([], 0, 0, START)
        self.seen_index: dict[str, int] = {}
        # peering ID -> shown state, create index, modify index, the connection it shows
        self.seen: dict[str, tuple[str, int, int, object]] = {}
        self.operation = False  # whether the last step was an operation (not time or links)
        self.minted: list[Token] = []
        self.valid: set[str] = set()

    @initialize(target=tokens, count=st.integers(2, 3), connect=st.sampled_from([0.0, 2.0]),
                deletion=st.sampled_from([0.0, 3.0]))
    def start(self, count: int, connect: float, deletion: float) -> object:
        self.net = Network(clock=self.clock, timing=Timing(connect_delay=connect,
                                                           deletion_delay=deletion))
        names = [f"dc{n}" for n in range(1, count + 1)]
        for name in names:
            self.net.add_cluster(name)
        self.model = Model(names, connect, deletion, self.clock.now())
        self.model.addresses = {c.synthetic_address: c.name for c in self.net}
        return multiple(*foreign_tokens())

    def cluster(self, number: int) -> Cluster:
        clusters = self.net.clusters
        return clusters[number % len(clusters)]

    def settle(self, operation: bool) -> None:
        self.model.run_until(self.clock.now())
        self.operation = operation

    # --- operations ----------------------------------------------------------------------------

    @rule(target=tokens, number=CLUSTER, name=st.sampled_from(NAMES))
    def generate(self, number: int, name: str) -> object:
        cluster = self.cluster(number)
        text, error = None, None
        try:
            text = cluster.generate_token(name)
        except ConsulError as err:
            error = (err.status, err.message)
        peering = cluster.read(name)
        expected = self.model.generate(cluster.name, name, peering.id if peering else "")
        self.settle(operation=True)
        assert error == expected
        if text is None:
            return multiple()
        assert peering is not None
        token = Token(cluster.name, cluster.synthetic_address, peering.id, text)
        self.model.minted(cluster.name, name, token)
        self.minted.append(token)
        return token

    @rule(number=CLUSTER, name=st.sampled_from(NAMES), token=tokens)
    def establish(self, number: int, name: str, token: Token) -> None:
        cluster = self.cluster(number)
        error = None
        try:
            cluster.establish(name, token.text)
        except ConsulError as err:
            error = (err.status, err.message)
        peering = cluster.read(name)
        expected = self.model.establish(cluster.name, name, token, cluster.server_name,
                                        peering.id if peering else "")
        self.settle(operation=True)
        assert error == expected

    @rule(data=st.data(), number=CLUSTER, name=st.sampled_from(NAMES))
    def establish_fresh(self, data: st.DataObject, number: int, name: str) -> None:
        """Establish with a token that still exchanges, from another cluster: the path to
        ACTIVE, which random tokens rarely take."""
        fresh = [r.token for rs in self.model.records.values() for r in rs.values()
                 if r.token is not None and r.token.cluster != self.cluster(number).name]
        if fresh:
            self.establish(number, name, data.draw(st.sampled_from(fresh)))

    @rule(data=st.data(), number=CLUSTER, name=st.sampled_from(NAMES))
    def establish_stale(self, data: st.DataObject, number: int, name: str) -> None:
        """Establish with a used or superseded token from another cluster."""
        current = {id(r.token) for rs in self.model.records.values() for r in rs.values()}
        stale = [t for t in self.minted
                 if id(t) not in current and t.cluster != self.cluster(number).name]
        if stale:
            self.establish(number, name, data.draw(st.sampled_from(stale)))

    @rule(acceptor=CLUSTER, dialer=CLUSTER, accepted=st.sampled_from(NAMES),
          dialed=st.sampled_from(NAMES))
    def peer(self, acceptor: int, dialer: int, accepted: str, dialed: str) -> None:
        """generate on one cluster, establish on another with that token."""
        if self.cluster(acceptor) is self.cluster(dialer):
            return
        token = self.generate(acceptor, accepted)
        if isinstance(token, Token):
            self.establish(dialer, dialed, token)

    @rule(number=CLUSTER, name=st.sampled_from(NAMES))
    def delete(self, number: int, name: str) -> None:
        cluster = self.cluster(number)
        cluster.delete(name)  # never an error: missing and DELETING peerings are fine
        self.model.delete(cluster.name, name)
        self.settle(operation=True)

    # --- time and links ------------------------------------------------------------------------

    @rule(seconds=SECONDS)
    def advance(self, seconds: int) -> None:
        self.clock.advance(seconds)
        self.settle(operation=False)

    @rule(first=CLUSTER, second=CLUSTER)
    def disconnect(self, first: int, second: int) -> None:
        a, b = self.cluster(first), self.cluster(second)
        if a is b:
            return
        self.net.disconnect(a, b)
        self.model.disconnect(a.name, b.name)
        self.settle(operation=False)

    @rule(first=CLUSTER, second=CLUSTER)
    def reconnect(self, first: int, second: int) -> None:
        a, b = self.cluster(first), self.cluster(second)
        if a is b:
            return
        self.net.reconnect(a, b)
        self.model.reconnect(a.name, b.name)
        self.settle(operation=False)

    @rule(first=CLUSTER, second=CLUSTER, seconds=st.sampled_from([30, 121, 300]))
    def outage(self, first: int, second: int, seconds: int) -> None:
        """A link goes down for a while and comes back."""
        self.disconnect(first, second)
        self.advance(seconds)
        self.reconnect(first, second)

    # --- checks --------------------------------------------------------------------------------

    @invariant()
    def peerings_are_the_models(self) -> None:
        for cluster in self.net:
            expected = self.model.records[cluster.name]
            listed = cluster.list()
            assert {p.name for p in listed} == set(expected), cluster.name
            for peering in listed:
                record = expected[peering.name]
                where = f"{cluster.name}/{peering.name}"
                assert (peering.id, peering.is_dialer) == (record.id, record.dialer), where
                assert self.model.learn_stored(record, peering.stored_state.value), (
                    f"{where} stored {peering.stored_state}, model {record.stored}")
                assert peering.state.value in record.shown(), (
                    f"{where} shows {peering.state}, model allows {sorted(record.shown())}")

    @invariant()
    def states_are_consuls(self) -> None:
        for cluster in self.net:
            for peering in cluster.list():
                assert peering.state.value in SHOWN_STATES
                assert peering.stored_state.value in STORED_STATES  # ACTIVE/FAILING: shown only
                answer = peering.to_api()
                key = json.dumps(answer)
                if key not in self.valid:  # an answer already checked is not checked again
                    problem = schema_check.misfit("peering", answer)
                    assert problem is None, problem
                    self.valid.add(key)

    @invariant()
    def active_dialers_have_active_acceptors(self) -> None:
        for cluster in self.net:
            for peering in cluster.list():
                if not peering.is_dialer or peering.state.value != ACTIVE:
                    continue
                stream = self.net.stream_for(cluster, peering.id)
                assert stream is not None and stream.connected and stream.acceptor is not None
                other = self.net[stream.acceptor.name]
                if self.net.is_disconnected(cluster, other):
                    continue  # a cut link: the dialer cannot know yet
                acceptor = other.store.peering_by_id(stream.acceptor_peering_id)
                assert acceptor is not None, f"{cluster.name}/{peering.name}: acceptor gone"
                shown = other.read(acceptor.name)
                assert shown is not None and shown.state.value == ACTIVE

    @invariant()
    def indexes_never_go_back(self) -> None:
        for cluster in self.net:
            _, table_index = cluster.list_with_index()
            for key, value in ((cluster.name, cluster.index), (cluster.name + "#", table_index)):
                assert value >= self.seen_index.get(key, 0), key
                self.seen_index[key] = value

    @invariant()
    def overlays_never_move_modify_index(self) -> None:
        """ACTIVE and FAILING are read from the stream, never stored: a stream failing, or
        heartbeats flowing, writes nothing (only operations and (re)connections do)."""
        for cluster in self.net:
            records = self.model.records[cluster.name]
            for peering in cluster.list():
                now = (peering.state.value, peering.create_index, peering.modify_index,
                       self.connection(records[peering.name]))
                before = self.seen.get(peering.id)
                self.seen[peering.id] = now
                assert now[1] <= now[2], peering.name
                if before is None:
                    continue
                assert now[1] == before[1] and now[2] >= before[2], peering.name
                if self.operation:
                    continue
                if before[0] == ACTIVE and now[0] == FAILING:
                    assert now[2] == before[2], f"{peering.name}: FAILING was stored"
                if before[0] == now[0] == ACTIVE and now[3] is not None and now[3] == before[3]:
                    assert now[2] == before[2], f"{peering.name}: a heartbeat was stored"

    @staticmethod
    def connection(record: Record) -> object:
        """Which connection of which stream the model says this peering shows, or None."""
        link = record.link if record.dialer else record.registered
        if link is None or link.unknown or not link.connected:
            return None
        return (id(link), link.connected_at)


PeeringMachine.TestCase.settings = settings(
    max_examples=scaled(50),
    stateful_step_count=40,
    suppress_health_check=[HealthCheck.too_slow],
)
TestPeeringMachine = PeeringMachine.TestCase
