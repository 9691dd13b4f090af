"""The event loop that owns a server's sockets: accept, read, frame, write, time out.

One thread per served port runs a ``selectors`` loop. h11 frames each request (request line,
headers, Content-Length or chunked body, pipelining); a complete request goes to the ``Handler``
(``server.py``), which answers with ``respond`` on the loop thread, at once or later: it runs
here only what cannot wait, since every connection waits while it runs. What Go's ``net/http``
server does around that, and this loop copies (server.go):

* keep-alive: a connection serves requests one after another until the client asks to close or
  an answer says so; pipelined requests wait in h11's buffer until the previous answer is out;
* a request that cannot be read gets Go's answer (``goresponse.bad_request``: 400, 431 for a head
  over ``MaxHeaderBytes`` (1 MiB + 4 KiB, Consul sets none), 501 for a transfer coding other than
  chunked, 505 for a version other than 1.x, 417 for an ``Expect`` other than 100-continue) and
  the connection closes; a client that hangs up mid-request gets nothing (``isCommonNetReadError``);
* ``Expect: 100-continue`` is answered with ``100 Continue`` as soon as the head is read (Go sends
  it when the handler first reads the body; Consul's handlers read it first thing);
* Consul's per-client limit (``http_max_conns_per_client``, go-connlimit's 429 written on accept).

What Consul leaves unbounded and a fake in a test process cannot: a connection idle for
``idle_timeout`` is closed (Go's client drops idle ones after 90 s itself, and retries a request
on a connection the server closed while idle); a request not complete ``read_timeout`` after its
first byte gets Go's 400 and is closed instead of holding anything forever. When the process runs
out of file descriptors, the connection idle longest is closed to accept the new one, so idle
clients never lock out a working one.
"""

from __future__ import annotations

import errno
import functools
import heapq
import itertools
import logging
import selectors
import socket
import threading
from collections import deque
from collections.abc import Callable
from typing import Protocol

import h11

from ..http.blocking import real_seconds
from . import goresponse

log = logging.getLogger("fakeconsul.serve")

MAX_HEADER_BYTES = (1 << 20) + 4096  # Go's DefaultMaxHeaderBytes plus the slack it allows
RECV_SIZE = 65536
HEAD_SLICE = 4096
ACCEPT_BATCH = 64
ERROR_LINGER = 1.0  # after an error answer, how long the client may take to read it and hang up
ACCEPT_PAUSE = 0.05  # out of file descriptors with nothing idle to close: retry accepting then
# Each request arms a read timeout and an idle timeout and cancels both: cancelled timers stay in
# the heap until due (30 s, 90 s), 80,000 of them after 40,000 keep-alive requests. Once more
# than half the heap is cancelled (and at least this many), it is rebuilt without them, as
# asyncio does.
PURGE_CANCELLED_MIN = 256


def now() -> float:
    # Real time that freezegun does not stop (a frozen monotonic clock froze every timeout).
    return real_seconds()


class Timer:
    """A callback due at ``when`` on the loop thread; ``cancel`` it there too."""

    __slots__ = ("when", "callback", "cancelled", "_on_cancel")

    def __init__(self, when: float, callback: Callable[[], None],
                 on_cancel: Callable[[], None]) -> None:
        self.when, self.callback, self.cancelled = when, callback, False
        self._on_cancel = on_cancel

    def cancel(self) -> None:
        if not self.cancelled:
            self.cancelled = True
            self._on_cancel()


class Connection:
    """One client socket and the request on it (loop thread only)."""

    def __init__(self, sock: socket.socket, client: tuple[str, int], epoch: int) -> None:
        self.sock = sock
        self.client = client
        self.epoch = epoch  # the loop's epoch when accepted (see EventLoop.new_epoch)
        self.parser = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEADER_BYTES)
        self.out = bytearray()
        self.open = True
        self.busy = False  # a complete request is with the handler (running or parked)
        self.partial = False  # bytes of the next request have arrived
        self.close_after = False
        self.lingering = False  # error answer sent: wait for the client to hang up
        self.request: h11.Request | None = None
        self.body = bytearray()
        # The connection's one deadline (idle, read or linger) and what happens at it. The heap
        # holds at most one timer per connection, due at or before the deadline: moving the
        # deadline later (each keep-alive request does) pushes nothing, and the timer, when due,
        # re-schedules itself at the deadline it finds (see EventLoop._arm).
        self.deadline: float | None = None
        self.deadline_action: Callable[[Connection], None] | None = None
        self.timer: Timer | None = None
        self.writing = False
        self.on_close: Callable[[], None] | None = None  # set by whoever holds the request
        self.dispatch: Callable[[int], None] = lambda mask: None  # the loop's event callback


