"""A fake OpenAI-compatible server in a background thread that can be slow, or hold answers back.

``SlowServer(delay=0.05)`` answers every chat request (with an empty section, like
``fake_llama_server.py``) after ``delay`` seconds. ``hold_after=N`` answers the first N chat requests
and keeps every later one waiting until ``release`` is set: a batch run is then reliably mid-item,
which is what the interrupt tests need.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from tests.fakes import completion, empty_answer


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _send(self, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._send({"object": "list", "data": [{"id": "slow-fake", "object": "model"}]})

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["content-length"])))
        self.server.owner.wait_turn()
        self._send(completion(empty_answer(request)))

    def log_message(self, format: str, *args: object) -> None:
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: SlowServer

    def handle_error(self, request: object, client_address: object) -> None:
        return  # a client killed mid-request (the point of the tests) is not an error here


class SlowServer:
    """Serves on 127.0.0.1 on a free port while used as a context manager."""

    def __init__(self, *, delay: float = 0.0, hold_after: int | None = None, hold_limit: float = 60.0) -> None:
        self.delay = delay
        self.hold_after = hold_after
        self.hold_limit = hold_limit
        self.release = threading.Event()
        self.held = threading.Event()  # set once a request is being held back
        self.requests = 0
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def wait_turn(self) -> None:
        with self._lock:
            self.requests += 1
            hold = self.hold_after is not None and self.requests > self.hold_after
        if hold and not self.release.is_set():
            self.held.set()
            self.release.wait(self.hold_limit)
        time.sleep(self.delay)

    def __enter__(self) -> SlowServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
