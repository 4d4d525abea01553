"""The web interface in a real browser: headless Chromium driven by Selenium against ``newsindex serve``.

A journalist's session, step by step: type a query, click a facet, page,
click a period of the timeline, export the hits as CSV and read them back,
open an article, its story and a comparison; then the hostile articles of
``conftest.HOSTILE`` are opened everywhere they show, and nothing they carry
may run. The server is the real command (``newsindex serve --port 0``) in
a process of its own. Chromium and ChromeDriver are Debian's packages
(``chromium``, ``chromium-driver``), which ``.ci/run`` installs.

Screenshots of each page go to the test's temporary directory, and also to
``$NEWSINDEX_SCREENSHOTS`` when it is set (that is how ``docs/`` got its two).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import HOSTILE
from newsindex import NewsIndex

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="no Chromium/ChromeDriver on this machine: install Debian's chromium and chromium-driver (.ci/run does)",
)

#: Chromium as root in a sandboxless container, with nothing reaching out to the network on its own.
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1300,1000",
)
SEEDS = ("000_7887337d1080e0d6", "001_d111d31f41ebd35a")


@pytest.fixture(scope="module")
def server(web_index_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """``newsindex serve`` on a free port; yields its address. What it logs must hold no error."""
    command = [sys.executable, "-m", "newsindex.cli", "serve", "--index", str(web_index_dir), "--port", "0"]
    log = tmp_path_factory.mktemp("serve") / "stderr.txt"
    with log.open("w") as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True)
    try:
        line = process.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        assert match, f"serve said: {line!r} {log.read_text()}"
        yield match.group(1)
    finally:
        process.terminate()  # what Ctrl-C does too: the server stops, says so, exits 0
        assert process.wait(timeout=20) == 0
        logged = log.read_text()
        assert "stopped serving" in logged and "Traceback" not in logged and "ERROR" not in logged, logged


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, downloads: Path):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def index(web_index: NewsIndex) -> NewsIndex:
    return web_index


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


def screenshot(browser, shots: Path, name: str) -> None:
    """A full-page screenshot, kept with the test run (and in $NEWSINDEX_SCREENSHOTS when set)."""
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1300, max(700, min(height, 2200)))
    path = shots / f"{name}.png"
    assert browser.save_screenshot(str(path)) and path.stat().st_size > 10_000
    if os.environ.get("NEWSINDEX_SCREENSHOTS"):
        shutil.copy(path, Path(os.environ["NEWSINDEX_SCREENSHOTS"]) / path.name)
    browser.set_window_size(1300, 1000)


def total_shown(browser) -> int:
    return int(browser.find_element(By.CSS_SELECTOR, "p.total strong").text.replace(",", ""))


def test_a_journalist_searches_narrows_pages_and_exports(browser, server: str, index: NewsIndex, downloads: Path, shots: Path) -> None:
    browser.get(server)
    box = browser.find_element(By.NAME, "q")
    box.send_keys("oil", Keys.ENTER)
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "p.total")))
    assert total_shown(browser) == index.count("oil")
    WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#terms .termlist")))
    screenshot(browser, shots, "search")

    # A facet narrows the search, and the query box shows how.
    topic, count = index.facets("oil", ["topic"])["topic"][0]
    browser.find_element(By.XPATH, f"//section[@class='facet'][h3='topic']//a[text()='{topic}']").click()
    assert browser.find_element(By.NAME, "q").get_attribute("value") == f'oil topic:"{topic}"'
    assert total_shown(browser) == count

    # Paging: the second page starts at hit 21 and the URL says page 2.
    browser.get(server + "?q=oil&size=10")
    browser.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
    assert "page=2" in browser.current_url
    assert browser.find_element(By.CSS_SELECTOR, "ol.hits").get_attribute("start") == "11"
    first_ids = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "li.hit .id")]
    assert first_ids == [h.id for h in index.search("oil", limit=10, page=2)]

    # A bar of the timeline narrows the dates to its period.
    bars = browser.find_elements(By.CSS_SELECTOR, "svg.chart a.bar")
    assert bars
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", bars[0])
    WebDriverWait(browser, 10).until(EC.url_contains("since="))
    since = browser.find_element(By.NAME, "since").get_attribute("value")
    until = browser.find_element(By.NAME, "until").get_attribute("value")
    assert total_shown(browser) == index.count("oil", since=since, until=until) > 0

    # Export every hit as CSV from the browser, and read the file back.
    browser.get(server + "?q=oil&size=10")
    browser.find_element(By.LINK_TEXT, "CSV").click()
    target = downloads / "newsindex-oil.csv"
    deadline = time.monotonic() + 20
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    with target.open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.DictReader(f))
    assert [r["id"] for r in table] == index.ids("oil", limit=index.count("oil"))
    assert table[0]["search"] == "q=oil" and "at commit" in table[0]["index"]


def test_article_story_and_comparison(browser, server: str, index: NewsIndex, shots: Path) -> None:
    browser.get(server + "?q=extradite&collapse=1")
    browser.find_element(By.CSS_SELECTOR, "a.tellings").click()  # "1 other telling"
    story_id, tellings = index.story(SEEDS[0])
    assert [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".story-list .id")] == [t.id for t in tellings]
    screenshot(browser, shots, "story")

    browser.get(server + "?q=extradite")
    browser.find_element(By.CSS_SELECTOR, "li.hit h2 a").click()
    marked = [e.text.lower() for e in browser.find_elements(By.CSS_SELECTOR, ".body mark")]
    assert marked and set(marked) <= {"extradite", "extradition", "extradited"}
    screenshot(browser, shots, "article")
    browser.find_element(By.CSS_SELECTOR, ".story a.action").click()  # compare with the other telling
    assert browser.find_elements(By.CSS_SELECTOR, ".compare .sentence.only")
    numbers = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "mark.detail.number")]
    assert "8,7" in " ".join(numbers)
    screenshot(browser, shots, "compare")

    # "compare with..." by id, from the article page
    browser.get(server + f"article/{SEEDS[0]}")
    browser.find_element(By.NAME, "b").send_keys(SEEDS[1], Keys.ENTER)
    WebDriverWait(browser, 20).until(EC.url_contains("compare"))  # a form sent with Enter loads after send_keys returns
    assert browser.find_elements(By.CSS_SELECTOR, ".compare .head")

    # A sentence's number on the comparison traces it: every telling, the earliest first.
    browser.find_element(By.CSS_SELECTOR, "#a10 a.num").click()
    assert "/trace?" in browser.current_url
    tellings = browser.find_elements(By.CSS_SELECTOR, "li.telling")
    assert [t.get_attribute("class") for t in tellings][0] == "telling earliest" and SEEDS[1] in tellings[1].text
    screenshot(browser, shots, "trace")


def test_errors_show_on_the_page(browser, server: str) -> None:
    browser.get(server)
    browser.find_element(By.NAME, "q").send_keys('"refused to extradite', Keys.ENTER)
    WebDriverWait(browser, 20).until(EC.presence_of_element_located((By.CSS_SELECTOR, "p.error")))
    assert "unbalanced quote" in browser.find_element(By.CSS_SELECTOR, "p.error").text
    browser.get(server + "article/no-such-article")
    assert "no article with id" in browser.find_element(By.CSS_SELECTOR, "p.error").text


def pwned(browser) -> object:
    return browser.execute_script("return window.__pwned === undefined ? null : window.__pwned")


def test_hostile_articles_stay_inert_in_the_browser(browser, server: str, shots: Path) -> None:
    browser.get_log("browser")  # start from an empty console
    pages = ["?q=zyxhostile", "?q=zyxhostile&collapse=1", "article/hostile-1?q=zyxhostile", "article/hostile-2",
             "similar/hostile-2",
             "story/hostile-1", "compare?a=hostile-1&b=hostile-2", "terms?q=zyxhostile",
             "trace?claim=raise+the+harbour+tax+by+4%25+from+June", "trace?id=hostile-1"]
    for page in pages:
        browser.get(server + page)
        WebDriverWait(browser, 20).until(lambda b: b.execute_script(
            "return document.readyState == 'complete' && !document.querySelector('section.loading')"))
        time.sleep(0.3)  # let a deferred payload (onerror of a broken image) fire if it could
        for element in browser.find_elements(By.CSS_SELECTOR, "a, b, i, span"):
            browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('mouseover', {bubbles: true}))", element)
        assert pwned(browser) is None, page
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.text  # noqa: B018
        # Nothing the articles carry became an element: no script of theirs, no handler, no javascript: link.
        assert browser.execute_script(
            "return [...document.querySelectorAll('script')].filter(s => !s.src || s.textContent.includes('__pwned')).length"
        ) == 0, page
        assert browser.execute_script(
            "return [...document.querySelectorAll('*')].filter(e => [...e.attributes].some("
            "a => a.name.startsWith('on') || /^\\s*javascript:/i.test(a.value))).length"
        ) == 0, page
        assert not browser.find_elements(By.CSS_SELECTOR, "main img, main iframe, main svg:not(.chart), main b"), page
        if page.startswith("article/hostile-1"):
            body = browser.find_element(By.CSS_SELECTOR, ".body").text
            assert "<img src=x onerror=" in body and "<svg onload=" in body  # shown as text, literally
            assert browser.find_element(By.CSS_SELECTOR, "h1").text.startswith("<script>window.__pwned='title'</script>")
            assert browser.find_element(By.CSS_SELECTOR, ".unsafe-url").text == "javascript:window.__pwned='url'"
            screenshot(browser, shots, "hostile-article")
        if page.startswith("article/hostile-2"):
            link = browser.find_element(By.CSS_SELECTOR, "dd a[rel~=noreferrer]")
            assert link.get_attribute("href") == "https://example.org/harbour?a=1&b=%3C2%3E"
    # An id with slashes, "..", "?", "#", quotes and markup: its hit still opens its article.
    browser.get(server + "?q=zyxhostile+ferry")
    browser.find_element(By.CSS_SELECTOR, "li.hit h2 a").click()
    assert browser.find_element(By.CSS_SELECTOR, "dd.id").text == HOSTILE[2]["id"]
    assert pwned(browser) is None
    # The page's policy never had to block anything: nothing tried to run.
    blocked = [e["message"] for e in browser.get_log("browser") if "Content Security Policy" in e["message"]]
    assert blocked == []