class Handler(Protocol):
    def on_request(self, conn: Connection, request: h11.Request, body: bytes) -> None:
        """A complete request (loop thread); answer with ``EventLoop.respond``, at once or
        later."""


def _header_tokens(request: h11.Request, name: bytes) -> set[bytes]:
    tokens: set[bytes] = set()
    for key, value in request.headers:
        if key == name:
            tokens.update(t.strip().lower() for t in value.split(b","))
    return tokens


def request_facts(request: h11.Request) -> goresponse.RequestFacts:
    connection = tuple(value for name, value in request.headers if name == b"connection")
    return _facts(request.http_version, request.method == b"HEAD", connection)


# Requests come in a few shapes (HTTP/1.1, no Connection header, mostly): each shape's facts are
# worked out once instead of for every request and every re-run of a blocked one.
@functools.lru_cache(maxsize=256)
def _facts(version: bytes, head: bool, connection_values: tuple[bytes, ...]
           ) -> goresponse.RequestFacts:
    connection = {t.strip().lower() for value in connection_values for t in value.split(b",")}
    http11 = version == b"1.1"
    keep_alive_10 = not http11 and b"keep-alive" in connection
    return goresponse.RequestFacts(
        http11=http11,
        head=head,
        wants_close=b"close" in connection or not http11,
        wants_10_keep_alive=keep_alive_10 and b"close" not in connection,
    )


def _protocol_error_answer(err: h11.RemoteProtocolError) -> bytes:
    """Go's answer for what h11 refused (server.go c.serve, transfer.go, request.go)."""
    text = str(err)
    if err.error_status_hint == 431 or "too long" in text.lower():
        return goresponse.HEADER_TOO_LARGE
    if "Host" in text and "Missing" in text:
        return goresponse.bad_request("missing required Host header")
    if "multiple Host" in text:
        return goresponse.bad_request("too many Host headers")
    if "Transfer-Encoding" in text:
        return goresponse.UNSUPPORTED_TRANSFER_ENCODING
    return goresponse.bad_request()


