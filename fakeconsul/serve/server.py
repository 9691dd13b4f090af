"""One cluster's HTTP API on a real socket, the way Consul's Go ``net/http`` server talks.

``ClusterServer`` binds in the caller's thread (port 0 by default, the real port read back),
serves from an event loop thread (``loop.py``: h11 framing, keep-alive, timeouts, Go's answers
to requests it cannot read) and runs the cluster's WSGI app on that thread when nothing in the
request can wait, on worker threads (``workers.py``) otherwise (``_answers_here`` says why).
Answers are written with Go's status lines and header order (``goresponse.py``). A blocking query
holds no thread while it waits (``watchers.py``). The same server can be moved from cluster to
cluster (``attach``/``detach``: the pytest plugin's pool), refuses connections while its
cluster is down, and calls ``answer_hook`` before each answer is written (``fakeconsul serve
--state-file`` saves the network there, so no write is acknowledged before it is on disk).
"""

from __future__ import annotations

import logging
import socket
import time
import traceback
from collections.abc import Callable
from contextvars import copy_context
from urllib.parse import parse_qsl, urlsplit

import h11
from werkzeug.wrappers import Request, Response

from .. import messages
from ..http import render
from ..http.blocking import PARKING, Parked, Parking
from ..model.cluster import Cluster
from . import goresponse
from .environ import build_environ
from .logs import hide_tokens
from .loop import Connection, EventLoop, request_facts
from .reuse import Answers
from .watchers import Answer, Outcome, Watch, Watchers, key_of
from .workers import Workers, in_worker
from .wsgi import wsgi_app

log = logging.getLogger("fakeconsul.http")
KEPT_ERRORS = 8  # the server's own failures kept for check(); the rest are only logged
RequestLog = Callable[[str], None]
AnswerHook = Callable[[Request, Response], Response]
IDLE_TIMEOUT = 90.0  # seconds a keep-alive connection may sit idle (Go's client: 90 s too)
READ_TIMEOUT = 30.0  # seconds from a request's first byte to its last
MAX_CONNS_PER_CLIENT = 200  # Consul's http_max_conns_per_client; 0: no limit
BACKLOG = 1024


class ServeError(RuntimeError):
    """The server could not listen (for example: the port is busy)."""


