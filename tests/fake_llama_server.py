"""A stand-in for ``llama-server``: serves /health, /v1/models and empty section answers with ``timings``.

Run as ``python tests/fake_llama_server.py PORT [--fail-start]``. Used to test the server lifecycle
(start, reuse, stop) without loading a model.
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes import completion, empty_answer


class Handler(BaseHTTPRequestHandler):
    def _send(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._send(200, {"object": "list", "data": [{"id": "fake-gguf", "object": "model"}]})

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["content-length"])))
        body = completion(empty_answer(request))
        # llama-server's per-response counters (summed into meta.engine)
        body["timings"] = {"cache_n": 90, "prompt_n": 10, "prompt_ms": 5.0, "predicted_n": 4, "predicted_ms": 8.0}
        self._send(200, body)

    def log_message(self, format: str, *args: object) -> None:
        return


def main() -> None:
    port = int(sys.argv[1])
    if "--fail-start" in sys.argv:
        print("error: failed to load model 'broken.gguf'", file=sys.stderr)
        raise SystemExit(3)
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
