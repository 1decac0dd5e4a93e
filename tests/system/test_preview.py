"""`snapshotpdf preview` in a real browser: Debian's chromium, driven by Selenium through
Debian's chromedriver (make setup installs both). The server runs as a subprocess on a free
port against a copy of the bundled layout, which the test then edits on disk."""

from __future__ import annotations

import io
import re
import selectors
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from snapshotpdf.assets import fonts_dir
from snapshotpdf.render.layout import load_layout

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="Debian's chromium and chromium-driver are not installed (make setup installs them)",
)
WAIT = 30  # seconds a change may take to show on a busy machine (it takes one or two)
MAGENTA = (255, 0, 255)

# What the page shows now, read in the browser.
STATE = """
const images = [...document.querySelectorAll("#pages img")];
const error = document.getElementById("error");
return {
  version: document.body.dataset.version || null,
  city: document.getElementById("city").value,
  cities: document.getElementById("city").options.length,
  images: images.length,
  loaded: images.every((img) => img.complete && img.naturalWidth > 0),
  sources: images.map((img) => img.src),
  error: error.hidden ? null : error.textContent,
};
"""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(URL, layout folder) of a preview server running on a copy of the bundled layout."""
    layout = tmp_path / "layouts" / "snapshot"
    shutil.copytree(load_layout().folder, layout)
    (tmp_path / "fonts").symlink_to(fonts_dir())  # where its CSS finds them: ../../fonts
    command = [sys.executable, "-m", "snapshotpdf", "preview", "--layout", str(layout)]
    server = subprocess.Popen(
        [*command, "--port", "0", "-q"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = _first_url(server)
        yield url, layout
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            _out, err = server.communicate(timeout=WAIT)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    assert server.returncode == 0, err
    assert "Traceback" not in err and "preview stopped" in err


def _first_url(server: subprocess.Popen[str]) -> str:
    assert server.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(server.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=WAIT):
            pytest.fail("the preview server printed no URL")
    line = server.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:\d+/", line)
    assert found, line
    return found[0]


@pytest.fixture
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1280,1000")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _until(driver: Any, check: Any) -> dict[str, Any]:
    """The page's state once check(state) holds."""
    from selenium.webdriver.support.ui import WebDriverWait

    state: dict[str, Any] = {}

    def holds(d: Any) -> bool:
        state.update(d.execute_script(STATE))
        return bool(check(state))

    try:
        WebDriverWait(driver, WAIT, poll_frequency=0.1).until(holds)
    except Exception:
        pytest.fail(f"the page never got there; it shows {state}")
    return state


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=WAIT) as response:
        assert response.headers["Cache-Control"] == "no-store"
        return bytes(response.read())


def _corner(png: bytes) -> tuple[int, ...]:
    with Image.open(io.BytesIO(png)) as image:
        rgb = image.convert("RGB")
        return tuple(rgb.getpixel((rgb.width - 3, rgb.height - 3)))  # type: ignore[arg-type]


def test_the_preview_follows_the_city_the_css_and_a_broken_template(
    served: tuple[str, Path], browser: Any
) -> None:
    import json

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    url, layout = served
    browser.get(url)
    first = _until(browser, lambda s: s["version"] and s["images"] and s["loaded"])
    assert first["cities"] == 26 and first["error"] is None  # the sample survey

    # Another city: its own pages, as many as it has.
    Select(browser.find_element(By.ID, "city")).select_by_index(3)
    city = browser.find_element(By.ID, "city").get_attribute("value")
    expected = json.loads(_fetch(f"{url}version?city={city}"))["pages"]
    assert city != first["city"] and expected >= 1
    shown = _until(
        browser,
        lambda s: (
            s["images"] == expected
            and s["loaded"]
            and all(f"city={city}&" in src for src in s["sources"])
        ),
    )
    before = _fetch(shown["sources"][0])
    assert _corner(before) != MAGENTA
    assert browser.current_url.endswith(f"/?city={city}")

    # A CSS change on disk: the page's images change by themselves.
    css = layout / "snapshot.css"
    css.write_text(
        css.read_text(encoding="utf-8") + "\n@page { background: rgb(255, 0, 255); }\n",
        encoding="utf-8",
    )
    started = time.monotonic()
    changed = _until(browser, lambda s: s["version"] != shown["version"] and s["loaded"])
    print(f"a CSS change showed after {time.monotonic() - started:.1f} s")
    after = _fetch(changed["sources"][0])
    assert after != before and _corner(after) == MAGENTA
    assert changed["images"] == expected

    # A broken template: its error on the page, file and line; fixed, the pages are back.
    template = layout / "snapshot.html.j2"
    original = template.read_text(encoding="utf-8")
    template.write_text("{% if %}\n" + original, encoding="utf-8")
    broken = _until(browser, lambda s: s["error"])
    assert broken["error"].startswith("snapshot.html.j2, line 1: ")
    assert broken["images"] == 0
    assert browser.find_element(By.ID, "error").is_displayed()

    template.write_text(original, encoding="utf-8")
    fixed = _until(browser, lambda s: s["error"] is None and s["images"] and s["loaded"])
    assert fixed["images"] == expected and _corner(_fetch(fixed["sources"][0])) == MAGENTA