def format_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class ClusterServer:
    def __init__(
        self,
        cluster: Cluster | None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        request_log: RequestLog | None = None,
        answer_hook: AnswerHook | None = None,
        idle_timeout: float = IDLE_TIMEOUT,
        read_timeout: float = READ_TIMEOUT,
        max_conns_per_client: int = MAX_CONNS_PER_CLIENT,
        reuse_answers: bool = True,
    ) -> None:
        self.host = host
        self.port = port
        self.cluster: Cluster | None = None
        self.request_log = request_log
        self.answer_hook = answer_hook
        self.idle_timeout = idle_timeout
        self.read_timeout = read_timeout
        self.max_conns_per_client = max_conns_per_client
        self.reuse_answers = reuse_answers  # serve/reuse.py; False: the app makes every answer
        self.errors: list[BaseException] = []  # the server's own failures, re-raised by check()
        self._pending = cluster
        self._loop: EventLoop | None = None
        self._watchers: Watchers | None = None
        self._workers: Workers | None = None
        self._change_pending = False
        self._answers: Answers | None = None

    # --- where -----------------------------------------------------------------------------------

    @property
    def address(self) -> str:
        return f"{format_host(self.host)}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Bind and serve; a busy port raises ServeError."""
        self._listen()
        if self._pending is not None:
            self.attach(self._pending)
            self._pending = None

    def is_running(self) -> bool:
        return self._loop is not None and self._loop.thread.is_alive()

    def _listen(self) -> None:
        # Also when a cluster comes back up: its port may have been taken meanwhile.
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.host, self.port))
            listener.listen(BACKLOG)
        except OSError as err:
            listener.close()
            raise ServeError(
                f"cannot listen on {self.host}:{self.port}: {err.strerror or err}"
            ) from None
        self.port = listener.getsockname()[1]
        self._workers = Workers()
        self._loop = EventLoop(
            listener, self, idle_timeout=self.idle_timeout, read_timeout=self.read_timeout,
            max_conns_per_client=self.max_conns_per_client, errors=self.errors,
        )
        self._watchers = Watchers(self._loop, self._evaluate, self._index, self._log_answer)
        self._loop.start()

    def stop(self) -> None:
        """Stop serving and close every connection; a server whose cluster is down is closed
        already. Costs a few milliseconds (no poll interval to wait out)."""
        self._release_cluster()
        if self.is_running():
            self._stop_listening()

    def _stop_listening(self) -> None:
        loop, self._loop, self._watchers = self._loop, None, None
        if loop is not None:
            # From a request (the control API taking its own cluster down) the answer is
            # written before the loop ends; from anywhere else every connection closes now.
            loop.stop(graceful=in_worker())
        if self._workers is not None:
            self._workers.close()
            self._workers = None

    def attach(self, cluster: Cluster) -> None:
        """Serve ``cluster`` from now on (a pooled server moves from test to test)."""
        self.detach()
        self._answers = Answers(cluster) if self.reuse_answers else None
        self.cluster = cluster
        cluster.set_served_address(self.address)
        cluster.on_availability(self._availability_changed)
        cluster.store.on_change(self._store_changed)

    def detach(self) -> None:
        """Serve no cluster (answer 503) until the next ``attach``; connections of the last
        cluster's clients are closed, as its agent going away would close them."""
        if self._release_cluster():
            if not self.is_running():
                self._listen()  # a pooled server that was down for its last test
            elif self._loop is not None:
                self._loop.new_epoch()

    def _release_cluster(self) -> bool:
        cluster, self.cluster = self.cluster, None
        self._answers = None
        if cluster is None:
            return False
        cluster.off_availability(self._availability_changed)
        cluster.store.off_change(self._store_changed)
        if cluster.served_address == self.address:
            cluster.set_served_address(None)
        return True

    def _availability_changed(self, up: bool) -> None:
        # A cluster that is down refuses connections on its port, as a stopped agent does.
        if not up and self.is_running():
            self._stop_listening()
        elif up and not self.is_running():
            self._listen()

    # --- requests (Handler for the loop) ---------------------------------------------------------

    def on_request(self, conn: Connection, request: h11.Request, body: bytes) -> None:
        loop, watchers = self._loop, self._watchers
        if loop is None or watchers is None:
            return
        started = time.perf_counter()
        reused = self._reused(request, body)
        if reused is not None:
            self._log_answer(reused, started)
            loop.respond(conn, reused.data, reused.close)
            return

        def deliver(outcome: Outcome) -> None:
            if isinstance(outcome, Parked):
                watchers.park(conn, request, body, outcome, started)
            else:
                self._log_answer(outcome, started)
                loop.respond(conn, outcome.data, outcome.close)

        self._run(conn.client, request, body, Parking(final=False), deliver)

    def _evaluate(self, watch: Watch, final: bool, done: Callable[[Outcome], None]) -> None:
        self._run(watch.conn.client, watch.request, watch.body, Parking(final=final), done)

    def _run(self, client: tuple[str, int], request: h11.Request, body: bytes, parking: Parking,
             done: Callable[[Outcome], None]) -> None:
        """Run the app for one request and call ``done`` with its outcome on the loop thread:
        right here when nothing in it can wait (``_answers_here``), else on a worker."""
        loop, workers, cluster = self._loop, self._workers, self.cluster
        if loop is None or workers is None:
            return
        wsgi_request = self._wsgi_request(client, request, body)
        if self._answers_here(cluster, wsgi_request):
            try:
                outcome = self._outcome(cluster, request, wsgi_request, parking)
                if (cluster is not None and not body and not parking.final
                        and isinstance(outcome, Answer)
                        and not isinstance(wsgi_request, Exception)):
                    self._keep(cluster, request, wsgi_request, outcome)
            finally:
                if cluster is not None:
                    cluster.network.lock.release()
            done(outcome)
            return

        def job() -> None:
            outcome = self._outcome(cluster, request, wsgi_request, parking)
            loop.call_soon(lambda: done(outcome))

        workers.submit(job)

    def _reused(self, request: h11.Request, body: bytes) -> Answer | None:
        """The kept answer to this very request, if the network has not changed since it was
        made (serve/reuse.py); None: run the app."""
        answers, cluster = self._answers, self.cluster
        if (request.method != b"GET" or body or cluster is None or answers is None
                or answers.cluster is not cluster or not answers):
            return None
        kept = answers.find(key_of(request, body))
        if kept is None or self.answer_hook is not None or wsgi_app(cluster).injections:
            return None
        network = cluster.network
        if not network.lock.acquire(blocking=False):
            return None  # another thread is changing something: the app answers after it
        try:
            if not cluster.is_up:
                return None
            network.catch_up()  # as the read would: a timer due now changes what it shows
            generation = network.generation
        except Exception:  # a timer failed: the app's read meets it again, and answers for it
            return None
        finally:
            network.lock.release()
        return answers.current(kept, generation)

    def _keep(self, cluster: Cluster, request: h11.Request, wsgi_request: Request,
              answer: Answer) -> None:
        # Under the network's lock, right after the app ran: the generation is the one the
        # answer shows.
        answers = self._answers
        if answers is not None and answers.cluster is cluster and \
                wsgi_app(cluster).reusable(wsgi_request):
            answers.keep(key_of(request, b""), cluster.network.generation, answer)

    def _answers_here(self, cluster: Cluster | None, wsgi_request: Request | Exception) -> bool:
        """Whether ``wsgi_request`` is answered on the loop thread; if so, with the network's
        lock taken (released by the caller).

        Most requests are a few hundred microseconds of Python; handing each to a worker and its
        answer back cost more than that (a queue, a wake-up of the loop through its socket, two
        thread switches, the GIL changing hands twice): see benchmarks/README.md. The loop
        thread must never wait, though, or every connection waits with it. So a request goes
        to a worker when its endpoint may sleep (the control API, an injected delay:
        ``ConsulApp.may_wait``), when ``answer_hook`` is set (the state file is saved there,
        fsync and all), and when another thread holds the network's lock (a test's own call,
        or a ``take_down`` waiting for this very loop to stop). Held here, the lock lets every
        operation of the request re-enter it without waiting; a blocking query parks
        (``Parked``) instead of sleeping.
        """
        if self.answer_hook is not None or isinstance(wsgi_request, Exception):
            return False
        if cluster is None:
            return True  # 503, nothing to wait for
        if wsgi_app(cluster).may_wait(wsgi_request):
            return False
        return cluster.network.lock.acquire(blocking=False)

    def _wsgi_request(self, client: tuple[str, int], request: h11.Request,
                      body: bytes) -> Request | Exception:
        try:
            return Request(build_environ(request, body, server=(self.host, self.port),
                                         client=client))
        except Exception as err:  # answered with a 500 by _outcome
            return err

    def _outcome(self, cluster: Cluster | None, request: h11.Request,
                 wsgi_request: Request | Exception, parking: Parking) -> Outcome:
        """Run the app for one request: an encoded answer, or Parked."""
        facts = request_facts(request)
        try:
            if isinstance(wsgi_request, Exception):
                raise wsgi_request
            context = copy_context()
            context.run(PARKING.set, parking)
            response = context.run(self.application, cluster, wsgi_request)
        except Parked as parked:
            return parked
        except Exception as err:  # a bug in the fake or its hook: log it, keep it, answer loudly
            log.error("internal error answering %s", request.target[:200], exc_info=err)
            if len(self.errors) < KEPT_ERRORS:  # a long-running server's memory stays bounded
                self.errors.append(err)
            detail = "".join(traceback.format_exception_only(type(err), err)).strip()
            response = render.text(500, messages.internal_error(detail))
        data, close = goresponse.encode(
            response.status_code, response.headers.items(), response.get_data(), facts
        )
        return Answer(data, close, response.status_code, self._label(request))

    def _label(self, request: h11.Request) -> str:
        """``METHOD /path?query`` as the client sent it, secrets hidden; only for the log."""
        if self.request_log is None:
            return ""
        target = request.target.decode("latin-1")
        tokens = [v for k, v in parse_qsl(urlsplit(target).query) if k == "token"]
        return hide_tokens(f"{request.method.decode('latin-1')} {target.rstrip('?')}", tokens)

    def application(self, cluster: Cluster | None, request: Request) -> Response:
        """``cluster``'s answer (503 for none), through ``answer_hook``. The cluster is the one
        served when the request was read: a re-point meanwhile does not answer it elsewhere."""
        if cluster is None:
            response = Response("no cluster is served here now", 503, content_type="text/plain")
        else:
            response = wsgi_app(cluster).handle(request)
        if self.answer_hook is not None:
            response = self.answer_hook(request, response)
        return response

    def _log_answer(self, answer: Answer, started: float) -> None:
        if self.request_log is not None:
            elapsed = (time.perf_counter() - started) * 1000
            name = self.cluster.name if self.cluster is not None else "-"
            self.request_log(f"{name} {answer.label} {answer.status} {elapsed:.1f}ms")

    # --- blocking queries ------------------------------------------------------------------------

    def _index(self) -> int:
        return self.cluster.store.index if self.cluster is not None else 0

    def _store_changed(self) -> None:
        # From the writing thread: one wake-up of the loop however many writes come meanwhile.
        loop = self._loop
        if loop is None or self._change_pending:
            return
        self._change_pending = True

        def changed() -> None:
            self._change_pending = False
            if self._watchers is not None:
                self._watchers.changed()

        loop.call_soon(changed)

    @property
    def watching(self) -> int:
        """How many blocked requests are held now (loop thread; a snapshot elsewhere)."""
        return len(self._watchers) if self._watchers is not None else 0

    @property
    def timers_held(self) -> int:
        """Timers the event loop holds, cancelled ones not yet purged included."""
        return self._loop.timers_held if self._loop is not None else 0

    @property
    def worker_threads(self) -> int:
        """Worker threads this server has started since it last started listening."""
        return self._workers.started if self._workers is not None else 0

    def wait_for_watching(self, count: int, timeout: float = 5.0) -> bool:
        """Block until exactly ``count`` blocked requests are held; False after ``timeout``."""
        watchers = self._watchers
        return watchers is not None and watchers.wait_for_count(count, timeout)

    # --- errors ----------------------------------------------------------------------------------

    def check(self) -> None:
        """Re-raise the first unexpected exception the fake hit while serving."""
        if self.cluster is not None and wsgi_app(self.cluster).errors:
            raise wsgi_app(self.cluster).errors.pop(0)
        if self.errors:
            raise self.errors.pop(0)
