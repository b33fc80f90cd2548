"""The one fake OpenAI-compatible HTTP server of the tests: real sockets on 127.0.0.1, scripted answers.

It answers chat requests like ``tests.fakes.ScriptedEndpoint`` (whose per-section queues and request
log it reuses): each section's queue holds behaviours, popped one per request; an empty queue answers
with an empty section. Besides a plain ``Reply`` (any status, body and headers) a behaviour can be a
fault that only a real socket can produce:

    Delay(seconds, then)     answer ``then`` only after ``seconds`` (past a short client timeout)
    CloseMidBody(...)        send the headers with a content-length, part of the body, then close
    Reset()                  close the connection without answering (the client sees it reset)

and for every request: ``delay`` (seconds before each answer), ``hold_after=N`` (answer the first N
chat requests and keep every later one waiting until ``release`` is set: a batch run is then reliably
mid-item), ``timings`` (add llama-server's per-response ``timings`` to each completion).

Start it with ``with FakeServer() as server:`` and pass ``server.url`` as the base URL. Every wait it
makes is bounded and cut short when it stops, so a test never hangs on it. Run as a program
(``python tests/fake_server.py PORT [--fail-start]``) it stands in for ``llama-server`` in the
engine lifecycle tests: ``/health``, ``/v1/models`` and empty answers with ``timings``.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

if __name__ == "__main__":  # run as a program: make ``tests`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes import Reply, ScriptedEndpoint, completion, empty_answer, ok

#: The longest a scripted delay may be: a stuck test ends instead of hanging the suite.
MAX_DELAY_SECONDS = 10.0
#: What llama-server reports doing for one request (``timings``), as the stand-in sends it.
TIMINGS = {"cache_n": 90, "prompt_n": 10, "prompt_ms": 5.0, "predicted_n": 4, "predicted_ms": 8.0}


@dataclass
class Delay:
    """Wait ``seconds`` (cut short when the server stops), then answer ``then`` (default: an empty section)."""

    seconds: float
    then: Reply | None = None


@dataclass
class CloseMidBody:
    """Promise all of ``body`` in content-length, send only its first ``sent`` bytes, then close."""

    body: bytes = field(default_factory=lambda: json.dumps(completion({"overview": "x", "actors": []})).encode())
    sent: int = 20
    status: int = 200


@dataclass
class Reset:
    """Drop the connection without a response (SO_LINGER 0, so the peer gets a TCP reset)."""


Behaviour = Reply | Delay | CloseMidBody | Reset


class FakeServer:
    """A scripted, fault-injecting chat-completions server in a background thread."""

    def __init__(
        self,
        script: dict[str, list[Behaviour]] | None = None,
        *,
        models: list[str] | None = None,
        delay: float = 0.0,
        hold_after: int | None = None,
        timings: bool = False,
        port: int = 0,
    ) -> None:
        self.endpoint = ScriptedEndpoint(script)  # type: ignore[arg-type]  # queues hold faults too
        self.models = ["fault-model"] if models is None else models
        self.delay = delay
        self.hold_after = hold_after
        self.timings = timings
        self.port = port
        #: Set to let held requests through (see ``hold_after``); ``held`` is set once one waits.
        self.release = threading.Event()
        self.held = threading.Event()
        self._chat_requests = 0
        #: Chat requests being answered right now, and the most there ever were at once.
        self.in_flight = 0
        self.max_in_flight = 0
        #: Run as a program: append each chat request's ``id_slot`` and system message here (JSON lines).
        self.request_log: Path | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting and inspection -------------------------------------------------------------------

    def script(self, section: str, *behaviours: Behaviour) -> None:
        """Queue behaviours for the next requests of ``section`` (overview, positions, ...)."""
        with self._lock:
            self.endpoint.queues[section].extend(behaviours)  # type: ignore[arg-type]

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every chat request body received, in order."""
        return self.endpoint.requests

    @property
    def headers(self) -> list[dict[str, str]]:
        """The headers of every chat request (lower-cased names), in order."""
        return self.endpoint.headers

    def requests_for(self, section: str) -> list[dict[str, Any]]:
        return self.endpoint.requests_for(section)

    @property
    def url(self) -> str:
        """The base URL to pass as ``base_url`` (ends in ``/v1``)."""
        if self._httpd is None:
            raise RuntimeError("the fault server is not running")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    # -- lifecycle ---------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self.url

    def start(self) -> FakeServer:
        handler = type("_BoundHandler", (_Handler,), {"fault_server": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), handler)  # port 0: a free port
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fault-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # ends any scripted delay now
        self.release.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    # -- answering (runs in the server's threads) ----------------------------------------------------

    def _next(self, request: dict[str, Any], headers: dict[str, str]) -> Behaviour:
        with self._lock:
            self.endpoint.requests.append(request)
            self.endpoint.headers.append(headers)
            self._chat_requests += 1
            hold = self.hold_after is not None and self._chat_requests > self.hold_after
            behaviour = self.endpoint.answer(request)
        if hold and not self.release.is_set():
            self.held.set()
            self.release.wait(MAX_DELAY_SECONDS * 6)
        if self.delay:
            self._wait(self.delay)
        return behaviour  # type: ignore[return-value]

    def _wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; False if the server is stopping."""
        return not self._stopping.wait(min(seconds, MAX_DELAY_SECONDS))


class _Handler(BaseHTTPRequestHandler):
    fault_server: FakeServer
    protocol_version = "HTTP/1.1"  # keep-alive, like real servers: the client's pool gets exercised too
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stall
    timeout = MAX_DELAY_SECONDS  # a client that stops talking cannot hold a thread forever

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/health":
            self._reply(Reply(body={"status": "ok"}))
        elif self.path.rstrip("/").endswith("/models"):
            models = self.fault_server.models
            data = [{"id": name, "object": "model", "created": 0, "owned_by": "test"} for name in models]
            self._reply(Reply(body={"object": "list", "data": data}))
        else:
            self._reply(Reply(status=404, body={"error": {"message": f"no route {self.path}"}}))

    def do_POST(self) -> None:
        # A client that gave up (timed out) before the answer is not an error of the server.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer_post()

    def _answer_post(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length)
        try:
            request = json.loads(raw)
        except json.JSONDecodeError:
            self._reply(Reply(status=400, body={"error": {"message": "request body is not JSON"}}))
            return
        server = self.fault_server
        with server._lock:
            server.in_flight += 1
            server.max_in_flight = max(server.max_in_flight, server.in_flight)
        try:
            self._answer(request)
        finally:
            with server._lock:
                server.in_flight -= 1

    def _answer(self, request: dict[str, Any]) -> None:
        headers = {name.lower(): value for name, value in self.headers.items()}
        server = self.fault_server
        if server.request_log is not None:
            entry = {"id_slot": request.get("id_slot"), "system": request["messages"][0]["content"]}
            with server._lock, server.request_log.open("a", encoding="utf-8") as log:
                log.write(json.dumps(entry) + "\n")
        behaviour = self.fault_server._next(request, headers)
        if isinstance(behaviour, Delay):
            if not self.fault_server._wait(behaviour.seconds):
                self._drop()
                return
            behaviour = behaviour.then or ok(empty_answer(request))
        if isinstance(behaviour, Reset):
            self._drop(reset=True)
        elif isinstance(behaviour, CloseMidBody):
            self.send_response(behaviour.status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(behaviour.body)))
            self.end_headers()
            self.wfile.write(behaviour.body[: behaviour.sent])
            self.wfile.flush()
            self._drop()
        else:
            self._reply(behaviour)

    def _reply(self, reply: Reply) -> None:
        if reply.raises is not None:
            raise TypeError("FakeServer answers over the network: script Reset/CloseMidBody, not Reply(raises=)")
        if self.fault_server.timings and isinstance(reply.body, dict) and "choices" in reply.body:
            reply = Reply(reply.status, {**reply.body, "timings": TIMINGS}, reply.headers)
        if isinstance(reply.body, str):
            data = reply.body.encode()
        elif reply.body is None:
            data = b""
        else:
            data = json.dumps(reply.body).encode()
        self.send_response(reply.status)
        names = {name.lower() for name in reply.headers}
        if "content-type" not in names:
            self.send_header("content-type", "application/json")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _drop(self, *, reset: bool = False) -> None:
        """Close this connection now; with ``reset``, abortively (RST instead of FIN)."""
        self.close_connection = True
        if reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
        self.connection.close()

    def log_message(self, format: str, *args: object) -> None:
        return


def main() -> None:
    """Stand in for ``llama-server`` on ``PORT`` until killed; ``--fail-start`` dies like a bad model;
    ``--request-log PATH`` logs each chat request's slot and system message."""
    port = int(sys.argv[1])
    if "--fail-start" in sys.argv:
        print("error: failed to load model 'broken.gguf'", file=sys.stderr)
        raise SystemExit(3)
    server = FakeServer(models=["fake-gguf"], timings=True, port=port)
    if "--request-log" in sys.argv:
        server.request_log = Path(sys.argv[sys.argv.index("--request-log") + 1])
    server.start()
    assert server._thread is not None
    server._thread.join()


if __name__ == "__main__":
    main()
