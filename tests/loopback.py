"""A real HTTP server on 127.0.0.1 for tests that talk HTTP (gateways, webhooks)."""

from __future__ import annotations

import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Loopback:
    """A real HTTP server on 127.0.0.1 whose answers the test queues.

    Each queued answer is ``(status, body)`` or ``"hang"`` (hold the request until the
    test ends, i.e. past any client timeout); with the queue empty it answers ``default``.
    Every request is recorded as ``(path, headers, raw body)``.
    """

    def __init__(self, default=(200, b"{}")):
        self.answers: deque = deque()
        self.default = default
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.release = threading.Event()
        loopback = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                loopback.requests.append((self.path, dict(self.headers), body))
                answer = loopback.answers.popleft() if loopback.answers else loopback.default
                if answer == "hang":
                    loopback.release.wait(5)
                    return  # the client gave up long ago; close without answering
                status, payload = answer
                raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):  # keep test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.01})

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()  # joins the handler threads
        self.thread.join()
