"""The watch's server: files as on disk, the reload script only in what it serves."""

import contextlib
import json
import os
import socket
import struct
import time
import urllib.error
import urllib.request
from collections.abc import Sequence

import pytest

from analysis import _serve as serve
from analysis._serve import STATUS_PATH, Server, State, inject

OTHER_METHODS = ["POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "PROPFIND"]
PAGE = b"<!DOCTYPE html>\n<html><body><main><p>The report</p></main></body></html>\n"


@pytest.fixture
def server(tmp_path):
    (tmp_path / "r.html").write_bytes(PAGE)
    (tmp_path / "r.pdf").write_bytes(b"%PDF-1.7 not really")
    served = Server(tmp_path, "r.html", 0)
    yield served
    served.close()


def get(server, path: str) -> tuple[int, dict, bytes]:
    with urllib.request.urlopen(server.url + path.lstrip("/"), timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def raw(server, request: bytes, seconds: float = 10) -> bytes:
    """Send bytes as they are and return every byte of the answer (the server closes the connection)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=seconds) as connection:
        connection.sendall(request)
        return b"".join(iter(lambda: connection.recv(1 << 20), b""))


def named(server, method: str, path: str, hosts: Sequence[str] = ("127.0.0.1:{port}",)) -> bytes:
    """Ask for a path, under the names given, a Host line each."""
    lines = "".join(f"Host: {host.format(port=server.port)}\r\n" for host in hosts)
    return raw(server, f"{method} {path} HTTP/1.1\r\n{lines}\r\n".encode())


def test_it_listens_on_the_loopback_address_only(server):
    assert server.url.startswith("http://127.0.0.1:") and server.port > 0


def test_pages_get_the_reload_script_files_on_disk_do_not(server, tmp_path):
    status, headers, body = get(server, "/r.html")
    assert status == 200 and headers["Cache-Control"] == "no-store"
    assert body.startswith(PAGE[: PAGE.index(b"</body>")])
    assert b"<script data-analysis-watch>" in body and STATUS_PATH.encode() in body
    assert body.index(b"<script data-analysis-watch>") < body.index(b"</body>")
    assert (tmp_path / "r.html").read_bytes() == PAGE
    assert get(server, "/r.pdf")[2] == b"%PDF-1.7 not really"  # other files as they are


def test_the_home_page_and_a_page_not_built_yet(server):
    status, _, body = get(server, "/")  # follows the redirect
    assert status == 200 and b"The report" in body
    _, _, body = get(server, "/other.html")
    assert b"Not built yet" in body and b"<script data-analysis-watch>" in body


def test_status_tells_the_generation_and_the_problems(server):
    state = lambda: json.loads(get(server, STATUS_PATH)[2])  # noqa: E731
    assert state() == {"generation": 0, "headline": "", "problems": []}
    server.state.failed("The last build failed", ["data/fdi.csv:3: column year: 'x' is not a number"])
    assert state() == {
        "generation": 0,
        "headline": "The last build failed",
        "problems": ["data/fdi.csv:3: column year: 'x' is not a number"],
    }
    server.state.published()
    assert state() == {"generation": 1, "headline": "", "problems": []}


def test_nothing_outside_the_folder_is_served(server):
    answer = named(server, "GET", "/../../etc/passwd")
    assert answer.startswith(b"HTTP/1.0 404 ") and b"root:" not in answer


def test_inject_without_a_body_tag_appends():
    assert inject(b"<p>x</p>", 0).startswith(b"<p>x</p>\n<script")


def test_a_page_carries_the_generation_it_was_served_at(server):
    # the page compares the server's generation with its own from its first poll on: a build
    # published between serving it and that poll reloads it (it used to take the first poll's)
    assert b"const seen = 0;" in get(server, "/r.html")[2]
    server.state.published()
    server.state.published()
    body = get(server, "/r.html")[2]
    assert b"const seen = 2;" in body and b"seen = null" not in body


def test_one_reports_publication_never_hides_anothers_failure():
    state = State()
    state.failed("a: the last build failed", ["data/fdi.csv:3: column year: 'x' is not a number"], "a")
    state.published("b")
    shown = json.loads(state.as_json())
    assert shown["problems"] == ["data/fdi.csv:3: column year: 'x' is not a number"]
    assert shown["headline"] == "a: the last build failed" and shown["generation"] == 1
    state.cleared("a")  # a's edit undone: its build found nothing to change
    assert json.loads(state.as_json()) == {"generation": 1, "headline": "", "problems": []}


def test_bad_inputs_are_shown_until_a_report_is_built_again():
    state = State()
    state.failed("The last build failed", ["params.yaml: parameter origin: 'XX' is not a country code"])
    state.published("a")
    assert json.loads(state.as_json())["problems"] == []


def test_localhost_is_served_too(server):
    url = f"http://localhost:{server.port}/r.html"
    with urllib.request.urlopen(url, timeout=10) as response:
        assert b"The report" in response.read()


# What is served, to whom, and for how long ---------------------------------------------------


@pytest.mark.parametrize("target", ["file", "page", "folder"])
def test_a_link_that_leads_out_of_the_folder_is_not_followed(server, tmp_path_factory, tmp_path, target):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.txt").write_text("the key to everything")
    (outside / "secret.html").write_text("<p>the key to everything</p>")
    link, path = {
        "file": (tmp_path / "secret.txt", "/secret.txt"),
        "page": (tmp_path / "secret.html", "/secret.html"),
        "folder": (tmp_path / "elsewhere", "/elsewhere/secret.txt"),
    }[target]
    link.symlink_to(outside / link.name if target != "folder" else outside)
    answer = named(server, "GET", path)
    assert answer.startswith(b"HTTP/1.0 404 ") and b"the key to everything" not in answer


def test_links_that_stay_inside_the_folder_are_served(server, tmp_path):
    # as the outputs are: links into .builds/NAME/current/, which lies inside the output folder
    version = tmp_path / ".builds" / "r2" / "v1"
    (version / "figures").mkdir(parents=True)
    (version / "r2.html").write_bytes(PAGE)
    (version / "figures" / "r2-fdi.svg").write_text("<svg/>")
    (tmp_path / ".builds" / "r2" / "current").symlink_to("v1")
    (tmp_path / "r2.html").symlink_to(".builds/r2/current/r2.html")
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "r2-fdi.svg").symlink_to("../.builds/r2/current/figures/r2-fdi.svg")
    assert b"The report" in get(server, "/r2.html")[2]
    assert get(server, "/figures/r2-fdi.svg")[2] == b"<svg/>"


def test_a_folder_is_not_listed(server, tmp_path):
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "r-fdi.svg").write_text("<svg/>")
    answer = named(server, "GET", "/figures/")
    assert answer.startswith(b"HTTP/1.0 404 ") and b"r-fdi.svg" not in answer


def test_a_named_pipe_in_the_folder_holds_no_connection(server, tmp_path):
    os.mkfifo(tmp_path / "pipe.html")
    os.mkfifo(tmp_path / "pipe.txt")
    assert named(server, "GET", "/pipe.txt").startswith(b"HTTP/1.0 404 ")
    assert named(server, "GET", "/pipe.html").startswith(b"HTTP/1.0 200 ")  # as a page not built yet


@pytest.mark.parametrize(
    ("method", "hosts"),
    [
        # DNS rebinding: a page of another site whose name now resolves to 127.0.0.1 asks for ours
        *(("GET", [host]) for host in ["attacker.example", "127.0.0.1", "127.0.0.1.nip.io:{port}"]),
        *((method, ["attacker.example:{port}"]) for method in ["GET", "HEAD", *OTHER_METHODS]),
        ("GET", []),  # no name
        ("GET", ["127.0.0.1:{port}", "attacker.example:{port}"]),  # two names
    ],
)
def test_a_request_not_named_as_this_server_once_is_refused(server, method, hosts):
    answer = named(server, method, "/r.html", hosts)
    assert answer.startswith(b"HTTP/1.0 421 "), answer
    assert b"The report" not in answer


@pytest.mark.parametrize("method", OTHER_METHODS)
def test_methods_other_than_get_and_head_are_refused(server, method, tmp_path):
    answer = named(server, method, "/r.html")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 405 ") and b"\r\nAllow: GET, HEAD\r\n" in head
    assert b"The report" not in body
    assert (tmp_path / "r.html").read_bytes() == PAGE


def test_head_answers_without_a_body(server):
    answer = named(server, "HEAD", "/r.pdf")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200 ") and b"\r\nContent-Length: 19\r\n" in head and body == b""


def test_the_bounds_are_those_the_readme_states():
    assert (serve.IDLE_SECONDS, serve.REQUEST_SECONDS, serve.MAX_CONNECTIONS) == (5.0, 10.0, 32)


@pytest.fixture
def hurried(server, monkeypatch):
    """The server, its idle and request deadlines 1 s and 2 s for the connections it accepts (5 s and 10 s as shipped)."""
    monkeypatch.setattr(serve, "IDLE_SECONDS", 1.0)
    monkeypatch.setattr(serve, "REQUEST_SECONDS", 2.0)
    return server


@pytest.fixture
def logged(server, monkeypatch) -> list[str]:
    """The lines the server logs, from now on."""
    lines: list[str] = []
    monkeypatch.setattr(server, "log", lines.append)
    return lines


def test_a_connection_that_sends_nothing_is_closed(hurried):
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", hurried.port), timeout=10) as idle:
        assert idle.recv(1) == b""  # closed by the server
    assert 1.0 - 0.2 <= time.monotonic() - started <= 1.0 + 2


def test_a_request_that_never_ends_is_closed(hurried):
    # one header line every half second: never idle, never whole
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", hurried.port), timeout=0.5) as slow:
        slow.sendall(b"GET /r.html HTTP/1.1\r\n")
        with contextlib.suppress(OSError):
            while time.monotonic() - started < 2.0 + 10:
                slow.sendall(b"X-Slow: 1\r\n")
                try:
                    if slow.recv(1) == b"":
                        break
                except TimeoutError:
                    continue
    assert time.monotonic() - started <= 2.0 + 2


def test_connections_past_the_limit_are_closed_at_once_and_the_server_goes_on(server):
    held = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(serve.MAX_CONNECTIONS)]
    try:
        time.sleep(0.5)  # every one accepted, each holding a thread
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", server.port), timeout=3) as extra:
            assert extra.recv(1) == b""
        assert time.monotonic() - started < 2
    finally:
        for connection in held:
            connection.close()
    deadline = time.monotonic() + 10
    while True:  # the threads of the closed connections end, and the server answers again
        try:
            assert b"The report" in get(server, "/r.html")[2]
            break
        except (urllib.error.URLError, ConnectionError):
            assert time.monotonic() < deadline
            time.sleep(0.1)


def test_a_malformed_request_is_one_line_in_the_log_never_a_traceback(server, logged, capfd):
    assert named(server, "GET", "/r%00.html").startswith(b"HTTP/1.0 400 ")  # a NUL in the path
    assert named(server, "GET", "/r%00.txt").startswith(b"HTTP/1.0 400 ")
    assert raw(server, b"GE\x1b[2J T / HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.0 400 ")
    assert raw(server, b"GET /" + b"x" * 70_000 + b" HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.0 414 ")
    err = capfd.readouterr().err
    assert "Traceback" not in err and err == ""
    assert len(logged) == 4 and all("\n" not in line and len(line) < 400 for line in logged)
    assert all("400" in line for line in logged[:3]) and "414" in logged[3]
    assert "\x1b" not in logged[2] and "\\x1b" in logged[2]  # the request's bytes cannot act on the terminal


def test_an_aborted_request_is_one_line_in_the_log_never_a_traceback(server, logged, tmp_path, capfd):
    (tmp_path / "big.pdf").write_bytes(b"%PDF" + b"x" * 32 * 1024 * 1024)
    for _ in range(3):  # a reload: the browser closes the connection while the answer comes
        connection = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        connection.sendall(f"GET /big.pdf HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode())
        connection.recv(1024)
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()  # with a reset
    deadline = time.monotonic() + 10
    while len(logged) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert named(server, "GET", "/big.pdf").startswith(b"HTTP/1.0 200 ")
    assert "Traceback" not in capfd.readouterr().err
    assert len(logged) == 3 and all("\n" not in line and "closed the connection" in line for line in logged)
