"""Serve the output folder on 127.0.0.1 for ``analysis watch``, reloading pages on rebuild.

Served HTML pages get a script (never written to disk) that polls the server's state, reloads
on a new build and shows the last build's problems. The standard library's server, with the
README's bounds added: Host check (DNS rebinding), GET and HEAD only, files inside the folder
only, idle and request deadlines, a bounded number of connections, one log line per bad request.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import socket
import stat
import sys
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO

from analysis.errors import shown_text

STATUS_PATH = "/__analysis/status"
POLL_MS = 300
IDLE_SECONDS = 5.0  # a connection that sends or reads nothing for this long is closed
REQUEST_SECONDS = 10.0  # a request's line and headers must have arrived within this
MAX_CONNECTIONS = 32  # handled at once, a thread each; more are closed at once
METHODS = ("GET", "HEAD")
LOG_EVERY_SECONDS = 10.0  # connections closed at the limit are said at most this often

# Shown only in served pages. The problems are set as text (textContent), never as markup.
# GENERATION is the generation the page was served at (see `inject`).
GENERATION = "__ANALYSIS_GENERATION__"
RELOAD_SCRIPT = f"""
<script data-analysis-watch>
(() => {{
  const seen = {GENERATION};
  const box = document.createElement("aside");
  box.setAttribute("role", "alert");
  box.id = "analysis-watch-problems";
  box.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:1000;max-height:60vh;overflow:auto;" +
    "margin:0;padding:0.8rem 1.2rem;background:#fff3f0;color:#7a1500;border-bottom:3px solid #c2310c;" +
    "font:14px/1.45 system-ui,sans-serif;box-shadow:0 2px 8px rgba(0,0,0,.2)";
  const title = document.createElement("p");
  title.style.cssText = "margin:0 0 0.4rem;font-weight:bold";
  const list = document.createElement("pre");
  list.style.cssText = "margin:0;white-space:pre-wrap;font:13px/1.45 ui-monospace,monospace";
  box.append(title, list);
  function show(state) {{
    if (!state.problems.length) {{ box.remove(); return; }}
    title.textContent = state.headline;
    list.textContent = state.problems.join("\\n");
    if (!box.isConnected) document.body.prepend(box);
  }}
  async function poll() {{
    try {{
      const state = await (await fetch("{STATUS_PATH}", {{cache: "no-store"}})).json();
      if (state.generation !== seen) {{ location.reload(); return; }}
      show(state);
    }} catch (error) {{ /* the watch has stopped, or is restarting */ }}
    setTimeout(poll, {POLL_MS});
  }}
  poll();
}})();
</script>
"""


NOT_BUILT = (
    b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Not built yet</title></head>'
    b"<body><main><h1>Not built yet</h1><p>This page shows the report as soon as a build of it succeeds."
    b"</p></main></body></html>\n"
)


class State:
    """What the served pages learn from the server: the build generation and the failed builds' problems."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.generation = 0
        self._failures: dict[str, tuple[str, list[str]]] = {}  # report's name ("" for the inputs): its problems

    def published(self, name: str = "") -> None:
        """Record a report's publication: pages reload, and show its problems no more."""
        with self._lock:
            self.generation += 1
        self.cleared(name)

    def cleared(self, name: str = "") -> None:
        """Forget a report's problems, and the inputs' (they were good enough to build it)."""
        with self._lock:
            self._failures.pop(name, None)
            self._failures.pop("", None)

    def failed(self, headline: str, problems: list[str], name: str = "") -> None:
        """Record a failed build: pages show why, over the report as it is."""
        with self._lock:
            self._failures[name] = (headline, list(problems))

    def as_json(self) -> bytes:
        """Return the state as the pages read it: the failed builds' headlines and problems, report by report."""
        with self._lock:
            failures = list(self._failures.values())
            state = {
                "generation": self.generation,
                "headline": " ".join(headline for headline, _ in failures),
                "problems": [line for _, lines in failures for line in lines],
            }
        return json.dumps(state).encode("utf-8")


def inject(page: bytes, generation: int) -> bytes:
    """Return an HTML page with the reload script added before its closing body tag."""
    script = RELOAD_SCRIPT.replace(GENERATION, str(int(generation))).encode("utf-8")
    at = page.rfind(b"</body>")
    return page + script if at < 0 else page[:at] + script + page[at:]


