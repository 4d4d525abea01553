"""The web interface without a browser: pages, JSON API, export, limits, errors and safety.

Requests go through Flask's test client to the application over the sample
corpus plus articles carrying markup and script in every field
(``conftest.HOSTILE``). What a real browser does with the pages is in
``test_web_browser.py``.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import HOSTILE
from markupsafe import escape

from newsindex import NewsIndex
from newsindex.coverage.timeline import Period
from newsindex.ingest.readers import read_paths
from newsindex.web import create_app, export
from newsindex.web.alignment import changes, rows
from newsindex.web.chart import auto_granularity, period_bounds
from newsindex.web.marks import Marker, safe_href, spans_html
from newsindex.web.params import SearchState, search_state
from newsindex.web.server import is_loopback

SEEDS = ("000_7887337d1080e0d6", "001_d111d31f41ebd35a")


@pytest.fixture(scope="module")
def index(web_index: NewsIndex) -> NewsIndex:
    return web_index


@pytest.fixture(scope="module")
def client(index: NewsIndex):
    return create_app(index).test_client()


def get(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.get_data(as_text=True)[:500])
    return response


def links(html: str) -> list[str]:
    """The links of a page, relative ones (``?q=...``) made absolute to the search page."""
    return [("/" if m.startswith("?") else "") + m.replace("&amp;", "&") for m in re.findall(r'href="([^"]*)"', html)]


# -- the search page ----------------------------------------------------------------------------


def test_search_page_shows_the_exact_total_a_page_of_hits_facets_and_a_clickable_timeline(client, index) -> None:
    html = get(client, "/?q=oil&size=10").get_data(as_text=True)
    total = index.count("oil")
    assert total > 10
    assert f"<strong>{total:,}</strong> articles match" in html
    assert html.count('<li class="hit">') == 10
    assert "<mark>" in html  # highlighted snippets
    # Facets: each value is a link to the same search narrowed by it.
    top_topic, count = index.facets("oil", ["topic"])["topic"][0]
    facet_link = next(u for u in links(html) if f'topic:"{top_topic}"' in parse_qs(urlsplit(u).query).get("q", [""])[0])
    narrowed = parse_qs(urlsplit(facet_link).query)["q"][0]
    assert narrowed == f'oil topic:"{top_topic}"'
    assert index.count(narrowed) == count
    # The timeline: an SVG whose bars link to the same search narrowed to their period.
    assert "<svg" in html and 'class="bar"' in html
    bar = next(u for u in links(html) if "since=" in u and "until=" in u)
    params = parse_qs(urlsplit(bar).query)
    narrowed_total = index.count("oil", since=params["since"][0], until=params["until"][0])
    assert 0 < narrowed_total < total
    assert f"<strong>{narrowed_total:,}</strong>" in get(client, bar).get_data(as_text=True)


def test_paging_one_hit_per_story_and_sort_follow_the_library(client, index) -> None:
    html = get(client, "/?q=oil&size=10&page=2&sort=date").get_data(as_text=True)
    expected = index.search("oil", limit=10, page=2, sort="date")
    ids = re.findall(r'<span class="id">([^<]*)</span>', html)
    assert ids == [hit.id for hit in expected]
    assert 'rel="prev"' in html and 'rel="next"' in html
    collapsed = get(client, "/?q=extradite&collapse=1").get_data(as_text=True)
    assert "1 other telling" in collapsed and collapsed.count('<li class="hit">') == 1


def test_the_search_state_lives_in_the_url() -> None:
    state = SearchState(q='oil "crude oil"', since="1987-03", until="1987-04-15", sort="date-asc", any=True,
                        collapse=True, feedback=True, page=3, size=50, by="week", norm=True)
    assert search_state({k: v[0] for k, v in parse_qs(state.query_string()).items()}) == state
    assert SearchState(q="oil").query_string() == "q=oil"  # defaults stay out of links
    assert state.with_filter("source", 'The "Insider"').q == 'oil "crude oil" source:"The Insider"'
    assert SearchState(q="oil OR gas").with_term("crude oil").q == '(oil OR gas) "crude oil"'


def test_a_malformed_query_shows_its_query_error_on_the_page_and_in_the_api(client) -> None:
    page = get(client, "/?q=%22refused+to+extradite", 400).get_data(as_text=True)
    assert "unbalanced quote" in page and "at character 1 of the query" in page
    assert 'value="&#34;refused to extradite"' in page  # the form keeps what was typed
    answer = get(client, "/api/search?q=foo:bar", 400).get_json()
    assert answer["status"] == 400 and "foo" in answer["error"]
    page = get(client, "/?q=oil&since=1987-13", 400).get_data(as_text=True)
    assert "since: impossible date" in page and 'value="1987-13"' in page


@pytest.mark.parametrize("url", [
    "/?q=oil&size=101", "/?q=oil&size=0", "/?q=oil&page=501&size=20", "/?q=oil&page=x", "/?q=oil&sort=random",
    "/?q=" + "a" * 2001, "/api/facets?q=oil&top=1000", "/api/search?q=oil&facet=colour", "/export.csv?q=",
])
def test_limits_are_refused_with_a_message_not_a_server_error(client, url: str) -> None:
    response = get(client, url, 400)
    assert b"must" in response.data or b"limit" in response.data or b"deepest" in response.data or b"needs" in response.data


@pytest.mark.parametrize("url", [
    "/article/no-such-article", "/story/no-such-article", "/compare?a=no-such&b=" + SEEDS[0],
    "/similar/no-such-article", "/api/article/no-such-article", "/api/story/no-such-article", "/api/article/no-such/similar", "/nowhere",
])
def test_unknown_ids_give_a_404_page(client, url: str) -> None:
    response = get(client, url, 404)
    assert b"no-such" in response.data or b"no such page" in response.data


# -- article, story, compare ------------------------------------------------------------------


def test_article_page_highlights_the_query_and_lists_its_story_and_similar_articles(client, index) -> None:
    html = get(client, f"/article/{SEEDS[1]}?q=extradite").get_data(as_text=True)
    assert "<mark>Extradite</mark>" in html
    story_id, tellings = index.story(SEEDS[1])
    assert [t.id for t in tellings] == sorted([t.id for t in tellings], key=lambda i: index.get(i).published)
    other = SEEDS[0]
    assert f"/compare?a={SEEDS[1]}&b={other}" in links(html)
    assert f'data-src="/similar/{SEEDS[1]}?q=extradite&amp;panel=1"' in html  # loaded after the page
    panel = get(client, f"/similar/{SEEDS[1]}?q=extradite&panel=1").get_data(as_text=True)
    best, _ = index.similar(SEEDS[1], limit=1)[0]
    assert f"{best.score:.2f}" in panel and f"/compare?a={SEEDS[1]}&b={best.id}" in links(panel)
    assert "<html" not in panel and "<html" in get(client, f"/similar/{SEEDS[1]}").get_data(as_text=True)


def test_story_and_compare_pages(client, index) -> None:
    story_id, tellings = index.story(SEEDS[0])
    html = get(client, f"/story/{story_id}").get_data(as_text=True)
    assert all(t.id in html for t in tellings)
    page = get(client, f"/compare?a={SEEDS[0]}&b={SEEDS[1]}").get_data(as_text=True)
    comparison = index.compare(*SEEDS)
    assert f"Only in A: {len(comparison.a.only)}. Only in B: {len(comparison.b.only)}." in page
    assert '<mark class="detail number"' in page and "8,7" in page


def test_compare_page_shows_the_words_changed_inside_shared_statements(client, index) -> None:
    comparison = index.compare("hostile-1", "hostile-2")
    listed = changes(comparison, Marker())
    figure = next(c for c in listed if ("number", "4% -> 5%") in c.edits)
    page = get(client, "/compare?a=hostile-1&b=hostile-2").get_data(as_text=True)
    assert "<del>4%</del><ins>5%</ins>" in page  # the corrected figure, marked inline
    assert '<span class="kind number">number</span> 4% -&gt; 5%' in page
    assert f"Changed inside statements both make ({sum(not c.retold for c in listed)})" in page
    # The sentences of a changed statement say so in the rows and link to it: none looks plainly shared.
    assert f'<li id="{figure.anchor}">' in page
    assert re.search(rf'id="a{figure.a[0]}">\s*<a class="num"[^>]*>A{figure.a[0]}</a>\s*'
                     rf'<a class="badge changed" href="#{figure.anchor}">', page)
    assert {comparison.a.sentence(n - 1).status for n in figure.a} == {"changed"}


def test_compare_one_id_picks_the_earlier_telling_and_says_why(client, index) -> None:
    comparison = index.compare(SEEDS[1])
    page = get(client, f"/compare?b={SEEDS[1]}").get_data(as_text=True)
    assert str(escape(comparison.chosen.reason)) in page
    assert f"/article/{comparison.a.id}" in links(page)
    assert get(client, f"/api/compare?b={SEEDS[1]}").get_json() == json.loads(json.dumps(comparison.to_dict()))
    assert "compare needs an article id" in get(client, "/api/compare", 400).get_json()["error"]


def test_trace_page_lists_the_tellings_oldest_first_with_what_each_changed(client, index) -> None:
    found = index.trace_sentence(SEEDS[0], 9)
    assert [t.id for t in found.tellings][:2] == [SEEDS[0], SEEDS[1]]
    page = get(client, f"/trace?id={SEEDS[0]}&sentence=9").get_data(as_text=True)
    assert page.count('<li class="telling ') == len(found.tellings)
    assert page.index(f"/article/{SEEDS[0]}") < page.index(f"/article/{SEEDS[1]}")
    assert '<span class="badge earliest">earliest</span>' in page
    assert f"/compare?a={SEEDS[0]}&b={SEEDS[1]}" in links(page)
    # A figure changed against the earliest is marked inline, as compare marks it.
    changed = get(client, "/trace?claim=raise+the+harbour+tax+by+4%25+from+June").get_data(as_text=True)
    assert "<del>4%</del><ins>5%</ins>" in changed and changed.index("hostile-1") < changed.index("hostile-2")
    # An article's sentences, each a link that traces it.
    listing = get(client, f"/trace?id={SEEDS[0]}").get_data(as_text=True)
    assert f"/trace?id={SEEDS[0]}&sentence=9" in links(listing)
    assert get(client, "/trace").status_code == 200  # the form alone


def test_trace_api_is_the_library_s_trace(client, index) -> None:
    claim = "Syria's weapons are entirely Russian"
    assert get(client, f"/api/trace?claim={claim}").get_json() == json.loads(json.dumps(index.trace(claim).to_dict()))
    one = get(client, f"/api/trace?id={SEEDS[0]}&sentence=9&limit=1").get_json()
    assert one == json.loads(json.dumps(index.trace_sentence(SEEDS[0], 9, limit=1).to_dict()))
    sentences = get(client, f"/api/trace?id={SEEDS[0]}").get_json()
    assert [s["text"] for s in sentences] == [s.text for s in index.sentences(SEEDS[0])]
    for url, message in (
        ("/api/trace", "trace needs"), (f"/api/trace?claim=x&id={SEEDS[0]}", "not both"),
        ("/api/trace?sentence=2", "needs the article"), (f"/api/trace?id={SEEDS[0]}&sentence=x", "whole number"),
        (f"/api/trace?id={SEEDS[0]}&sentence=9999", "there is no sentence 9999"),
        ("/api/trace?claim=" + "word%20" * 300, "at most 200 words"),
    ):
        assert message in get(client, url, 400).get_json()["error"], url
    get(client, "/api/trace?id=no-such&sentence=1", 404)


def test_side_by_side_rows_keep_each_article_in_reading_order_and_show_every_sentence_once(index) -> None:
    comparison = index.compare(*SEEDS)
    laid_out = rows(comparison)
    for side, cells in (("a", [c for r in laid_out for c in r.a]), ("b", [c for r in laid_out for c in r.b])):
        assert [c.number for c in cells] == list(range(1, len(getattr(comparison, side).sentences) + 1))
    # A matched pair stands on one row.
    assert any(r.a and r.b and r.b[0].number - 1 in r.a[0].matched for r in laid_out)


# -- export ---------------------------------------------------------------------------------------


def test_export_has_every_hit_in_order_with_the_search_and_the_index_state(client, index, monkeypatch) -> None:
    monkeypatch.setattr(export, "EXPORT_PAGE", 25)  # several turns with the index, as a large export takes
    total = index.count("oil")
    data = get(client, "/export.csv?q=oil&sort=date").data
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: spreadsheets read accents right
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(table) == total > 3 * export.EXPORT_PAGE
    assert [r["id"] for r in table[:20]] == [h.id for h in index.search("oil", limit=20, sort="date")]
    assert {r["search"] for r in table} == {"q=oil&sort=date"}
    assert f"at commit {index.generation()} ({len(index):,} articles)" in table[0]["index"]
    assert "**" not in "".join(r["snippet"] for r in table)  # plain snippets
    lines = get(client, "/export.jsonl?q=zyxhostile").get_data(as_text=True).splitlines()
    records = [json.loads(line) for line in lines]
    assert sorted(r["id"] for r in records) == sorted(item["id"] for item in HOSTILE)
    assert any(r["topics"] for r in records)
    assert 'attachment; filename="newsindex-oil.csv"' == client.get("/export.csv?q=oil").headers["Content-Disposition"]


# -- the JSON API ---------------------------------------------------------------------------------


def test_the_json_api_answers_what_the_library_answers(client, index) -> None:
    answer = get(client, "/api/search?q=coffee+brazil&size=5&facet=source&facet=place").get_json()
    results = index.search("coffee brazil", limit=5, facets=["source", "place"])
    assert answer["total"] == results.total and [h["id"] for h in answer["hits"]] == [h.id for h in results]
    assert answer["hits"][0] == {**results.hits[0].to_dict()}
    assert answer["facets"]["place"] == [{"value": v, "count": c} for v, c in results.facets["place"]]
    assert get(client, "/api/timeline?q=coffee&by=week").get_json() == [p.to_dict() for p in index.timeline("coffee", by="week")]
    assert get(client, "/api/terms?q=coffee&top=5").get_json() == [t.to_dict() for t in index.terms("coffee", top=5)]
    assert get(client, f"/api/compare?a={SEEDS[0]}&b={SEEDS[1]}").get_json() == json.loads(json.dumps(index.compare(*SEEDS).to_dict()))
    story = get(client, f"/api/story/{SEEDS[0]}").get_json()
    assert [a["id"] for a in story["articles"]] == [a.id for a in index.story(SEEDS[0])[1]]
    similar = get(client, f"/api/article/{SEEDS[0]}/similar?limit=3").get_json()
    assert [s["id"] for s in similar] == [item.id for item, _ in index.similar(SEEDS[0], limit=3)]
    assert get(client, "/api/article/hostile-1").get_json()["url"] == HOSTILE[0]["url"]
    assert get(client, "/api/stats").get_json()["articles"] == len(index)
    assert "/api/search" in get(client, "/api").get_data(as_text=True)


def test_counting_stories_not_copies_is_a_switch_of_the_page_and_the_api(client, index, tmp_path: Path) -> None:
    html = get(client, "/?q=zyxhostile&stories=1").get_data(as_text=True)
    assert re.search(r'name="stories" value="1" checked', html) and "Matching stories per" in html
    post = escape(index.get("hostile-2").source)
    row = re.search(rf"<td><a [^>]*>{re.escape(str(post))}</a></td>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r'class="count">([\d,]+)<', row) == ["1", "0", "1", "1"]  # stories, first, articles, retold
    off = [link for link in links(html) if link.startswith("/?q=") and "stories=1" not in link]
    assert len(off) == 1 and "Count articles" in html  # every link keeps the switch on, but the one turning it off
    facets = get(client, "/api/facets?q=*&facet=source&facet=topic&stories=1").get_json()
    assert facets["topic"] == [{"value": v, "count": c} for v, c in index.facets("*", ["topic"], stories=True)["topic"]]
    assert facets["sources"] == [s.to_dict() for s in index.source_stories("*")] and facets["counted"] == "stories"
    assert get(client, "/api/timeline?q=*&by=month&stories=1").get_json() == [
        p.to_dict() for p in index.timeline("*", by="month", stories=True)]
    assert get(client, "/api/terms?q=coffee&top=5&stories=1").get_json() == [
        t.to_dict() for t in index.terms("coffee", top=5, stories=True)]
    # An index without stories: the page and the API say so and how to group them.
    directory = tmp_path / "index"
    with NewsIndex.create(directory) as ix:
        ix.add(read_paths([Path(__file__).parents[1] / "corpus" / f"{seed}.txt" for seed in SEEDS]), group=False)
        plain = create_app(ix).test_client()
        assert "without --no-stories" in get(plain, "/?q=assad&stories=1", 400).get_data(as_text=True)
        assert "has no stories" in get(plain, "/api/timeline?q=assad&stories=1", 400).get_json()["error"]
        assert get(plain, "/?q=assad").status_code == 200


# -- safety ---------------------------------------------------------------------------------------


def hostile_pages(client) -> dict[str, str]:
    urls = [
        "/?q=zyxhostile", "/?q=zyxhostile&collapse=1", "/?q=zyxhostile&stories=1", "/terms?q=zyxhostile&stories=1&panel=1", "/article/hostile-1?q=zyxhostile", "/article/hostile-2",
        "/story/hostile-1", "/compare?a=hostile-1&b=hostile-2", "/compare?b=hostile-2", "/terms?q=zyxhostile",
        "/trace?claim=zyxhostile+harbour+council+voted+to+raise+the+harbour+tax", "/trace?id=hostile-1",
        "/trace?id=hostile-2&sentence=0",
        "/terms?q=zyxhostile&panel=1", "/similar/hostile-1?panel=1", "/similar/hostile-2", "/?q=%3Cscript%3Ealert(1)%3C/script%3E", "/article/%3Cscript%3Ex",
    ]
    return {url: client.get(url).get_data(as_text=True) for url in urls}


def test_every_piece_of_article_text_is_escaped(client) -> None:
    for url, html in hostile_pages(client).items():
        assert "__pwned" not in re.sub(r"&[^;\s]+;", "", "".join(re.findall(r"<script[^>]*>[^<]*", html))), url
        assert not re.search(r"<(script|img|svg|iframe|b|i)\b[^>]*(__pwned|onerror|onload|onmouseover)", html, re.I), url
        assert not re.search(r"""href=["']?\s*javascript:""", html, re.I), url
        assert "<script>alert" not in html and "<script>x" not in html, url
    article = hostile_pages(client)["/article/hostile-1?q=zyxhostile"]
    assert "&lt;script&gt;window.__pwned=&#39;title&#39;&lt;/script&gt;" in article
    assert "unsafe-url" in article  # the javascript: URL is shown as text, not linked
    assert 'href="https://example.org/harbour?a=1&amp;b=&lt;2&gt;"' in get(client, "/article/hostile-2").get_data(as_text=True)


