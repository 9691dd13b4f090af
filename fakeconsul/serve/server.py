"""One cluster's WSGI app on a real socket, served from a daemon thread.

pytest-httpserver's ``HTTPServerBase`` owns binding (port 0 by default), the thread, start and
stop; this class adds what a fake Consul agent needs: HTTP/1.1, no ``Server`` header, a short
poll interval so stop takes ~50 ms, one log line per request, and the served address made known
to the network so tokens name it.
"""

from __future__ import annotations

import contextlib
import io
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from pytest_httpserver.httpserver import HTTPServerBase
from werkzeug.serving import WSGIRequestHandler
from werkzeug.wrappers import Request, Response

from ..model.cluster import Cluster
from .wsgi import wsgi_app

RequestLog = Callable[[str], None]
# Sees each answer before it is sent and may replace it (``fakeconsul serve --state-file``
# saves the network there, so no write is acknowledged before it is on disk).
AnswerHook = Callable[[Request, Response], Response]
POLL_INTERVAL = 0.05


class ServeError(RuntimeError):
    """The server could not listen (for example: the port is busy)."""


class _Workers:
    """The threads that answer connections, kept for the next one when they are done.

    werkzeug's threaded server starts a thread per request, which cost more CPU than the whole
    answer (about 0.5 ms on a small VM; benchmarks/README.md). A connection goes to an idle
    worker when there is one and to a new thread otherwise, so a blocking query still never
    waits for another; at most MAX_IDLE workers wait for work.
    """

    MAX_IDLE = 16

    def __init__(self, server: Any) -> None:
        self._server = server
        self._lock = threading.Lock()
        self._idle = 0
        self._closed = False
        self._work: queue.SimpleQueue[tuple[Any, Any] | None] = queue.SimpleQueue()

    def submit(self, request: Any, client_address: Any) -> None:
        with self._lock:
            spawn = self._idle == 0
            if not spawn:
                self._idle -= 1  # that worker's next item is this one
        if spawn:
            threading.Thread(target=self._run, daemon=True).start()
        self._work.put((request, client_address))

    def _run(self) -> None:
        while (item := self._work.get()) is not None:
            # socketserver's per-thread body: handle, report errors, close the connection.
            self._server.process_request_thread(*item)
            with self._lock:
                if self._closed or self._idle >= self.MAX_IDLE:
                    return
                self._idle += 1

    def close(self) -> None:
        """Let the idle workers go; busy ones finish their answer first."""
        with self._lock:
            self._closed, idle, self._idle = True, self._idle, 0
        for _ in range(idle):
            self._work.put(None)


class _RequestHandler(WSGIRequestHandler):
    # HTTP/1.1 status lines as Go sends; werkzeug still closes each connection after one answer
    # (its handler cannot drain a request body safely), so clients reconnect per request.
    protocol_version = "HTTP/1.1"

    def send_response(self, code: int, message: str | None = None) -> None:
        # Go sends Date but no Server header.
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # ClusterServer logs with the cluster's name and the time taken

    def log_error(self, format: str, *args: Any) -> None:
        pass


class ClusterServer(HTTPServerBase):
    def __init__(
        self,
        cluster: Cluster | None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        request_log: RequestLog | None = None,
        answer_hook: AnswerHook | None = None,
    ) -> None:
        super().__init__(host, port, threaded=True)
        self.cluster: Cluster | None = None
        self.request_log = request_log
        self.answer_hook = answer_hook
        self._pending = cluster
        self._workers: _Workers | None = None
        self._host_text: str | None = None

    @property
    def address(self) -> str:
        # format_host parses the host as an IP address each time; a pooled server is asked a
        # few times per test, so the host part is worked out once.
        if self._host_text is None:
            self._host_text = self.format_host(self.host)
        return f"{self._host_text}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def start(self) -> None:
        """Bind and serve; a busy port raises ServeError instead of werkzeug's SystemExit."""
        self._listen()
        if self._pending is not None:
            self.attach(self._pending)
            self._pending = None

    def _listen(self) -> None:
        # Also when a cluster comes back up: its port may have been taken meanwhile.
        captured = io.StringIO()
        try:
            with contextlib.redirect_stderr(captured):
                super().start()
        except SystemExit:
            reason = captured.getvalue().strip().splitlines()
            detail = reason[0] if reason else "cannot bind"
            raise ServeError(f"cannot listen on {self.host}:{self.port}: {detail}") from None

    def stop(self) -> None:
        """Stop serving; a server whose cluster is down is closed already (no restart)."""
        self._release_cluster()
        if self.is_running():
            self._stop_listening()

    def _stop_listening(self) -> None:
        server = self.server
        super().stop()
        if server is not None:
            server.server_close()  # the base leaves the socket open: refuse, don't queue
        if self._workers is not None:
            self._workers.close()
            self._workers = None

    def attach(self, cluster: Cluster) -> None:
        """Serve ``cluster`` from now on (a pooled server moves from test to test)."""
        self.detach()
        self.cluster = cluster
        cluster.set_served_address(self.address)
        cluster.on_availability(self._availability_changed)

    def detach(self) -> None:
        """Serve no cluster (answer 503) until the next ``attach``."""
        if self._release_cluster() and not self.is_running():
            self._listen()  # a pooled server that was down for its last test

    def _release_cluster(self) -> bool:
        cluster, self.cluster = self.cluster, None
        if cluster is None:
            return False
        cluster.off_availability(self._availability_changed)
        if cluster.served_address == self.address:
            cluster.set_served_address(None)
        return True

    def _availability_changed(self, up: bool) -> None:
        # A cluster that is down refuses connections on its port, as a stopped agent does.
        if not up and self.is_running():
            self._stop_listening()
        elif up and not self.is_running():
            self._listen()

    def thread_target(self) -> None:
        assert self.server is not None
        self.server.RequestHandlerClass = _RequestHandler
        self._workers = _Workers(self.server)
        self.server.process_request = self._workers.submit  # type: ignore[method-assign]
        self.server.serve_forever(poll_interval=POLL_INTERVAL)

    def application(self, request: Request) -> Response:
        # Unlike the base class, keep no request log: a long-running server would grow forever.
        started = time.perf_counter()
        response = self.dispatch(request)
        if self.answer_hook is not None:
            response = self.answer_hook(request, response)
        if self.request_log is not None:
            elapsed = (time.perf_counter() - started) * 1000
            name = self.cluster.name if self.cluster is not None else "-"
            self.request_log(
                f"{name} {request.method} {request.full_path.rstrip('?')} "
                f"{response.status_code} {elapsed:.1f}ms"
            )
        return response

    def dispatch(self, request: Request) -> Response:
        if self.cluster is None:
            return Response("no cluster is served here now", 503, content_type="text/plain")
        response: Response = wsgi_app(self.cluster).handle(request)
        return response

    def check(self) -> None:
        """Re-raise the first unexpected exception the fake hit while serving."""
        if self.cluster is not None and wsgi_app(self.cluster).errors:
            raise wsgi_app(self.cluster).errors.pop(0)
        super().check()
