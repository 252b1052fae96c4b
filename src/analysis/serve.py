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
    """What the served pages learn from the server: the build generation and the problems."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.generation = 0
        self._failures: dict[str, tuple[str, list[str]]] = {}

    def published(self, name: str = "") -> None:
        """Record a report's publication: pages reload, and show its problems no more."""
        with self._lock:
            self.generation += 1
            self._failures.pop(name, None)
            self._failures.pop("", None)  # a report was built: the inputs were good

    def cleared(self, name: str = "") -> None:
        """Forget a report's problems without a reload (its build found nothing to change)."""
        with self._lock:
            self._failures.pop(name, None)

    def failed(self, headline: str, problems: list[str], name: str = "") -> None:
        """Record a failed build: pages show why, over the report as it is."""
        with self._lock:
            self._failures[name] = (headline, list(problems))

    @property
    def headline(self) -> str:
        """The failed builds' headlines, one after another (empty when none failed)."""
        with self._lock:
            return " ".join(headline for headline, _ in self._failures.values())

    @property
    def problems(self) -> list[str]:
        """Every failed build's problems, report by report."""
        with self._lock:
            return [line for _, lines in self._failures.values() for line in lines]

    def as_json(self) -> bytes:
        """Return the state as the pages read it."""
        state = {"generation": self.generation, "headline": self.headline, "problems": self.problems}
        return json.dumps(state).encode("utf-8")


def inject(page: bytes, generation: int) -> bytes:
    """Return an HTML page with the reload script added before its closing body tag."""
    script = RELOAD_SCRIPT.replace(GENERATION, str(int(generation))).encode("utf-8")
    at = page.rfind(b"</body>")
    return page + script if at < 0 else page[:at] + script + page[at:]