class EventLoop:
    def __init__(
        self,
        listener: socket.socket,
        handler: Handler,
        *,
        idle_timeout: float,
        read_timeout: float,
        max_conns_per_client: int,
        errors: list[BaseException],
    ) -> None:
        self.listener = listener
        self.handler = handler
        self.idle_timeout = idle_timeout
        self.read_timeout = read_timeout
        self.max_conns_per_client = max_conns_per_client
        self.errors = errors
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._woken = False
        self._calls: deque[Callable[[], None]] = deque()
        self._timers: list[tuple[float, int, Timer]] = []
        self._cancelled_timers = 0  # of those in _timers
        self._sequence = itertools.count()
        self._connections: set[Connection] = set()
        self._idle: dict[Connection, None] = {}  # idle keep-alive connections, longest first
        self._per_client: dict[str, int] = {}
        self._stopping = False
        self._draining = False
        self._listener_closed = threading.Event()
        self._epoch = 0
        self.thread = threading.Thread(target=self._run, name="fakeconsul-serve", daemon=True)

    # --- any thread ----------------------------------------------------------------------------

    def call_soon(self, callback: Callable[[], None]) -> None:
        self._calls.append(callback)
        if not self._woken:
            self._woken = True
            try:
                self._wake_w.send(b"\0")
            except OSError:  # full (the loop is far behind) or closed (stopped): nothing to do
                pass

    def start(self) -> None:
        self.listener.setblocking(False)
        self._selector.register(self.listener, selectors.EVENT_READ, self._accept)
        self._selector.register(self._wake_r, selectors.EVENT_READ, self._drain_wake)
        self.thread.start()

    def stop(self, *, graceful: bool = False) -> None:
        """Stop accepting at once (a connect after this returns is refused). ``graceful``
        (a request taking its own cluster down): answers still being made are written first,
        then the loop ends; otherwise every connection closes now and the thread is joined."""
        self.call_soon(lambda: self._shutdown(graceful))
        if self.thread is threading.current_thread() or not self.thread.is_alive():
            return
        self._listener_closed.wait(5)
        if not graceful:
            self.thread.join(5)

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    @property
    def timers_held(self) -> int:
        """Timers in the heap, cancelled ones not yet purged included (a snapshot)."""
        return len(self._timers)

    # --- loop thread ---------------------------------------------------------------------------

    def call_at(self, when: float, callback: Callable[[], None]) -> Timer:
        timer = Timer(when, callback, self._timer_cancelled)
        heapq.heappush(self._timers, (when, next(self._sequence), timer))
        return timer

    def _timer_cancelled(self) -> None:
        self._cancelled_timers += 1
        if (self._cancelled_timers >= PURGE_CANCELLED_MIN
                and self._cancelled_timers * 2 > len(self._timers)):
            self._timers = [entry for entry in self._timers if not entry[2].cancelled]
            heapq.heapify(self._timers)
            self._cancelled_timers = 0

    def _run(self) -> None:
        try:
            while not self._stopping:
                timeout = None
                if self._timers:
                    timeout = max(0.0, self._timers[0][0] - now())
                if self._calls:
                    timeout = 0.0
                for key, mask in self._selector.select(timeout):
                    self._guard(key.data, mask)
                self._run_timers()
                while self._calls and not self._stopping:
                    self._guard_call(self._calls.popleft())
        finally:
            self._close_all()

    def _guard(self, callback: Callable[[int], None], mask: int) -> None:
        try:
            callback(mask)
        except Exception as err:  # a bug in the server: keep it for check(), keep serving
            self._report(err)

    def _guard_call(self, callback: Callable[[], None]) -> None:
        try:
            callback()
        except Exception as err:
            self._report(err)

    def _report(self, err: BaseException) -> None:
        log.exception("fakeconsul server error", exc_info=err)
        self.errors.append(err)

    def _run_timers(self) -> None:
        moment = now()
        while self._timers and self._timers[0][0] <= moment:
            _, _, timer = heapq.heappop(self._timers)
            if timer.cancelled:
                self._cancelled_timers -= 1
            else:
                timer.cancelled = True  # run: a cancel() from now on counts nothing
                self._guard_call(timer.callback)

    def _drain_wake(self, mask: int) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except BlockingIOError:
            pass
        # Only now: cleared before the bytes were read, a call_soon in between had its byte
        # read here and every later one saw "woken" and sent none, so the loop slept on.
        # Calls queued before this line are run after it, in this same turn.
        self._woken = False

    def _shutdown(self, graceful: bool) -> None:
        self._close_listener()
        if not graceful:
            self._stopping = True
            return
        self._draining = True
        for conn in list(self._connections):
            if not conn.busy or conn.on_close is not None:  # idle, or a parked watch
                self.close(conn)
        self._finish_drain()

    def _finish_drain(self) -> None:
        if self._draining and not any(conn.busy for conn in self._connections):
            self._stopping = True

    def _close_listener(self) -> None:
        if not self._listener_closed.is_set():
            try:
                self._selector.unregister(self.listener)
            except (KeyError, ValueError):
                pass
            self.listener.close()
            self._listener_closed.set()

    def _close_all(self) -> None:
        for conn in list(self._connections):
            self.close(conn)
        self._close_listener()
        for sock in (self._wake_r, self._wake_w):
            try:
                self._selector.unregister(sock)
            except (KeyError, ValueError):
                pass
            sock.close()
        self._selector.close()

    # --- accepting -----------------------------------------------------------------------------

    def _accept(self, mask: int) -> None:
        for _ in range(ACCEPT_BATCH):
            try:
                sock, address = self.listener.accept()
            except BlockingIOError:
                return
            except OSError as err:
                if err.errno in (errno.EMFILE, errno.ENFILE) and self._idle:
                    self.close(next(iter(self._idle)))  # make room: the longest-idle goes
                    continue
                if err.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    self._pause_accepting()
                    return
                if err.errno in (errno.ECONNABORTED, errno.EPROTO):
                    continue
                raise
            self._admit(sock, (str(address[0]), int(address[1])))

    def _pause_accepting(self) -> None:
        self._selector.unregister(self.listener)

        def resume() -> None:
            if not self._listener_closed.is_set():
                self._selector.register(self.listener, selectors.EVENT_READ, self._accept)

        self.call_at(now() + ACCEPT_PAUSE, resume)

    def _admit(self, sock: socket.socket, client: tuple[str, int]) -> None:
        sock.setblocking(False)
        ip = client[0]
        count = self._per_client.get(ip, 0)
        if 0 < self.max_conns_per_client <= count:
            try:
                sock.send(goresponse.TOO_MANY_CONNECTIONS)
            except OSError:
                pass
            sock.close()
            return
        self._per_client[ip] = count + 1
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # Go's default
        except OSError:
            pass
        conn = Connection(sock, client, self._epoch)
        self._connections.add(conn)
        conn.dispatch = functools.partial(self._on_event, conn)
        self._selector.register(sock, selectors.EVENT_READ, conn.dispatch)
        self._wait_for_request(conn)

    # --- reading -------------------------------------------------------------------------------

    def _on_event(self, conn: Connection, mask: int) -> None:
        if mask & selectors.EVENT_WRITE and conn.open:
            self._flush(conn)
        if mask & selectors.EVENT_READ and conn.open:
            self._on_readable(conn)

    def _on_readable(self, conn: Connection) -> None:
        try:
            data = conn.sock.recv(RECV_SIZE)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if conn.lingering:
            if not data:
                self.close(conn)
            return
        if not data:
            # A client gone between requests, mid-request or while its answer is pending: Go
            # writes nothing then (isCommonNetReadError) and cancels the request's context.
            self.close(conn)
            return
        self._idle.pop(conn, None)
        if conn.busy:
            conn.parser.receive_data(data)  # pipelined: read once this answer is out
            return
        if not conn.partial:
            conn.partial = True
            # Scheduled below only if the request is still incomplete after this read: most
            # arrive whole in one, and a timer pushed for each would cost more than its reading.
            self._arm(conn, self.read_timeout, self._read_timed_out, schedule=False)
        # h11 measures a head only while it is incomplete: fed in slices, a head over the limit
        # is caught within HEAD_SLICE bytes even when the rest of it arrives in one read.
        at = 0
        while at < len(data) and conn.request is None and conn.open and not conn.busy:
            conn.parser.receive_data(data[at:at + HEAD_SLICE])
            at += HEAD_SLICE
            self._advance(conn)
        if at < len(data) and conn.open:
            conn.parser.receive_data(data[at:])
            self._advance(conn)
        if conn.open and conn.deadline is not None:
            self._schedule_deadline(conn)

    def _advance(self, conn: Connection) -> None:
        while conn.open and not conn.busy:
            try:
                event = conn.parser.next_event()
            except h11.RemoteProtocolError as err:
                self._refuse(conn, _protocol_error_answer(err))
                return
            if event is h11.NEED_DATA:
                return
            if isinstance(event, h11.Request):
                if not self._accept_head(conn, event):
                    return
            elif isinstance(event, h11.Data):
                if len(conn.body) + len(event.data) > goresponse.MAX_BODY_BYTES:
                    self._refuse(conn, goresponse.BODY_TOO_LARGE)  # a chunked upload
                    return
                conn.body += event.data
            elif isinstance(event, h11.EndOfMessage):
                self._dispatch(conn)
                return
            else:  # ConnectionClosed: the client half-closed between requests
                self.close(conn)
                return

    def _accept_head(self, conn: Connection, request: h11.Request) -> bool:
        if not request.http_version.startswith(b"1."):
            self._refuse(conn, goresponse.bad_request("unsupported protocol version", 505))
            return False
        length = next((v for k, v in request.headers if k == b"content-length"), b"0")
        if int(length) > goresponse.MAX_BODY_BYTES:  # h11 checked it is a number
            self._refuse(conn, goresponse.BODY_TOO_LARGE)
            return False
        conn.request = request
        expect = _header_tokens(request, b"expect")
        if request.http_version == b"1.1" and expect:
            if b"100-continue" not in expect:
                body, _ = goresponse.encode(
                    417, [("Connection", "close")], b"", request_facts(request)
                )
                self._refuse(conn, body)
                return False
            if conn.parser.they_are_waiting_for_100_continue:
                try:
                    conn.sock.send(goresponse.CONTINUE)  # 25 bytes on a fresh send buffer
                except OSError:
                    pass
        return True

    def _dispatch(self, conn: Connection) -> None:
        request, body = conn.request, bytes(conn.body)
        assert request is not None
        conn.busy = True
        conn.request, conn.body = None, bytearray()
        self._disarm(conn)
        self.handler.on_request(conn, request, body)

    def _refuse(self, conn: Connection, answer: bytes) -> None:
        """An error answer, then close once the client has read it (Go's closeWriteAndWait)."""
        conn.busy = True
        conn.close_after = True
        conn.lingering = True
        self._disarm(conn)
        self._write(conn, answer)

    # --- writing -------------------------------------------------------------------------------

    def respond(self, conn: Connection, data: bytes, close: bool) -> None:
        """Write the answer to the request ``conn`` is busy with (loop thread)."""
        if not conn.open:
            return
        conn.on_close = None
        conn.close_after = close
        self._write(conn, data)

    def _write(self, conn: Connection, data: bytes) -> None:
        if conn.out:
            conn.out += data
        else:
            try:
                sent = conn.sock.send(data)
            except BlockingIOError:
                sent = 0
            except OSError:
                self.close(conn)
                return
            if sent < len(data):
                conn.out += data[sent:]
        if conn.out:
            if not conn.writing:
                conn.writing = True
                self._selector.modify(
                    conn.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, conn.dispatch
                )
        else:
            self._written(conn)

    def _flush(self, conn: Connection) -> None:
        try:
            sent = conn.sock.send(conn.out)
        except BlockingIOError:
            return
        except OSError:
            self.close(conn)
            return
        del conn.out[:sent]
        if not conn.out:
            conn.writing = False
            self._selector.modify(conn.sock, selectors.EVENT_READ, conn.dispatch)
            self._written(conn)

    def _written(self, conn: Connection) -> None:
        if conn.lingering:
            try:
                conn.sock.shutdown(socket.SHUT_WR)
            except OSError:
                self.close(conn)
                return
            self._arm(conn, ERROR_LINGER, self.close)
            return
        if conn.close_after or self._draining:
            self.close(conn)
            return
        # Next request on the same connection: what h11 read past this one is its start.
        leftover, closed = conn.parser.trailing_data
        conn.parser = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEADER_BYTES)
        conn.busy = False
        conn.partial = False
        self._wait_for_request(conn)
        if leftover:
            conn.parser.receive_data(leftover)
            conn.partial = True
            self._arm(conn, self.read_timeout, self._read_timed_out)
            self._idle.pop(conn, None)
        if closed:
            conn.parser.receive_data(b"")
        if leftover or closed:
            # Later in this turn, not from here: an answer made on the loop thread is written
            # from inside the reading of its request, and a client that pipelines thousands of
            # requests would otherwise nest one call chain per request until the stack ran out.
            self._calls.append(lambda: self._advance(conn))

    # --- timeouts and closing ------------------------------------------------------------------

    def _wait_for_request(self, conn: Connection) -> None:
        self._idle[conn] = None
        self._arm(conn, self.idle_timeout, self.close)

    def _read_timed_out(self, conn: Connection) -> None:
        # The head or body never completed (say a Content-Length longer than the body sent).
        self._refuse(conn, goresponse.bad_request())

    def _arm(self, conn: Connection, delay: float, action: Callable[[Connection], None], *,
             schedule: bool = True) -> None:
        conn.deadline = now() + delay
        conn.deadline_action = action
        if schedule:
            self._schedule_deadline(conn)

    def _schedule_deadline(self, conn: Connection) -> None:
        deadline = conn.deadline
        assert deadline is not None
        timer = conn.timer
        if timer is not None and not timer.cancelled and timer.when <= deadline:
            return  # due first: it finds the later deadline and moves itself there
        if timer is not None:
            timer.cancel()
        conn.timer = self.call_at(deadline, functools.partial(self._deadline_due, conn))

    def _deadline_due(self, conn: Connection) -> None:
        conn.timer = None
        deadline, action = conn.deadline, conn.deadline_action
        if deadline is None or action is None or not conn.open:
            return
        if now() < deadline:
            conn.timer = self.call_at(deadline, functools.partial(self._deadline_due, conn))
            return
        self._disarm(conn)
        action(conn)

    def _disarm(self, conn: Connection) -> None:
        # The timer stays in the heap: due, it finds no deadline and does nothing; a deadline
        # set again before then reuses it.
        conn.deadline = None
        conn.deadline_action = None

    def close(self, conn: Connection) -> None:
        if not conn.open:
            return
        conn.open = False
        self._disarm(conn)
        if conn.timer is not None:
            conn.timer.cancel()
            conn.timer = None
        self._idle.pop(conn, None)
        self._connections.discard(conn)
        ip = conn.client[0]
        left = self._per_client.get(ip, 1) - 1
        if left > 0:
            self._per_client[ip] = left
        else:
            self._per_client.pop(ip, None)
        try:
            self._selector.unregister(conn.sock)
        except (KeyError, ValueError):
            pass
        conn.sock.close()
        if conn.on_close is not None:
            callback, conn.on_close = conn.on_close, None
            callback()
        self._finish_drain()

    def new_epoch(self) -> None:
        """Close, soon, every connection accepted until now (any thread): a pooled server moving
        to the next test drops the last test's clients, never one of the next test's."""
        self._epoch += 1
        epoch = self._epoch

        def close_older() -> None:
            for conn in list(self._connections):
                if conn.epoch < epoch:
                    self.close(conn)

        self.call_soon(close_older)
