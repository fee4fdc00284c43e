"""Run the app in a headless Streamlit server and look at it with headless Chromium.

Used by the end-to-end test (tests/test_app_e2e.py) and by docs/make_screenshots.py. Chromium's own
`--screenshot` fires at the load event, before Streamlit has rendered anything over its websocket (the
picture is the grey loading skeleton, even with --virtual-time-budget), so the browser is driven over
the DevTools protocol instead: open a URL, wait until the page has rendered and settled, type, click,
take the screenshot. Everything stays on 127.0.0.1; each browser gets a fresh profile.
"""
from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

from nlp.config import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
)
APP = PROJECT_ROOT / "app_streamlit.py"
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
# Rendered = the app has drawn its main block, its script is not running and no skeleton is left.
_STATE_JS = """(() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const main = document.querySelector('[data-testid="stMain"]');
  const run = app ? app.getAttribute('data-test-script-state') : 'none';
  const skeleton = !!document.querySelector('[data-testid="stSkeleton"]');
  return JSON.stringify({text: main ? main.innerText.length : 0, busy: run !== 'notRunning' || skeleton, run});
})()"""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with _LOCAL.open(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"streamlit not healthy at {url} after {timeout:.0f} s")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def serve(data_dir: Path, log: Path, timeout: float = 120) -> Iterator[str]:
    """`streamlit run app_streamlit.py` on a free port of 127.0.0.1 for `data_dir`; yields its base URL."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port)]
    env = {**os.environ, "CCHC_DATA_DIR": str(data_dir)}
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            _wait_healthy(url, proc, timeout)
        except (RuntimeError, TimeoutError) as exc:
            tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(f"{exc}; server log:\n{tail}") from exc
        yield url
    finally:
        _stop(proc)


class Browser:
    """One headless Chromium page driven over the DevTools protocol."""

    def __init__(self, conn: ClientConnection) -> None:
        self._conn = conn
        self._next = 0

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send a DevTools command and return its result."""
        self._next += 1
        self._conn.send(json.dumps({"id": self._next, "method": method, "params": params}))
        while True:
            msg = json.loads(self._conn.recv(timeout=120))
            if msg.get("id") == self._next:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def evaluate(self, js: str) -> Any:
        """The value of a JavaScript expression in the page."""
        result = self.call("Runtime.evaluate", expression=js, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"JavaScript failed: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def resize(self, width: int, height: int) -> None:
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=False)

    def open(self, url: str, timeout: float = 60) -> None:
        """Load a URL and wait until the app has rendered it."""
        self.call("Page.navigate", url=url)
        time.sleep(0.5)
        self.settle(timeout)

    def settle(self, timeout: float = 60, quiet: float = 1.5) -> None:
        """Wait until the app shows content, is not running and its text stopped changing for `quiet` s."""
        deadline = time.monotonic() + timeout
        last, since = None, time.monotonic()
        while time.monotonic() < deadline:
            state = json.loads(self.evaluate(_STATE_JS))
            if state != last:
                last, since = state, time.monotonic()
            elif state["text"] > 0 and not state["busy"] and time.monotonic() - since >= quiet:
                return
            time.sleep(0.25)
        raise TimeoutError(f"page not rendered after {timeout:.0f} s (last state {last})")

    def text(self) -> str:
        """The visible text of the app's main area."""
        return self.evaluate("document.querySelector('[data-testid=\"stMain\"]')?.innerText || ''")

    def type_into(self, selector: str, text: str) -> None:
        """Type into a field as a user would, then leave it (Streamlit commits on blur)."""
        self.evaluate(f"document.querySelector({json.dumps(selector)}).focus()")
        self.call("Input.insertText", text=text)
        self.evaluate("document.activeElement.blur()")
        time.sleep(0.5)
        self.settle()

    def click_button(self, label: str) -> None:
        """Click the first button whose text contains `label` and wait for the rerun."""
        clicked = self.evaluate(
            f"(() => {{ const b = [...document.querySelectorAll('button')].find(x => x.innerText.includes("
            f"{json.dumps(label)})); if (b) b.click(); return !!b; }})()"
        )
        if not clicked:
            raise LookupError(f"no button '{label}'")
        time.sleep(0.5)
        self.settle()

    def scroll_to(self, text: str) -> None:
        """Scroll the first heading containing `text` to the top of the view."""
        self.evaluate(
            f"[...document.querySelectorAll('h1, h2, h3')].find(h => h.innerText.includes({json.dumps(text)}))"
            "?.scrollIntoView()"
        )
        time.sleep(0.5)

    def screenshot(self, png: Path) -> Path:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        png.write_bytes(base64.b64decode(data))
        return png


def _devtools_url(profile: Path, proc: subprocess.Popen, timeout: float = 30) -> str:
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while not (port_file.exists() and port_file.read_text().strip()):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("Chromium did not start its DevTools endpoint")
        time.sleep(0.1)
    port = port_file.read_text().split()[0]
    with _LOCAL.open(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
        pages = [t for t in json.load(resp) if t["type"] == "page"]
    return pages[0]["webSocketDebuggerUrl"]


@contextmanager
def browser(width: int = 1400, height: int = 1000) -> Iterator[Browser]:
    """A headless Chromium (fresh profile, DevTools on a free loopback port) showing about:blank."""
    with tempfile.TemporaryDirectory(prefix="cchc-chromium-", ignore_cleanup_errors=True) as tmp:
        profile = Path(tmp)
        proc = subprocess.Popen(
            [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
             "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            with connect(_devtools_url(profile, proc), max_size=1 << 28, proxy=None) as conn:
                page = Browser(conn)
                page.resize(width, height)
                yield page
        finally:
            _stop(proc)


def colours(png: Path) -> int:
    """Number of distinct colours in a PNG (a blank page has one or two)."""
    from PIL import Image

    with Image.open(png) as img:
        return len(img.convert("RGB").getcolors(maxcolors=1 << 24) or [])