def test_controls_and_direction_overrides_in_article_text_are_shown_not_obeyed(tmp_path: Path) -> None:
    """A right-to-left override reorders the rest of a line on the page; a control is no text: both are
    written as escapes (as the command line shows them), in text and in highlighted snippets alike."""
    from newsindex import Article

    with NewsIndex.create(tmp_path / "index") as ix:
        ix.add([Article(id="ctl-1", title="Zyxcontrol \x1b[2Jharbour \u202etax", body="Zyxcontrol fees\x07 rise.\nLine two.",
                        source="Wire\u202e moc.evil", published=datetime(2025, 1, 2, tzinfo=timezone.utc))])
        client = create_app(ix).test_client()
        for url in ("/?q=zyxcontrol&facet=source", "/?q=zyxcontrol&facet=source&stories=1", "/article/ctl-1?q=zyxcontrol"):
            html = get(client, url).get_data(as_text=True)
            assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", html), url
            assert "\\u202e" in html and "<mark>" in html, url
        assert "\\x1b[2J" in get(client, "/article/ctl-1").get_data(as_text=True)


def test_an_id_with_slashes_dots_and_markup_still_links_to_its_article(client) -> None:
    hostile_id = HOSTILE[2]["id"]
    page = get(client, "/?q=zyxhostile+ferry").get_data(as_text=True)
    link = next(u for u in links(page) if u.startswith("/article/"))
    assert "/" not in link[len("/article/"):].split("?")[0] and ".." in link  # encoded, so no browser resolves it
    article = get(client, link).get_data(as_text=True)
    assert "&lt;script&gt;window.__pwned=&#39;id&#39;&lt;/script&gt;" in article and "Zyxhostile ferry" in article
    assert get(client, link.replace("/article/", "/api/article/")).get_json()["id"] == hostile_id


