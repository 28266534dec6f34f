"""The site: an index with a filter, a page per entry with the write-up and executed notebook.

The HTML is checked directly, and once in a real headless Chromium driven over the Chrome
DevTools Protocol (one screenshot, one search interaction), from the file system and over
HTTP as ``make serve`` serves it.
"""

import asyncio
import base64
import contextlib
import functools
import http.server
import io
import json
import os
import re
import shutil
import signal
import subprocess
import threading
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from kbfixture import notebook, write_entry
from nbformat import v4

from harness.client import eventually
from kb import cli
from kb.results import RunResult, write_summary
from kb.site import render


def png_plot() -> str:
    """A real PNG of a small plot, base64 (what an executed notebook's display_data holds)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([1, 2, 3], [1, 4, 9])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def build_kb(root: Path) -> Path:
    """Three entries; ``origin-refused`` executed (with a plot), ``mock-await`` failed, one not run."""
    write_entry(root, "origin-refused", title="The origin validator refuses the communicator",
                symptoms=("connect() returns (False, 1000)",), signatures=(r"OriginRefused: \d+",),
                quoted=("OriginRefused: 403",), front={"tags": ["origin", "middleware"]})
    write_entry(root, "mock-await", title="A Mock cannot be awaited",
                symptoms=("TypeError: object Mock can't be used in 'await' expression",),
                signatures=("MockAwait: nope",), quoted=("MockAwait: nope",), front={"tags": ["mocks"]})
    write_entry(root, "two-loops", title="Two event loops on one channel layer <script>alert(1)</script>",
                symptoms=("RuntimeError on the second receive",), signatures=("TwoLoops: x",),
                quoted=("TwoLoops: x",), front={"tags": ["event-loop"]},
                body="# t\n\n## Symptom\n\n`TwoLoops: x`, related to [the origin entry](origin-refused.md) "
                     "and [its notebook](../notebooks/two-loops.ipynb), see [harness](../harness/layers.py); "
                     "[shown](../notebooks/origin-refused.ipynb#cell-id=plot-cell).\n\n"
                     "## Root cause\n\n| layer | loop |\n|---|---|\n| redis | A |\n\n## Reproduce\n\nx\n\n"
                     "## Fix\n\nx\n\n## Guard\n\nx\n\n## Versions\n\nx\n")
    build = root / "build"
    (build / "executed").mkdir(parents=True)
    executed = notebook("origin-refused", cells=[v4.new_code_cell("plot()", execution_count=3, id="plot-cell", outputs=[
        v4.new_output("display_data", data={"image/png": png_plot(), "text/plain": "<Figure>"})])])
    nbformat.write(executed, build / "executed" / "origin-refused.ipynb")
    failed = notebook("mock-await", cells=[v4.new_code_cell("await m()", execution_count=3, outputs=[
        v4.new_output("error", ename="TypeError", evalue="object Mock can't be used in 'await' expression",
                      traceback=["\x1b[0;31mTypeError\x1b[0m: object Mock can't be used in 'await' expression"])])])
    nbformat.write(failed, build / "executed" / "mock-await.ipynb")
    write_summary(build, [RunResult("origin-refused", "passed", 4.2, "", "executed/origin-refused.ipynb"),
                          RunResult("mock-await", "failed", 3.1, "In [3]: TypeError: object Mock can't be used",
                                    "executed/mock-await.ipynb")], {})
    return render(root)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_kb(tmp_path_factory.mktemp("kb")).parent


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("a", "link", "script", "img") and (attrs.get("href") or attrs.get("src")):
            self.links.append(attrs.get("href") or attrs.get("src"))
        if "id" in attrs:
            self.ids.add(attrs["id"])


def parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_the_index_lists_every_entry_with_its_symptoms_and_a_search_box(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    for entry_id in ("origin-refused", "mock-await", "two-loops"):
        assert f'<a href="{entry_id}.html">' in html
    assert "connect() returns (False, 1000)" in html
    assert "TypeError: object Mock can&#39;t be used in &#39;await&#39; expression" in html
    assert '<input id="search" type="search"' in html and '<script src="search.js"></script>' in html
    assert "3 of 3 entries" in html
    assert "Notebooks: 1 failed, 1 not executed, 1 passed" in html


def test_text_from_entries_is_escaped(site):
    html = (site / "index.html").read_text(encoding="utf-8") + (site / "two-loops.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_every_local_link_of_the_site_resolves_and_none_is_absolute(site):
    for page in site.glob("*.html"):
        for link in parse(page).links:
            assert not link.startswith(("/", "file:", "http:", "https:")), (page.name, link)
            target = link.split("#")[0]
            if target and not target.startswith("data:") and not target.startswith("../"):
                assert (site / target).exists(), (page.name, link)


def test_an_entry_page_has_the_writeup_and_the_executed_notebook_with_its_plot(site):
    html = (site / "origin-refused.html").read_text(encoding="utf-8")
    ids = parse(site / "origin-refused.html").ids
    assert {"symptom", "root-cause", "reproduce", "fix", "guard", "versions", "notebook"} <= ids
    assert "<pre><code>OriginRefused: 403" in html
    assert re.search(r'<img [^>]*src="data:image/png;base64,iVBORw0KGgo', html)
    assert "passed, 4.2 s" in html and 'href="executed/origin-refused.ipynb"' in html


def test_a_failed_entry_page_shows_the_error_and_links_its_executed_notebook(site):
    html = (site / "mock-await.html").read_text(encoding="utf-8")
    assert "failed, 3.1 s" in html and "In [3]: TypeError: object Mock can&#39;t be used" in html
    assert 'href="executed/mock-await.ipynb"' in html
    assert '<span class="ansi-red-fg">TypeError</span>' in html
    assert (site / "executed" / "mock-await.ipynb").exists()


def test_an_entry_never_run_says_not_executed(site):
    html = (site / "two-loops.html").read_text(encoding="utf-8")
    assert "Not executed: <code>kb run two-loops</code>" in html


def test_writeup_links_to_entries_and_notebooks_point_into_the_site(site):
    html = (site / "two-loops.html").read_text(encoding="utf-8")
    assert '<a href="origin-refused.html">the origin entry</a>' in html
    assert '<a href="#notebook">its notebook</a>' in html
    # a claim's link lands on the executed cell that shows it
    assert '<a href="origin-refused.html#cell-id=plot-cell">shown</a>' in html
    assert 'id="cell-id=plot-cell"' in (site / "origin-refused.html").read_text(encoding="utf-8")
    assert '<a href="../../harness/layers.py">harness</a>' in html
    assert "<table>" in html  # mistune's table plugin


def test_when_a_writeup_is_unreadable_then_the_index_says_so_and_lists_the_rest(tmp_path):
    write_entry(tmp_path)
    (tmp_path / "context" / "broken.md").write_text("no front matter\n", encoding="utf-8")
    html = render(tmp_path).read_text(encoding="utf-8")
    assert "echo-refused.html" in html
    assert "broken.md: no YAML front matter" in html


def test_when_an_executed_notebook_is_corrupt_then_its_page_says_so(tmp_path):
    write_entry(tmp_path)
    (tmp_path / "build" / "executed").mkdir(parents=True)
    (tmp_path / "build" / "executed" / "echo-refused.ipynb").write_text("{", encoding="utf-8")
    render(tmp_path)
    assert "Cannot render echo-refused.ipynb" in (tmp_path / "build" / "site" / "echo-refused.html").read_text()


def test_when_there_are_no_entries_then_the_index_still_renders(tmp_path, capsys):
    (tmp_path / "context").mkdir()
    assert cli.main(["site", "--root", str(tmp_path)]) == 0
    html = (tmp_path / "build" / "site" / "index.html").read_text(encoding="utf-8")
    assert "No entries yet" in html and "0 of 0 entries" in html


# --- in a real browser ---------------------------------------------------------------------

CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
browser_only = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium; .ci/run installs it)")


# Poll a (sync or async) condition until truthy, with a deadline: the harness's own helper.
until = functools.partial(eventually, timeout=20.0, interval=0.05)


class Page:
    """A page of a headless Chromium, driven over the DevTools Protocol (one flat session)."""

    def __init__(self, ws, session: str):
        self.ws, self.session, self.ids, self.events = ws, session, iter(range(2, 10**6)), []

    @classmethod
    async def open(cls, ws):
        target = await cls.call(ws, 1, "Target.createTarget", {"url": "about:blank"})
        attached = await cls.call(ws, 1_000_001, "Target.attachToTarget",
                                  {"targetId": target["targetId"], "flatten": True})
        page = cls(ws, attached["sessionId"])
        await page.send("Page.enable")
        return page

    @staticmethod
    async def call(ws, message_id, method, params, session=None, events=None):
        message = {"id": message_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        await ws.send(json.dumps(message))
        while True:
            reply = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            if events is not None and "method" in reply:
                events.append(reply["method"])

    async def send(self, method: str, **params):
        return await self.call(self.ws, next(self.ids), method, params, self.session, self.events)

    async def goto(self, url: str) -> None:
        self.events.clear()
        await self.send("Page.navigate", url=url)
        await until(lambda: "Page.loadEventFired" in self.events or self._pump())

    async def _pump(self):
        try:  # read events until the load event arrives
            event = json.loads(await asyncio.wait_for(self.ws.recv(), 0.5))
        except TimeoutError:
            return False
        self.events.append(event.get("method"))
        return event.get("method") == "Page.loadEventFired"

    async def js(self, expression: str):
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    async def visible(self) -> list[str]:
        return await self.js("[...document.querySelectorAll('#entries > .entry')]"
                             ".filter(e => !e.hidden && e.offsetParent !== null).map(e => e.id)")


@contextlib.asynccontextmanager
async def chromium(profile: Path):
    """A headless Chromium with a fresh profile; its whole process group is killed at the end."""
    from websockets.asyncio.client import connect

    proc = await asyncio.create_subprocess_exec(
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--window-size=1200,900",
        f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank",
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        active = profile / "DevToolsActivePort"

        def ready():
            if proc.returncode is not None:
                raise RuntimeError(f"chromium exited with {proc.returncode}")
            lines = active.read_text().splitlines() if active.exists() else []
            return lines if len(lines) >= 2 else None

        port, path = await until(ready, timeout=60)
        async with connect(f"ws://127.0.0.1:{port}{path}", max_size=64 * 2**20, open_timeout=30) as ws:
            yield await asyncio.wait_for(Page.open(ws), 30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        await asyncio.wait_for(proc.wait(), 30)


@contextlib.contextmanager
def served(folder: Path):
    """``make serve``'s server (http.server on the site folder) on a free port, in a thread."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@browser_only
