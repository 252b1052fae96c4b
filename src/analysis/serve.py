"""Serve the output folder on 127.0.0.1 for ``analysis watch``, reloading pages on rebuild.

The files are served as they are on disk, but for one thing added on the fly to every HTML page
served: a small script that asks the server for its state every moment, reloads the page when a
new build was published, and shows the last build's problems over the last good report. The
files on disk never carry it. Each page carries the build generation it was served at, so a
build published between serving it and its first question to the server reloads it too.
"""

from __future__ import annotations

import functools
import json
import threading
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

STATUS_PATH = "/__analysis/status"
POLL_MS = 300

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
    """What the served pages learn from the server: the build generation and the problems.

    Problems are kept by report (``""`` for what stops every report: bad parameters or data), so
    that one report's publication never hides another's failure.
    """

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
        """Record a failed build: pages show why, over the last good report."""
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
    """Return an HTML page with the reload script added before its closing body tag.

    Parameters
    ----------
    page : bytes
        The page as on disk (which never carries the script).
    generation : int
        The build generation read before the page was: the page reloads as soon as the server's
        differs.

    Returns
    -------
    bytes
        The page as served: the script before ``</body>``, or at the end if there is none.
    """
    script = RELOAD_SCRIPT.replace(GENERATION, str(int(generation))).encode("utf-8")
    at = page.rfind(b"</body>")
    return page + script if at < 0 else page[:at] + script + page[at:]


class Handler(SimpleHTTPRequestHandler):
    """Serve the output folder; add the reload script to HTML; answer the status path."""

    def __init__(self, *args: Any, state: State, home: str, **kwargs: Any) -> None:
        self.state, self.home = state, home
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        """Answer one GET request."""
        path = self.path.split("?", 1)[0]
        port = self.server.server_address[1]
        if self.headers.get("Host", "") not in (f"127.0.0.1:{port}", f"localhost:{port}"):
            # another name for this address (DNS rebinding): a web page elsewhere cannot read ours
            self._send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain; charset=utf-8", b"not served under this name\n")
        elif path == STATUS_PATH:
            self._send(HTTPStatus.OK, "application/json", self.state.as_json())
        elif path == "/favicon.ico":  # the report has none; a 404 would be a console error
            self._send(HTTPStatus.NO_CONTENT, "image/x-icon", b"")
        elif path == "/":
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", f"/{self.home}")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path.endswith(".html"):
            # The generation first: a build published while the page is read makes it reload.
            generation = self.state.generation
            try:
                page = Path(self.translate_path(path)).read_bytes()
            except OSError:
                page = NOT_BUILT
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", inject(page, generation))
        else:
            super().do_GET()

    def end_headers(self) -> None:
        """Forbid caching: a page must show the latest build."""
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def _send(self, status: HTTPStatus, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing: the terminal is the watch's."""


class Server:
    """An HTTP server on 127.0.0.1 for the output folder, in a thread of its own.

    Parameters
    ----------
    folder : pathlib.Path
        The output folder.
    home : str
        The page ``/`` leads to (``NAME.html``).
    port : int
        The port; 0 for a free one.
    """

    def __init__(self, folder: Path, home: str, port: int = 0) -> None:
        self.state = State()
        handler = functools.partial(Handler, directory=str(folder), state=self.state, home=home)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="serve", daemon=True)
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