class Handler(SimpleHTTPRequestHandler):
    """Serve the output folder; add the reload script to HTML; answer the status path."""

    server: BoundedServer

    def __init__(self, *args: Any, state: State, home: str, **kwargs: Any) -> None:
        self.state, self.home = state, home
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        """Bound the connection: each read or write by `IDLE_SECONDS`, the request by `REQUEST_SECONDS`."""
        self.timeout = self.server.idle_seconds
        super().setup()
        deadline = time.monotonic() + self.server.request_seconds
        self.rfile = io.BufferedReader(_Deadline(self.connection, deadline, self.server.idle_seconds))

    def parse_request(self) -> bool:
        """Read the request, then refuse it unless it is named as this server and is a GET or a HEAD."""
        if not super().parse_request():
            return False  # answered already (400, 414, 431...), and logged
        self.close_connection = True  # one request a connection
        port = self.server.server_address[1]
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1 or hosts[0].strip().lower() not in (f"127.0.0.1:{port}", f"localhost:{port}"):
            # another name for this address (DNS rebinding): a web page elsewhere cannot read ours
            self._refuse(HTTPStatus.MISDIRECTED_REQUEST, "not served under this name")
            return False
        if self.command not in METHODS:
            self._refuse(HTTPStatus.METHOD_NOT_ALLOWED, "only GET and HEAD are answered", Allow=", ".join(METHODS))
            return False
        return True

    def do_GET(self) -> None:
        """Answer a GET request."""
        body = self.send_head()
        if body is not None:
            with contextlib.closing(body):
                self.copyfile(body, self.wfile)

    def do_HEAD(self) -> None:
        """Answer a HEAD request: the headers a GET would have."""
        body = self.send_head()
        if body is not None:
            body.close()

    def send_head(self) -> BinaryIO | None:
        """Send the status and headers of a GET; return what its body is read from (None: sent)."""
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == STATUS_PATH:
            return self._head(HTTPStatus.OK, "application/json", self.state.as_json())
        if path == "/favicon.ico":  # the report has none; a 404 would be a console error
            return self._head(HTTPStatus.NO_CONTENT, "image/x-icon", b"")
        if path == "/":
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", f"/{self.home}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        generation = self.state.generation  # before the page: a build published meanwhile reloads it
        translated = self.translate_path(path)
        if "\x00" in translated:
            self._refuse(HTTPStatus.BAD_REQUEST, "a path holds no NUL character")
            return None
        found = self._open_inside(translated)
        if path.endswith(".html") and found is not _OUTSIDE:
            page = NOT_BUILT
            if found is not None:
                with found:
                    page = found.read()
            return self._head(HTTPStatus.OK, "text/html; charset=utf-8", inject(page, generation))
        if found is None or found is _OUTSIDE:
            self._refuse(HTTPStatus.NOT_FOUND, "not found", log=False)
            return None
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Length", str(os.fstat(found.fileno()).st_size))
        self.end_headers()
        return found

    def _open_inside(self, path: str) -> Any:
        """Open a regular file whose resolved path lies inside the resolved folder."""
        root = os.path.realpath(self.directory)
        try:
            resolved = os.path.realpath(path)
        except OSError:
            return None
        if not _within(resolved, root):
            return _OUTSIDE
        try:
            # Never blocks: a pipe or a device in the folder would hold the connection for ever.
            descriptor = os.open(resolved, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            return None
        try:
            opened = _opened_path(descriptor)
            if opened is not None and not _within(opened, root):  # swapped for a link since resolved
                os.close(descriptor)
                return _OUTSIDE
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                os.close(descriptor)
                return None
        except OSError:
            os.close(descriptor)
            return None
        return os.fdopen(descriptor, "rb")

    def end_headers(self) -> None:
        """Forbid caching: a page must show the latest build."""
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def _head(self, status: HTTPStatus, kind: str, body: bytes) -> BinaryIO:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def _refuse(self, status: HTTPStatus, why: str, *, log: bool = True, **headers: str) -> None:
        """Answer with an error status and a line of text (no body to a HEAD); log it."""
        if log:
            self.log_error("%s %s: %d %s", self.command, self.path, status, why)
        body = f"{why}\n".encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing of the requests answered: the terminal is the watch's."""

    def log_error(self, format: str, *args: Any) -> None:
        """Log a bad request in one line (an idle connection closed is no bad request)."""
        text = format % args if args else format
        if text.startswith("Request timed out"):
            return
        host, port = self.client_address[:2]
        self.server.log(f"serve: a bad request from {host}:{port}: {shown_text(text, 200, quoted=False)}")


_OUTSIDE = object()  # what `Handler._open_inside` returns for a path that resolves out of the folder


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _opened_path(descriptor: int) -> str | None:
    """Return the path of the file a descriptor has open (None where /proc does not tell)."""
    try:
        return str(Path(f"/proc/self/fd/{descriptor}").readlink())
    except OSError:
        return None


class _Deadline(io.RawIOBase):
    """A connection's reading side, bounded: each read by ``idle`` seconds, all of them by ``deadline``."""

    def __init__(self, connection: socket.socket, deadline: float, idle: float) -> None:
        self.connection, self.deadline, self.idle = connection, deadline, idle

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self.connection.settimeout(min(self.idle, left))
        try:
            return self.connection.recv_into(buffer)
        finally:
            self.connection.settimeout(self.idle)


class BoundedServer(ThreadingHTTPServer):
    """A threading HTTP server with a bounded number of connections, that logs failures in one line."""

    daemon_threads = True
    request_queue_size = 64  # connections waiting to be accepted, held by the system (no open file of ours)

    def __init__(
        self,
        address: tuple[str, int],
        handler: Callable[..., Handler],
        log: Callable[[str], None],
    ) -> None:
        self.log = log
        self.idle_seconds, self.request_seconds = IDLE_SECONDS, REQUEST_SECONDS  # read now: tests shorten them
        self.max_connections = MAX_CONNECTIONS
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._said_full = 0.0
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Handle a connection in a thread of its own, or close it at once past the limit."""
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)
            now = time.monotonic()
            if now - self._said_full >= LOG_EVERY_SECONDS:
                self._said_full = now
                self.log(
                    f"serve: {self.max_connections} connections at once, the most served: new ones are closed"
                    " until some end"
                )
            return
        try:
            threading.Thread(target=self._handle, args=(request, client_address), daemon=True).start()
        except BaseException:
            self._slots.release()
            self.shutdown_request(request)
            raise

    def _handle(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log what went wrong with one connection in one line, never a traceback."""
        error = sys.exc_info()[1]
        host, port = client_address[:2]
        if isinstance(error, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
            what = "the browser closed the connection before the answer was sent (a reload does)"
        elif isinstance(error, TimeoutError):
            what = f"nothing was sent or read for {self.idle_seconds:g} s, or the request took too long: closed"
        else:
            what = shown_text(f"{type(error).__name__}: {error}", 200, quoted=False)
        self.log(f"serve: a request from {host}:{port}: {what}")


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class Server:
    """An HTTP server on 127.0.0.1 for the output folder, in a thread of its own."""

    def __init__(self, folder: Path, home: str, port: int = 0, log: Callable[[str], None] = _stderr) -> None:
        self.state = State()
        handler = functools.partial(Handler, directory=str(folder), state=self.state, home=home)
        self.httpd = BoundedServer(("127.0.0.1", port), handler, log)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), name="serve", daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        """The server's address."""
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    @property
    def port(self) -> int:
        """The port it listens on."""
        return self.httpd.server_address[1]

    def close(self) -> None:
        """Stop serving and close the listening socket."""
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()