def test_markers_and_detail_spans_cannot_be_forged_by_article_text() -> None:
    marker = Marker()
    text = f"a {marker.marks[0]}word{marker.marks[1]} <b>and</b> \ue000<mark>"
    assert marker.html(text) == "a <mark>word</mark> &lt;b&gt;and&lt;/b&gt; \ue000&lt;mark&gt;"
    assert Marker().marks != marker.marks  # a secret per server
    assert spans_html("<i>8,7</i> dead", [(3, 6, "number"), (4, 9, "number")]) == (
        '&lt;i&gt;<mark class="detail number" title="number">8,7</mark>&lt;/i&gt; dead'
    )
    assert safe_href("javascript:alert(1)") is None and safe_href(" JAVASCRIPT:x") is None
    assert safe_href("data:text/html,x") is None and safe_href("https://a.example/x") == "https://a.example/x"


def test_the_server_only_reads_and_says_so_in_its_headers(client, index, web_index_dir: Path) -> None:
    before = {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in web_index_dir.iterdir()}
    hostile_pages(client)
    for url in ("/?q=oil", "/export.csv?q=oil", "/api/search?q=oil", f"/compare?a={SEEDS[0]}&b={SEEDS[1]}"):
        get(client, url)
    for method in (client.post, client.put, client.delete):
        assert method("/?q=oil").status_code == 405
        assert method("/api/search?q=oil").status_code == 405
    assert {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in web_index_dir.iterdir()} == before
    headers = client.get("/?q=oil").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"] and "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "no-referrer"