class Handler(SimpleHTTPRequestHandler):
    """Serve the output folder; add the reload script to HTML; answer the status path."""

    server: Server
    error_message_format = "%(message)s\n"  # a refusal's body: one line of text
    error_content_type = "text/plain; charset=utf-8"

    def setup(self) -> None:
        """Bound the connection: each read or write by `IDLE_SECONDS`, the request by `REQUEST_SECONDS`."""
        self.timeout = IDLE_SECONDS
        super().setup()
        self.rfile = io.BufferedReader(_Deadline(self.connection, time.monotonic() + REQUEST_SECONDS))

    def parse_request(self) -> bool:
        """Read the request, then refuse it unless it is named as this server and is a GET or a HEAD."""
        if not super().parse_request():
            return False  # answered already (400, 414, 431...), and logged
        self.close_connection = True  # one request a connection
        port = self.server.port
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1 or hosts[0].strip().lower() not in (f"127.0.0.1:{port}", f"localhost:{port}"):
            # another name for this address (DNS rebinding): a web page elsewhere cannot read ours
            self.send_error(HTTPStatus.MISDIRECTED_REQUEST, "not served under this name")
            return False
        if self.command not in METHODS:
            self.send_error(HTTPStatus.METHOD_NOT_ALLOWED, "only GET and HEAD are answered")
            return False
        return True

    def send_head(self) -> BinaryIO | None:
        """Send the status and headers of a GET; return what its body is read from (None: sent)."""
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == STATUS_PATH:
            return self._answer(self.server.state.as_json(), "application/json")
        if path == "/favicon.ico":  # the report has none; a 404 would be a console error
            return self._answer(b"", "image/x-icon", HTTPStatus.NO_CONTENT)
        if path == "/":
            return self._answer(b"", "text/plain", HTTPStatus.FOUND, Location=f"/{self.server.home}")
        generation = self.server.state.generation  # before the page: a build published meanwhile reloads it
        translated = self.translate_path(path)
        if "\x00" in translated:
            self.send_error(HTTPStatus.BAD_REQUEST, "a path holds no NUL character")
            return None
        root, resolved = os.path.realpath(self.directory), os.path.realpath(translated)
        if not Path(resolved).is_relative_to(root):
            self.send_error(HTTPStatus.NOT_FOUND, "not found")
            return None
        found = _open_regular(resolved, root)
        if path.endswith(".html"):
            with found or io.BytesIO(NOT_BUILT) as page:
                return self._answer(inject(page.read(), generation), "text/html; charset=utf-8")
        if found is None:
            self.send_error(HTTPStatus.NOT_FOUND, "not found")
            return None
        return self._answer(found, self.guess_type(path))

    def _answer(self, body: bytes | BinaryIO, kind: str, status: int = HTTPStatus.OK, **headers: str) -> BinaryIO:
        """Send an answer's status and headers; return its body, for the caller to copy (never for a HEAD)."""
        body = io.BytesIO(body) if isinstance(body, bytes) else body
        length = body.seek(0, io.SEEK_END)
        body.seek(0)
        self.send_response(status)
        for name, value in {"Content-Type": kind, "Content-Length": str(length), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        return body

    def end_headers(self) -> None:
        """Forbid caching (a page must show the latest build), and say which methods are answered."""
        self.send_header("Allow", ", ".join(METHODS))
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing of the requests answered: the terminal is the watch's."""

    def log_error(self, format: str, *args: Any) -> None:
        """Log a bad request in one line (a file not found, or an idle connection closed, is no bad request)."""
        text = format % args if args else format
        if text.startswith(("Request timed out", f"code {HTTPStatus.NOT_FOUND:d}")):
            return
        host, port = self.client_address[:2]
        self.server.log(f"serve: a bad request from {host}:{port}: {shown_text(text, 200, quoted=False)}")


def _open_regular(path: str, root: str) -> BinaryIO | None:
    """Open a regular file that still lies inside ``root`` once open (not swapped for a link since resolved)."""
    try:
        # Never blocks: a pipe or a device in the folder would hold the connection for ever.
        file = open(path, "rb", opener=lambda name, flags: os.open(name, flags | os.O_NONBLOCK))  # noqa: SIM115
    except OSError:
        return None
    with contextlib.suppress(OSError):
        opened = str(Path(f"/proc/self/fd/{file.fileno()}").readlink())  # the path it has open, links followed
        if Path(opened).is_relative_to(root) and stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            return file
    file.close()
    return None


class _Deadline(io.RawIOBase):
    """A connection's reading side, bounded: each read by `IDLE_SECONDS`, all of them by ``deadline``."""

    def __init__(self, connection: socket.socket, deadline: float) -> None:
        self.connection, self.deadline = connection, deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self.connection.settimeout(min(IDLE_SECONDS, left))
        try:
            return self.connection.recv_into(buffer)
        finally:
            self.connection.settimeout(IDLE_SECONDS)


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class Server(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 for the output folder, in a thread of its own, its connections bounded."""

    daemon_threads = True
    block_on_close = False  # closing waits for no connection: each ends at its deadline
    request_queue_size = 64  # connections waiting to be accepted, held by the system (no open file of ours)

    def __init__(
        self, folder: Path, home: str, port: int = 0, log: Callable[[str], None] = _stderr, state: State | None = None
    ) -> None:
        self.state, self.home, self.log = state or State(), home, log
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._said_full = 0.0
        super().__init__(("127.0.0.1", port), functools.partial(Handler, directory=str(folder)))
        self.port = self.server_address[1]  # the port it listens on (a free one for 0)
        self.url = f"http://127.0.0.1:{self.port}/"
        self.thread = threading.Thread(target=self.serve_forever, args=(0.05,), name="serve", daemon=True)
        self.thread.start()

    def process_request(self, request: Any, client_address: Any) -> None:
        """Handle a connection in a thread of its own, or close it at once past the limit."""
        if self._slots.acquire(blocking=False):
            super().process_request(request, client_address)
            return
        self.shutdown_request(request)
        now = time.monotonic()
        if now - self._said_full >= LOG_EVERY_SECONDS:
            self._said_full = now
            self.log(
                f"serve: {MAX_CONNECTIONS} connections at once, the most served: new ones are closed until some end"
            )

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        """Handle a connection, then free its place."""
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log what went wrong with one connection in one line, never a traceback."""
        error = sys.exc_info()[1]
        host, port = client_address[:2]
        if isinstance(error, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
            what = "the browser closed the connection before the answer was sent (a reload does)"
        elif isinstance(error, TimeoutError):
            what = f"nothing was sent or read for {IDLE_SECONDS:g} s, or the request took too long: closed"
        else:
            what = shown_text(f"{type(error).__name__}: {error}", 200, quoted=False)
        self.log(f"serve: a request from {host}:{port}: {what}")

    def close(self) -> None:
        """Stop serving and close the listening socket."""
        self.shutdown()
        self.server_close()
        self.thread.join()
