"""The watch's server: files as on disk, the reload script only in what it serves."""

import json
import urllib.error
import urllib.request

import pytest

from analysis.serve import STATUS_PATH, Server, State, inject

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
    with pytest.raises(urllib.error.HTTPError) as caught:
        get(server, "/../../etc/passwd")
    assert caught.value.code == 404


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


@pytest.mark.parametrize(
    "host", ["attacker.example", "attacker.example:{port}", "127.0.0.1", "127.0.0.1.nip.io:{port}"]
)
def test_a_request_under_another_name_is_refused(server, host):
    # DNS rebinding: a page of another site whose name now resolves to 127.0.0.1 asks for ours
    request = urllib.request.Request(server.url + "r.html", headers={"Host": host.format(port=server.port)})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 421
    assert b"The report" not in refused.value.read()


def test_localhost_is_served_too(server):
    url = f"http://localhost:{server.port}/r.html"
    with urllib.request.urlopen(url, timeout=10) as response:
        assert b"The report" in response.read()