def test_requests_for_other_host_names_are_refused_on_loopback(index) -> None:
    local = create_app(index).test_client()
    assert local.get("/?q=oil", headers={"Host": "attacker.example"}).status_code == 400
    assert local.get("/?q=oil", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    assert create_app(index, loopback_only=False).test_client().get("/", headers={"Host": "news.example"}).status_code == 200
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("127.8.0.1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")


# -- one index, many requests ------------------------------------------------------------------


def test_concurrent_requests_get_the_answers_of_sequential_ones(index) -> None:
    app = create_app(index)
    urls = ["/api/search?q=oil&size=5", "/api/search?q=coffee+brazil", "/api/facets?q=wheat",
            "/api/timeline?q=gold&by=week", "/api/search?q=extradite&collapse=1", f"/api/story/{SEEDS[0]}",
            "/api/search?q=oil&sort=date&page=3", "/api/article/reuters-5"]
    expected = {url: app.test_client().get(url).get_json() for url in urls}
    failures: list[str] = []

    def run(offset: int) -> None:
        client = app.test_client()
        for i in range(24):
            url = urls[(offset + i) % len(urls)]
            response = client.get(url)
            if response.status_code != 200 or response.get_json() != expected[url]:
                failures.append(url)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_commits_made_while_serving_show_up(tmp_path: Path) -> None:
    feed = tmp_path / "a.jsonl"
    feed.write_text(json.dumps({"id": "a1", "title": "Quokka census", "body": "Quokkas counted."}) + "\n")
    with NewsIndex.create(tmp_path / "ix") as writer:
        writer.add(read_paths([feed]))
    with NewsIndex.open(tmp_path / "ix") as served:
        app = create_app(served)
        app.extensions["newsindex"].shared._refresh_every = 0.0
        client = app.test_client()
        assert client.get("/api/search?q=quokka").get_json()["total"] == 1
        feed.write_text(json.dumps({"id": "a2", "title": "Quokka recount", "body": "More quokkas."}) + "\n")
        with NewsIndex.open(tmp_path / "ix") as writer:
            writer.add(read_paths([feed]))
        assert client.get("/api/search?q=quokka").get_json()["total"] == 2


# -- charts ---------------------------------------------------------------------------------------


def test_timeline_periods_become_date_filters_and_auto_picks_readable_bars() -> None:
    def period(start: datetime, end: datetime) -> Period:
        return Period(start, end, 1, 2)

    utc = timezone.utc
    assert period_bounds(period(datetime(1987, 3, 2, tzinfo=utc), datetime(1987, 3, 9, tzinfo=utc)), "week") == ("1987-03-02", "1987-03-08")
    assert period_bounds(period(datetime(1987, 3, 1, tzinfo=utc), datetime(1987, 4, 1, tzinfo=utc)), "month") == ("1987-03", "1987-03")
    assert period_bounds(period(datetime(1987, 1, 1, tzinfo=utc), datetime(1988, 1, 1, tzinfo=utc)), "year") == ("1987", "1987")
    assert [auto_granularity(days) for days in (31, 240, 2000, 14000)] == ["day", "week", "month", "year"]