@pytest.mark.browser
@pytest.mark.asyncio
async def test_in_a_browser_the_search_box_filters_entries_and_the_page_renders(site, tmp_path):
    async with chromium(tmp_path / "profile") as page:
        await page.goto((site / "index.html").as_uri())
        assert sorted(await page.visible()) == ["mock-await", "origin-refused", "two-loops"]
        assert await page.js("document.activeElement.id") == "search"

        await page.send("Input.insertText", text="origin")  # typed into the focused search box
        assert await until(async_equals(page.visible, ["origin-refused"]))
        assert await page.js("document.getElementById('count').textContent") == "1 of 3 entries"
        assert await page.js("location.hash") == "#q=origin"

        shot = base64.b64decode((await page.send("Page.captureScreenshot", format="png"))["data"])
        assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 10_000
        keep(shot)

        await page.goto((site / "origin-refused.html").as_uri())
        assert await page.js("document.querySelector('#notebook img[src^=\"data:image/png\"]').naturalWidth") > 100
        assert await page.js("document.getElementById('root-cause').textContent") == "Root cause"

        # a link can open the index filtered: #q=... (or ?q=...)
        await page.goto((site / "index.html").as_uri() + "#q=mock%20await")
        assert await page.visible() == ["mock-await"]
        await page.goto((site / "index.html").as_uri() + "?q=no-such-words")
        assert await page.visible() == []
        assert await page.js("document.getElementById('none').hidden") is False


@browser_only
@pytest.mark.browser
@pytest.mark.asyncio
async def test_in_a_browser_the_site_works_over_http_like_make_serve(site, tmp_path):
    with served(site) as base:
        async with chromium(tmp_path / "profile") as page:
            await page.goto(f"{base}/index.html")
            await page.send("Input.insertText", text="event-loop")
            assert await until(async_equals(page.visible, ["two-loops"]))
            await page.js("document.querySelector('#two-loops a').click()")
            await until(lambda: page.js("location.pathname === '/two-loops.html' && document.readyState === 'complete'"))
            assert await page.js("document.querySelector('#notebook .not-executed') !== null")


def keep(screenshot: bytes) -> None:
    """To look at the screenshot: ``KB_SCREENSHOT=/tmp/index.png pytest tests/test_site.py``."""
    if os.environ.get("KB_SCREENSHOT"):
        Path(os.environ["KB_SCREENSHOT"]).write_bytes(screenshot)


def async_equals(get, expected):
    async def check():
        return await get() == expected
    return check
