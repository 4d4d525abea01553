"""The formats news comes in: saved web pages, RSS/Atom feeds, WARC archives, CSV/TSV, compressed files.

Real pages from ``../shared/corpora/html-news`` are checked against what the
pages themselves say (headline, published date, byline, paragraphs and the
page furniture around them);
the feed and WARC tests rebuild real data (Reuters-21578 stories, those 17
pages) in the other format and check that the same articles come out. Tests
that need ``../shared`` skip, saying so, when it is absent.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import hashlib
import html
import io
import json
import logging
import lzma
import re
import socket
import tracemalloc
import zipfile
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import lxml.html
import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsindex import NewsIndex
from newsindex.ingest.article import Article
from newsindex.cli import main
from newsindex.errors import ReadError
from newsindex.ingest.readers import SUPPORTED_FORMATS, read_paths
from newsindex.ingest.readers import html as html_reader
from newsindex.ingest.readers._fields import hashed_id, squeeze

from conftest import REUTERS, SHARED, need_shared

HTML_NEWS = SHARED / "html-news"


def _split(items):
    items = list(items)
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, ReadError)]


def _norm(text: str) -> str:
    return " ".join(text.split())


# --- saved web pages: the 17 real pages of html-news ----------------------------------------------

# file -> (headline as the page shows it; published date as the page gives it: the instant when it
# gives a time of day, else the day; authors as the page's byline names them; words of the article
# that must be in the text; page furniture around or inside it that must not be). Read from each
# page: its <h1>, og:title and JSON-LD headline; its article:published_time, JSON-LD datePublished
# or <time> and its visible date line (never a modified or revision date); its byline next to the
# headline or under the text (not the bylines of related stories, not the site's name); the
# article's paragraphs against the navigation, related links, galleries, promotions and footer.
PAGES = {
    "abc7news.com-Napa.html": (
        "Napa Co. enters exclusive agreement that could bring Margaritaville Resort to Lake Berryessa",
        "2023-11-09T07:32:00+00:00", ("J.R. Stone",),
        ["A plan to bring a Margaritaville Resort", "there is still a ways to go"],
        ["Copyright © 2023 KGO-TV", "APEC 2023: What to know",
         "MORE: Black-led group strikes deal",  # an inline related link
         "If you're on the ABC7 News app"]),  # an app promotion under the text
    "axios.com.future.html": (  # a newsletter: five stories, each in a block of its own
        "Axios Future", "2019-01-18", ("Steve LeVine",),
        ["A new breed of intelligent video surveillance is being installed",
         "College students from rural areas are moving to big cities", "Microsoft announced that it would commit $500 million",
         "slightly over 6% of the top tracks are that short"],
        ["Axios gets you smarter, faster", "Black Lives Matter movement", "Copyright Axios Media"]),
    "bbc.com.52241221.html": (  # no byline for the story (a correspondent signs one section of it)
        "Coronavirus: New York ramps up mass burials amid outbreak", "2020-04-10T17:58:15+01:00", (),
        ["Images have emerged of coffins being buried in a mass grave", 'the impact of "structural racism"'],
        ["Five claims in Trump niece's tell-all book", "Why you can trust BBC News", "Share this with Facebook",
         "A SIMPLE GUIDE: How do I protect myself?"]),  # a list of links to other stories
    "cbsnews.com.carolina.html": (  # the byline names only "CBS News"
        "Black voters in South Carolina are crucial for Democratic candidates", "2020-02-24T12:57:13+00:00", (),
        ["But they're especially high for Joe Biden.", '"Yeah. So that\'s important. I need to know," Chisholm said.'],
        ["You must now work longer to afford a middle-class life", "Mardi Gras Indians sing", "© 2020 CBS Interactive"]),
    "dw.com-elephants.html": (  # one paragraph; the meta author is "Deutsche Welle", the byline "Auteur : ..."
        "La perte des terres fertiles et les éléphants en Guinée-Conakry", "2011-05-23", ("Kossivi Tiassou",),
        ["24 milliards de tonnes de terres fertiles", "IRD à Dakar"],
        ["Choose from 30 Languages", "Cours d’allemand", "Nous utilisons des cookies", "| DW | 23.05.2011",
         "Auteur : Kossivi Tiassou"]),
    "dw.com.colonial.html": (
        "Berlin confronts Germany's colonial past with new initiative", "2020-01-19", ("Julia Hitz",),
        ["The German capital has launched a five-year project", "opened the gates to a period of intense imperialist activity"],
        ["We use cookies", "Fake German doctor jailed", "US judge dismisses Namibian genocide claims",
         "Read more: Recognizing Germany colonial crimes"]),
    "independent.co.uk.penalty.html": (
        "Coronavirus: £1,000 fine for falsely reporting a contact to force them to self-isolate",
        "2020-09-28T12:41:29+00:00", ("Andrew Woodcock",),
        ["Anyone falsely naming an antagonist as a coronavirus contact", "allowed to take to the dance floor"],
        ["Why a coronavirus vaccine may provide better immunity", "Community Guidelines",
         "UK news in pictures", "Show all 50"]),  # a photo gallery inside the article
    "latimes.com.bloomberg.html": (
        "As his first debate nears, Bloomberg is having to answer about his past", "2020-02-19T12:00:10.372+00:00",
        ("Evan Halper",),
        ["This is not the gracious welcome billionaire Michael R. Bloomberg", "Bloomberg’s days floating above the fray are over."],
        ["Get our Essential Politics newsletter", "Court: Florida can’t bar felons"]),
    "medicalnewstoday.com.318674.html": (
        "How does the brain turn unconscious information into conscious thought?", "2017-07-27T15:00:00+00:00",
        ("Ana Sandoiu",),
        ["Neuroscience tells us that most of the work done by our brains",
         "the biological basis of decisions, ethics, and, generally, the human mind"],
        ["Study hints that early morning exercise may reduce cancer risk", "What percentage of our brain do we use?"]),
    "mercurynews.com.2023.01.16.letters-1119.html": (  # "January 16, 2023 at 4:30 p.m." Pacific; the byline
        # is "Letters To The Editor", not a person (each letter is signed under its text)
        "Letters: Coddling criminals | Undermining road | Tax dollars | Recount cost | Predicting climate",
        "2023-01-17T00:30:41+00:00", (),
        ["It should not surprise anyone that Alameda County District Attorney Pamela Price",
         "Real science is never “settled.”"],
        ["Get Morning Report and other email newsletters", "Join the Conversation",
         "Submit your letter to the editor via this form"]),
    "nytimes.com.blackouts.html": (
        "Rolling Blackouts in California Have Power Experts Stumped", "2020-08-16T23:40:47+00:00", ("Ivan Penn",),
        ["As temperatures began to rise in California on Friday", "Tomorrow evening, the wolf arrives."],
        ["Site Index", "The New York Times Company", "Continue reading the main story"]),
    "politico.com.retirement.html": (
        "Mark Meadows accused of timing retirement to help elect wife’s friend", "2019-12-30T05:03:00-05:00",
        ("Ally Mutnick",),
        ["Rep. Mark Meadows' shock retirement", "though he faces another stiff primary challenge next year"],
        ["Filed Under", "Breaking News Alerts", "Battleground States Tracker"]),
    "reuters.com.parasite.html": (  # revised on 2020-01-20 (sailthru.date, dateModified)
        "'Parasite' scores historic upset at SAG awards, boosting Oscar chances", "2020-01-19T12:25:36+00:00",
        ("Jill Serjeant",),
        ["South Korean thriller “Parasite” was the upset winner", "It’s been the most beautiful dream,” Waller-Bridge said."],
        ["All quotes delayed a minimum of 15 minutes", "The Thomson Reuters Trust Principles"]),
    "spiegel.de.albtraum.html": (  # the meta author is "SPIEGEL ONLINE, Hamburg, Germany"; "Von ..." under the text
        "Ein Albtraum", "2018-12-22", ("Clemens Höges",),
        ["Der Reporter Claas Relotius hat den SPIEGEL", "Ab Seite 40 dokumentieren wir den Text von Fichtner auf SPIEGEL ONLINE."],
        ["Jetzt Abo sichern", "Alle Rechte vorbehalten",
         "Relotius legt auf Facebook ein Fake-Profil an."]),  # a print pull quote after the last paragraph
    "telegraph.co.uk.plumber.html": (  # no byline: the page's only bylines are those of related stories
        "Plumber jailed after boiler killed millionaire's daughter", "2012-04-17T14:54:00+00:00", (),
        ["Zoe Anderson, 24, was overcome by carbon monoxide fumes", "Hartley was led to begin his sentence."],
        ["Russia-Ukraine latest news", "Game of Thrones stuntwoman"]),
    "theguardian.com.academics.html": (
        "Thousands of UK academics 'treated as second-class citizens'", "2020-01-20T06:05:18+00:00", ("Richard Adams",),
        ["Thousands of academic staff at British universities are being treated as second-class citizens",
         "on the cards later this year"],
        ["Most popular", "Reuse this content"]),
    "zeit.de.zugverkehr.html": (
        "Zugverkehr: Im ICE von Frankfurt nach Barcelona", "2020-01-14T09:21:29+01:00", ("Caspar Schwietering",),
        ["36 Stunden. So lange dauert die schnellste Zugverbindung",
         "hat die neue Strecke auch die Fahrt von Spanien nach Deutschland kaum beschleunigt"],
        ["Seitennavigation", "Jetzt teilen auf"]),
}


@pytest.fixture(scope="module")
def pages() -> dict[str, Article]:
    """The 17 pages read once, by file name."""
    articles, errors = _split(read_paths([need_shared(HTML_NEWS)]))
    assert errors == []
    return {Path(a.origin.rpartition(":")[0]).name: a for a in articles}


def test_html_titles_are_the_headlines(pages):
    assert sorted(pages) == sorted(PAGES)
    wrong = {name: pages[name].title for name, (title, *_) in PAGES.items() if pages[name].title != title}
    assert wrong == {}  # 17 of 17


def _same_date(published: datetime | None, expected: str) -> bool:
    if published is None:
        return False
    if "T" in expected:  # the page gives the time: the same instant
        return published == datetime.fromisoformat(expected)
    return published.date().isoformat() == expected


def test_html_dates_are_the_published_dates(pages):
    # The date the page declares for its first publication, never its revision date, with the time of
    # day when the page gives one.
    wrong = {name: pages[name].published for name, (_, published, *_) in PAGES.items()
             if not _same_date(pages[name].published, published)}
    assert wrong == {}  # 17 of 17
    assert all(a.published.tzinfo is not None for a in pages.values())
    assert pages["bbc.com.52241221.html"].published.isoformat() == "2020-04-10T17:58:15+01:00"  # the page's own offset


def test_html_authors_are_the_bylines(pages):
    wrong = {name: pages[name].authors for name, (_, _, authors, *_) in PAGES.items() if pages[name].authors != authors}
    assert wrong == {}  # 17 of 17


def test_html_bodies_are_the_article_without_the_page_around_it(pages):
    missing, leaked = {}, {}
    for name, (*_, paragraphs, furniture) in PAGES.items():
        body = _norm(pages[name].body)
        missing.update({name: p for p in paragraphs if _norm(p) not in body})
        leaked.update({name: f for f in furniture if _norm(f) in body})
    assert missing == {} and leaked == {}
    for article in pages.values():
        assert "<" not in article.body and "function(" not in article.body  # no markup, no scripts
        lines = article.body.split("\n")
        assert all(line == line.strip() and line for line in lines)
        assert lines[0] != article.title  # the headline is the title, not the text's first line
    # One line per paragraph: the line breaks of the HTML source inside a paragraph are spaces.
    zeit = pages["zeit.de.zugverkehr.html"].body.split("\n")
    assert any(line.startswith("Seit die schwedische Klimaaktivistin mit Zügen und Segelbooten die Welt bereist, träumen")
               for line in zeit)


def test_html_rules_do_not_fail_on_the_real_pages(caplog):
    # The rules on top of trafilatura fall back to its result when they fail (a page must never be
    # lost to them); on these pages none may fail.
    with caplog.at_level(logging.DEBUG, logger="newsindex.ingest.readers.html"):
        articles, errors = _split(read_paths([need_shared(HTML_NEWS)]))
    assert (len(articles), errors) == (17, [])
    assert [r.getMessage() for r in caplog.records if r.name == "newsindex.ingest.readers.html"] == []


def test_html_metadata(pages):
    guardian = pages["theguardian.com.academics.html"]
    url = "http://www.theguardian.com/education/2020/jan/20/thousands-of-uk-academics-treated-as-second-class-citizens"
    assert (guardian.id, guardian.url, guardian.source, guardian.authors, guardian.language) == (
        hashed_id(url), url, "The Guardian", ("Richard Adams",), "en")
    assert "Higher education" in guardian.extra["tags"][0]
    assert {name: a.language for name, a in pages.items() if a.language != "en"} == {
        "dw.com-elephants.html": "fr", "spiegel.de.albtraum.html": "de", "zeit.de.zugverkehr.html": "de"}
    assert pages["reuters.com.parasite.html"].source == "Reuters"
    # Without a canonical URL the id is the file name, as for plain text.
    telegraph = pages["telegraph.co.uk.plumber.html"]
    assert (telegraph.id, telegraph.url) == ("telegraph.co.uk.plumber", "")
    assert len({a.id for a in pages.values()}) == 17


def test_html_extraction_makes_no_network_call(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access during extraction")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    articles, errors = _split(read_paths([need_shared(HTML_NEWS)]))
    assert (len(articles), errors) == (17, [])


# --- saved web pages: small pages written here -----------------------------------------------------

_PARAGRAPHS = [
    "The city council voted on Tuesday to rebuild the old harbour bridge, ending a decade of arguments about its cost.",
    "Engineers said the new bridge would carry twice as much traffic and open to cyclists for the first time since 1931.",
    "Opponents had argued that the money should go to schools, but the mayor said the bridge was a matter of safety.",
    "Work is due to start in the spring and to last three years, during which a ferry will carry commuters across.",
]


def _page(head: str = "", top: str = "", first: str = _PARAGRAPHS[0]) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in [first, *_PARAGRAPHS[1:]])
    return f"""<!DOCTYPE html><html lang="en-GB"><head><title>Council backs bridge rebuild | Harbour Gazette</title>{head}</head>
<body><nav><ul><li><a href="/">Home</a></li><li><a href="/politics">Politics</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<div class="cookie-banner" id="cookie-consent">We use cookies to improve your experience. <button>Accept all</button></div>
<main><article><h1>Council backs bridge rebuild</h1>{top}{paragraphs}</article>
<aside class="related"><h2>Related stories</h2><ul><li><a href="/a">Mayor opens new library wing</a></li>
<li><a href="/b">Ferry fares to rise in May</a></li></ul></aside>
<section id="comments"><h3>Comments</h3><div class="comment">First! This bridge is a waste of money.</div></section></main>
<footer><p>Copyright 2024 Harbour Gazette. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>
<script>var tracking = "do not index this";</script></body></html>"""


@pytest.mark.parametrize(("head", "top", "published"), [
    ('<meta property="article:published_time" content="2024-03-05T08:30:00+01:00">', "", "2024-03-05T08:30:00+01:00"),
    ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
     '"datePublished": "2024-03-06T10:00:00Z"}</script>', "", "2024-03-06T10:00:00+00:00"),
    ("", '<time datetime="2024-03-07T09:15:00Z">7 March 2024</time>', "2024-03-07T09:15:00+00:00"),
    ("", "", None),  # no date in the markup: none is guessed (not the footer's "Copyright 2024")
])
def test_html_page_dates_from_meta_json_ld_and_time(tmp_path, head, top, published):
    path = tmp_path / "bridge.html"
    path.write_text(_page(head, top), encoding="utf-8")
    [article] = read_paths([path])
    assert (article.published.isoformat() if article.published else None) == published


def test_html_page_text_and_metadata(tmp_path):
    head = ('<meta property="og:site_name" content="Harbour Gazette"><meta name="author" content="Jane Doe; John Roe">'
            '<link rel="canonical" href="https://gazette.example/news/bridge">')
    path = tmp_path / "bridge.htm"
    path.write_text(_page(head), encoding="utf-8")
    [article] = read_paths([path])
    assert article.title == "Council backs bridge rebuild"
    assert (article.id, article.url) == (hashed_id("https://gazette.example/news/bridge"), "https://gazette.example/news/bridge")
    assert (article.source, article.authors, article.language) == ("Harbour Gazette", ("Jane Doe", "John Roe"), "en")
    assert article.body.endswith(_PARAGRAPHS[-1])
    assert all(p in article.body for p in _PARAGRAPHS)
    for furniture in ("Politics", "We use cookies", "Related stories", "Mayor opens", "waste of money",
                      "Copyright", "Privacy policy", "tracking"):
        assert furniture not in article.body


def test_html_undeclared_legacy_encoding_is_detected(tmp_path):
    text = "The council's café budget (€20m) was «dernière» news for Zoë and Müller."
    path = tmp_path / "legacy.html"
    path.write_bytes(_page(first=text).encode("cp1252"))
    [article] = read_paths([path])
    assert text in article.body


def test_html_without_article_text_is_a_read_error(tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_text("<html><head><title>Nothing</title></head><body></body></html>", encoding="utf-8")
    blank = tmp_path / "blank.html"
    blank.write_bytes(b"")
    good = tmp_path / "good.html"
    good.write_text(_page(), encoding="utf-8")
    first, second, third = read_paths([blank, empty, good])
    assert (first.path, first.reason) == (str(blank), "not an HTML page")
    assert (second.path, second.reason) == (str(empty), "no article text found in the page")
    assert third.title == "Council backs bridge rebuild"


@pytest.mark.parametrize("head", [
    # meta tags: the revision dates come first in the page, the first publication last
    '<meta property="article:modified_time" content="2024-03-09T10:00:00Z">'
    '<meta name="sailthru.date" content="2024-03-09T10:00:00Z">'
    '<meta property="og:updated_time" content="2024-03-09T10:00:00Z">'
    '<meta property="article:published_time" content="2024-03-05T08:30:00Z">',
    # JSON-LD of the article (in a @graph, after the page's own object)
    '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": "WebPage", '
    '"dateModified": "2024-03-09T10:00:00Z"}, {"@type": "NewsArticle", "dateModified": "2024-03-09T10:00:00Z", '
    '"datePublished": "2024-03-05T08:30:00Z"}]}</script><meta name="date" content="2024-03-09T10:00:00Z">',
    # JSON-LD of a related story first: the article whose headline is the page's counts
    '<script type="application/ld+json">[{"@type": "NewsArticle", "headline": "Ferry fares to rise in May", '
    '"datePublished": "2024-01-02T08:00:00Z"}, {"@type": "NewsArticle", "headline": "Council backs bridge rebuild", '
    '"datePublished": "2024-03-05T08:30:00Z"}]</script>',
])
def test_html_published_date_wins_over_revision_dates(tmp_path, head):
    path = tmp_path / "bridge.html"
    path.write_text(_page(head, '<p>Updated <time datetime="2024-03-09T10:00:00Z">9 March</time></p>'), encoding="utf-8")
    [article] = read_paths([path])
    assert article.published == datetime(2024, 3, 5, 8, 30, tzinfo=timezone.utc)


_GAZETTE = '<meta property="og:site_name" content="Harbour Gazette">'


@pytest.mark.parametrize(("head", "top", "authors"), [
    ('<meta name="author" content="By Jane Doe and John Roe">', "", ("Jane Doe", "John Roe")),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "author": [{"@type": "Person", "name": "Jane Doe"}, '
     '{"@type": "Person", "name": "John Roe"}]}</script>', "", ("Jane Doe", "John Roe")),
    # the site as author is no author; the byline element under the headline names the person
    (_GAZETTE + '<meta name="author" content="Harbour Gazette (gazette.example)">'
     '<script type="application/ld+json">{"@type": "NewsArticle", "author": {"@type": "Organization", '
     '"name": "Harbour Gazette"}}</script>',
     '<p class="article-byline">By JANE DOE, Harbour Gazette, Harbourtown <time>5 March 2024</time></p>', ("Jane Doe",)),
    (_GAZETTE + '<meta name="author" content="Harbour Gazette, Harbourtown, England">', "", ()),
    # a role or a desk is not a person
    ('<script type="application/ld+json">{"@type": "NewsArticle", "author": {"@type": "Person", '
     '"name": "Letters to the Editor"}}</script>', '<div class="byline">By Staff Writer | Newsdesk</div>', ()),
    ('<script type="application/ld+json">[{"@type": "NewsArticle", "headline": "Ferry fares to rise in May", '
     '"author": {"@type": "Person", "name": "Bob Other"}}, {"@type": "NewsArticle", "headline": '
     '"Council backs bridge rebuild", "author": {"@type": "Person", "name": "Jane Doe"}}]</script>', "", ("Jane Doe",)),
    ("", "<p>Author: Jane Doe (jd)</p>", ("Jane Doe",)),  # a labelled line
    ("", '<span>By <a href="/authors/jane-doe/">Jane Doe</a></span>', ("Jane Doe",)),  # a link to an author page
    # without a byline of its own, the article does not take the byline of a related story
    ("", "", ()),
])
def test_html_authors_from_json_ld_meta_and_bylines(tmp_path, head, top, authors):
    related = ('<aside class="more-stories"><h2>More stories</h2><article><h3><a href="/ferry">Ferry fares to rise</a></h3>'
               '<span class="byline">By <a href="/authors/bob-other/">Bob Other</a></span></article></aside>')
    path = tmp_path / "bridge.html"
    path.write_text(_page(head, top).replace("</main>", related + "</main>"), encoding="utf-8")
    [article] = read_paths([path])
    assert article.authors == authors
    assert article.body.split("\n") == _PARAGRAPHS  # no byline, no related story


def test_html_furniture_inside_the_article_is_dropped(tmp_path):
    inside = [
        '<p><b>MORE: <a href="/a">Mayor opens new library wing, with a café and a rooftop garden</a></b></p>',
        '<p><em>Read more</em>: <a href="/b">Ferry fares to rise in May after a decade of frozen prices</a></p>',
        '<ul><li>A SIMPLE GUIDE: <a href="/c">How do I get across the river?</a></li>'
        '<li>VIDEO: <a href="/d">The old bridge from above</a></li></ul>',
        '<div class="gallery-btn"><h2>Harbour in pictures</h2><span>Show all 50</span></div>',
    ]
    after = ('<p><i>If you are on the Gazette app, <a href="/live">click here to watch live</a></i></p>'
             "<h4>Work is due to start in the spring, and the ferry will carry commuters.</h4>"
             "<p>Auteur : Jane Doe</p>")
    kept = ['Engineers said <a href="/engineers">the new bridge</a> would carry twice as much traffic and open to '
            "cyclists for the first time since 1931.",
            '<strong>Background:</strong> the old bridge was <a href="/history">closed in 2019</a> after an inspection '
            "found cracks in two of its piers, and a ferry has carried commuters since."]
    paragraphs = "".join(f"<p>{p}</p>" for p in _PARAGRAPHS[:1] + kept) + "".join(inside)
    paragraphs += "".join(f"<p>{p}</p>" for p in _PARAGRAPHS[2:]) + after
    page = _page().replace("".join(f"<p>{p}</p>" for p in _PARAGRAPHS), paragraphs)
    path = tmp_path / "bridge.html"
    path.write_text(page, encoding="utf-8")
    [article] = read_paths([path])
    lines = article.body.split("\n")
    assert lines == [_PARAGRAPHS[0], _PARAGRAPHS[1], squeeze(html.unescape(re.sub("<[^>]+>", "", kept[1]))),
                     *_PARAGRAPHS[2:]]


def test_html_text_split_in_blocks_of_the_same_kind_is_read_whole():
    # What trafilatura gives for a newsletter whose stories are blocks of their own (the Axios page): the
    # first story only. The other blocks shaped like it in the same article are read too, not those of
    # another article on the page (with its own headline).
    stories = [
        ["The city council voted on Tuesday to rebuild the old harbour bridge, ending a decade of arguments.",
         "Engineers said the new bridge would carry twice as much traffic and open to cyclists for the first time."],
        ["Fishermen in the northern bay report the largest herring catch in twenty years; prices have halved.",
         "Biologists warn that one good season says little about the health of a stock that collapsed before."],
        ["The regional orchestra will tour four countries this summer with a programme of new local works.",
         "Tickets for the opening concert in the cathedral sold out within an hour of going on sale on Monday."],
    ]
    other = ["A different newsletter appended below this one talks about the weather on the islands, nothing else.",
             "Its stories are not part of this article, and a reader who opened this page did not come for them."]

    def story(n: int, paragraphs: list[str]) -> str:
        text = "".join(f"<p>{p}</p>" for p in paragraphs)
        return f'<div class="story"><div class="story-head">{n}. Story</div><div class="story-text">{text}</div></div>'

    page = ("<html><body><div class='brief'><h1>Morning Brief</h1>"
            + "".join(story(n, s) for n, s in enumerate(stories, 1))
            + "</div><div class='brief'><h1>Evening Brief</h1>" + story(9, other) + "</div></body></html>")
    tree = lxml.html.fromstring(page)
    first_story = [("p", line) for line in stories[0]]
    whole = html_reader._more_text(tree, first_story)
    assert [line for _, line in whole] == [p for s in stories for p in s]
    # A page whose text is one block has nothing more to read.
    assert html_reader._more_text(lxml.html.fromstring(page.replace("story-text", "story-text-1", 1)), first_story) is None


def test_html_a_failing_rule_keeps_trafilaturas_result(tmp_path, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in a rule")

    path = tmp_path / "bridge.html"
    path.write_text(_page('<meta name="author" content="Jane Doe">'), encoding="utf-8")
    monkeypatch.setattr(html_reader, "_refine", broken)
    monkeypatch.setattr(html_reader, "_authors", broken)
    with caplog.at_level(logging.DEBUG, logger="newsindex.ingest.readers.html"):
        [article] = read_paths([path])
    assert all(p in article.body for p in _PARAGRAPHS) and article.authors == ("Jane Doe",)
    assert [r.getMessage() for r in caplog.records if r.name == "newsindex.ingest.readers.html"] == [
        f"{path}:1: text rules failed", f"{path}:1: metadata rules failed"]


def test_html_broken_json_ld_is_ignored(tmp_path):
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "author": </script>'
            '<script type="application/ld+json">' + "[" * 5000 + "]" * 5000 + "</script>"
            '<script type="application/ld+json">{"@type": "NewsArticle", "author": 42, "datePublished": "yesterday", '
            '"publisher": [null, {"name": 7}]}</script>')
    path = tmp_path / "bridge.html"
    path.write_text(_page(head), encoding="utf-8")
    [article] = read_paths([path])
    assert (article.title, article.authors, article.published) == ("Council backs bridge rebuild", (), None)


def test_html_page_that_breaks_the_extractor_is_a_read_error(tmp_path, monkeypatch):
    real = html_reader.bare_extraction

    def fragile(tree, **options):
        if "Poison" in lxml.html.tostring(tree, encoding="unicode"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(tree, **options)

    monkeypatch.setattr(html_reader, "bare_extraction", fragile)
    (tmp_path / "a.html").write_text(_page().replace("Council backs", "Poison backs"), encoding="utf-8")
    (tmp_path / "b.html").write_text(_page(), encoding="utf-8")
    archive = tmp_path / "c.warc"
    with archive.open("wb") as out:
        writer = WARCWriter(out, gzip=False)
        writer.write_record(_response(writer, "https://gazette.example/poison", _page().replace("Council", "Poison").encode()))
        writer.write_record(_response(writer, "https://gazette.example/bridge", _page().encode()))
    bad, good, bad_record, good_record = read_paths([tmp_path])
    assert (bad.path, bad.reason) == (str(tmp_path / "a.html"), "text extraction failed (RecursionError: maximum recursion depth exceeded)")
    assert (bad_record.path, bad_record.position.split(" (")[0]) == (str(archive), "record 1")
    assert good.title == good_record.title == "Council backs bridge rebuild"


# --- feeds ------------------------------------------------------------------------------------------


def _rss(articles: list[Article]) -> str:
    """An RSS 2.0 feed of articles, written as a feed publisher would: HTML descriptions, RFC 2822 dates."""
    items = []
    for a in articles:
        parts = [f"<title>{escape(a.title)}</title>", f'<guid isPermaLink="false">{escape(a.id)}</guid>']
        if a.body:
            parts.append(f"<description>{escape(html.escape(a.body).replace(chr(10), '<br/>'))}</description>")
        if a.published:
            parts.append(f"<pubDate>{format_datetime(a.published)}</pubDate>")
        parts += [f"<category>{escape(t)}</category>" for t in a.topics]
        items.append("<item>" + "".join(parts) + "</item>")
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Reuters</title>'
            "<link>http://www.reuters.com/</link><description>Wire</description><language>en-us</language>"
            + "".join(items) + "</channel></rss>")


def test_rss_feed_of_reuters_stories_gives_the_same_articles(tmp_path):
    originals, errors = _split(read_paths([need_shared(REUTERS) / "reut2-000.sgm"]))
    assert (len(originals), errors) == (1000, [])
    feed = tmp_path / "reuters.rss"
    feed.write_text(_rss(originals), encoding="utf-8")
    items, errors = _split(read_paths([feed]))
    assert (len(items), errors) == (1000, [])
    for original, item in zip(originals, items):
        assert item.title == original.title
        # A feed's text is HTML: line breaks survive (as <br>), runs of spaces do not.
        assert item.body.split("\n") == [squeeze(line) for line in original.body.split("\n") if line.strip()]
        # RFC 2822 dates carry whole seconds; Reuters' carry hundredths.
        assert item.published == (original.published.replace(microsecond=0) if original.published else None)
        assert item.topics == original.topics
        assert (item.id, item.source, item.language) == (hashed_id(original.id), "Reuters", "en")
        assert item.extra == {"guid": original.id}


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de-DE">
  <title>Example Wire</title><id>urn:example:wire</id><updated>2025-04-23T12:00:00Z</updated>
  <entry>
    <title type="html">Full &lt;em&gt;story&lt;/em&gt;</title>
    <id>urn:example:1</id><link href="https://wire.example/1"/>
    <published>2025-04-23T10:00:00+02:00</published><updated>2025-04-24T10:00:00Z</updated>
    <author><name>Ann Author</name></author><author><name>Bob Writer</name></author>
    <category term="politics"/>
    <summary>Teaser only.</summary>
    <content type="html">&lt;p&gt;First paragraph &amp;amp; more.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;p&gt;Second   paragraph.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Summary only</title><link href="https://wire.example/2"/>
    <updated>2025-04-22T08:00:00Z</updated>
    <summary type="html">&lt;p&gt;The whole &lt;b&gt;teaser&lt;/b&gt;.&lt;/p&gt;</summary>
  </entry>
  <entry><title>Bad date</title><id>urn:example:3</id><published>the day after tomorrow</published>
    <summary>Text.</summary></entry>
  <entry><id>urn:example:4</id></entry>
</feed>
"""


def test_atom_feed_content_summary_dates_and_bad_items(tmp_path):
    path = tmp_path / "wire.atom"
    path.write_text(ATOM, encoding="utf-8")
    full, summary_only, bad_date, empty = read_paths([path])
    assert (full.id, full.title, full.url) == (hashed_id("urn:example:1"), "Full story", "https://wire.example/1")
    assert full.body == "First paragraph & more.\nSecond paragraph."  # content wins over summary; no script
    assert full.published == datetime(2025, 4, 23, 8, tzinfo=timezone.utc)  # published, not updated
    assert (full.authors, full.topics, full.source, full.language) == (
        ("Ann Author", "Bob Writer"), ("politics",), "Example Wire", "de")
    assert full.origin == f"{path}:item 1"
    # An item without content indexes its summary; without a guid its link is the id.
    assert (summary_only.id, summary_only.body) == (hashed_id("https://wire.example/2"), "The whole teaser.")
    assert summary_only.published == datetime(2025, 4, 22, 8, tzinfo=timezone.utc)
    assert (bad_date.path, bad_date.position, bad_date.reason) == (
        str(path), "item 3", "bad date: 'the day after tomorrow'")
    assert (empty.position, empty.reason) == ("item 4", "item has no title and no text")


def test_feed_ids_are_stable_across_fetches(tmp_path):
    monday, tuesday = tmp_path / "monday.rss", tmp_path / "tuesday.rss"
    item = '<item><title>{0}</title><link>https://n.example/{0}</link><description>About {0}.</description></item>'
    channel = '<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>{}</channel></rss>'
    monday.write_text(channel.format(item.format("a") + item.format("b")), encoding="utf-8")
    tuesday.write_text(channel.format(item.format("c") + item.format("a")), encoding="utf-8")
    by_title = {a.title: a.id for a in read_paths([monday, tuesday])}
    assert by_title == {t: hashed_id(f"https://n.example/{t}") for t in "abc"}


def test_xml_files_are_sniffed_feeds_reuters_or_not_a_feed(tmp_path):
    (tmp_path / "news.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>'
        "<item><title>In a feed</title><description>Yes.</description></item></channel></rss>", encoding="utf-8")
    (tmp_path / "wire.xml").write_text(
        '<REUTERS NEWID="7">\n<TEXT><TITLE>SGML IN XML</TITLE><BODY>Body.</BODY></TEXT>\n</REUTERS>\n', encoding="utf-8")
    (tmp_path / "sitemap.xml").write_text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://n.example/</loc></url></urlset>", encoding="utf-8")
    first, sitemap, wire = read_paths([tmp_path])
    assert first.title == "In a feed"
    assert (sitemap.path, sitemap.reason.startswith("not a feed")) == (str(tmp_path / "sitemap.xml"), True)
    assert (wire.id, wire.title) == ("reuters-7", "SGML IN XML")


# --- WARC ---------------------------------------------------------------------------------------------


def _response(writer: WARCWriter, uri: str, body: bytes, content_type: str = "text/html; charset=utf-8",
              status: str = "200 OK", date: str = "2024-05-01T12:00:00Z"):
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    return writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=headers,
                                     warc_headers_dict={"WARC-Date": date})


def _request(writer: WARCWriter, uri: str):
    headers = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True)
    return writer.create_warc_record(uri, "request", payload=io.BytesIO(b""), http_headers=headers)


def test_warc_of_the_html_pages_gives_the_same_articles(tmp_path, caplog):
    originals, errors = _split(read_paths([need_shared(HTML_NEWS)]))
    assert errors == []
    uris = [a.url or f"https://archive.example/{Path(a.origin.rpartition(':')[0]).name}" for a in originals]
    archive = tmp_path / "crawl.warc.gz"
    with archive.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        writer.write_record(writer.create_warcinfo_record(archive.name, {"software": "newsindex tests"}))
        for original, uri in zip(originals, uris):
            writer.write_record(_request(writer, uri))
            writer.write_record(_response(writer, uri, Path(original.origin.rpartition(":")[0]).read_bytes()))
        writer.write_record(_response(writer, "https://archive.example/logo.png", b"\x89PNG\r\n", "image/png"))
        writer.write_record(_response(writer, "https://archive.example/gone", b"<html>Not found</html>", status="404 Not Found"))
        writer.write_record(_response(writer, "https://archive.example/blank", b"<html><body></body></html>"))
    with caplog.at_level(logging.INFO, logger="newsindex.ingest.readers"):
        articles, errors = _split(read_paths([archive]))
    assert len(articles) == 17
    for original, article, uri in zip(originals, articles, uris):
        assert (article.title, article.body, article.published) == (original.title, original.body, original.published)
        assert (article.source, article.authors, article.language) == (original.source, original.authors, original.language)
        assert article.url == uri
        # Ids come from the canonical URL, so a page and its archived copy are one article; the one page
        # without a canonical URL is known by its file name on disk and by its address in the archive.
        assert article.id == (original.id if original.url else hashed_id(uri))
    assert articles[0].origin == f"{archive}:record 3"
    [blank] = errors
    assert (blank.path, blank.reason) == (str(archive), "no article text found in the page (https://archive.example/blank)")
    assert blank.position.startswith("record 38 (offset ")
    assert caplog.messages[-1] == (f"{archive}: 17 HTML pages, 20 other records skipped "
                                   "(17 request, 1 response (HTTP 404), 1 response (image/png), 1 warcinfo)")


def test_warc_date_is_the_fallback_for_a_page_without_one(tmp_path):
    archive = tmp_path / "one.warc"
    with archive.open("wb") as out:
        writer = WARCWriter(out, gzip=False)
        writer.write_record(_response(writer, "https://gazette.example/bridge", _page().encode(), date="2024-05-01T12:00:00Z"))
        dated = _page('<meta property="article:published_time" content="2024-03-05T08:30:00Z">')
        writer.write_record(_response(writer, "https://gazette.example/dated", dated.encode()))
    undated, dated_article = read_paths([archive])
    assert undated.published == datetime(2024, 5, 1, 12, tzinfo=timezone.utc)
    assert (undated.url, undated.id) == ("https://gazette.example/bridge", hashed_id("https://gazette.example/bridge"))
    assert dated_article.published == datetime(2024, 3, 5, 8, 30, tzinfo=timezone.utc)


def test_broken_warc_is_reported_and_the_run_goes_on(tmp_path):
    archive = tmp_path / "cut.warc"
    with archive.open("wb") as out:
        writer = WARCWriter(out, gzip=False)
        writer.write_record(_response(writer, "https://gazette.example/bridge", _page().encode()))
    (tmp_path / "junk.warc").write_bytes(archive.read_bytes() + b"this is not a WARC record\r\n\r\n")
    (tmp_path / "zzz.txt").write_text("Still read\n\nafter the broken archive.\n", encoding="utf-8")
    archive.unlink()
    article, error, text = read_paths([tmp_path])
    assert article.title == "Council backs bridge rebuild"
    assert (error.path, error.position, error.reason.startswith("not a valid WARC record")) == (
        str(tmp_path / "junk.warc"), "record 2", True)
    assert text.title == "Still read"


# --- CSV and TSV --------------------------------------------------------------------------------------


def test_csv_maps_columns_like_json_lines_keys(tmp_path):
    rows = [
        {"headline": "Oil falls", "short_description": "Prices fell.\nA second line.", "date": "2025-04-23",
         "link": "https://n.example/oil", "authors": "Ann A, Bob B", "desk": "markets"},
        {"headline": "Gold rises", "short_description": "Prices rose.", "date": "", "link": "", "authors": "", "desk": ""},
    ]
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    jsonl = tmp_path / "export.jsonl"
    jsonl.write_text("".join(json.dumps({k: v for k, v in r.items() if v}) + "\n" for r in rows), encoding="utf-8")
    mapping = {"title": "headline", "body": "short_description"}
    from_csv, errors = _split(read_paths([path], field_map=mapping))
    from_jsonl, _ = _split(read_paths([jsonl], field_map=mapping))
    assert errors == []
    oil, gold = from_csv
    assert (oil.id, oil.title, oil.body, oil.url) == (
        hashed_id("https://n.example/oil"), "Oil falls", "Prices fell.\nA second line.", "https://n.example/oil")
    assert (oil.published, oil.authors, oil.extra) == (
        datetime(2025, 4, 23, tzinfo=timezone.utc), ("Ann A", "Bob B"), {"desk": "markets"})
    assert (gold.id, gold.published, gold.origin) == ("export-4", None, f"{path}:4")  # line 4: row 1 spans two
    # The same records give the same articles either way, but for the fallback id (FILE-LINE).
    assert [a.content_hash for a in from_csv[:1]] == [a.content_hash for a in from_jsonl[:1]]
    assert [(a.title, a.body) for a in from_csv] == [(a.title, a.body) for a in from_jsonl]


def test_tsv_bad_rows_are_reported_with_their_line(tmp_path):
    path = tmp_path / "wire.tsv"
    path.write_text("id\ttitle\ttext\tdate\n"
                    "w1\tFirst\tBody one\t2025-01-02\n"
                    "w2\tShort row\n"
                    "\n"
                    "w3\tBad date\tBody\t2025-02-30\n"
                    "w4\tLast\tBody four\t\n", encoding="utf-8")
    first, short, bad_date, last = read_paths([path])
    assert (first.id, first.title, first.body) == ("w1", "First", "Body one")
    assert (short.position, short.reason) == ("line 3", "2 fields, but the header names 4")
    assert (bad_date.position, bad_date.reason.startswith("bad date")) == ("line 5", True)
    assert (last.id, last.published) == ("w4", None)


def test_csv_legacy_encoding_bom_and_empty_files(tmp_path):
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes("title,body\nCafé prices,Le café crème coûte 5 € à Genève.\n".encode("cp1252"))
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufefftitle,body\nWith BOM,Body\n".encode("utf-8"))
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "header.csv").write_text("title,body\n", encoding="utf-8")
    bom_article, empty, header, legacy_article = read_paths([tmp_path])
    assert (legacy_article.title, legacy_article.body) == ("Café prices", "Le café crème coûte 5 € à Genève.")
    assert bom_article.title == "With BOM"
    assert (empty.reason, header.reason) == ("empty file", "no rows below the header")


def test_csv_streams_with_flat_memory(tmp_path):
    path = tmp_path / "big.csv.gz"
    body = "word " * 200
    with gzip.open(path, "wt", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "title", "body"])
        writer.writerows([f"r{n}", f"Story {n}", body] for n in range(20_000))
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_paths([path]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert peak < 5_000_000  # the file holds 20 MB of text


# --- compressed files and archives ----------------------------------------------------------------------

_JSONL = b'{"id": "c1", "title": "Compressed", "body": "Inside."}\n{"title": "Second", "body": "Also."}\n'


@pytest.mark.parametrize("suffix, compress", [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)])
def test_compressed_files_read_as_the_file_inside(tmp_path, suffix, compress):
    path = tmp_path / f"feed.jsonl{suffix}"
    path.write_bytes(compress(_JSONL))
    first, second = read_paths([tmp_path])
    assert (first.id, first.title, second.id, second.title) == ("c1", "Compressed", "feed-2", "Second")
    assert second.origin == f"{path}:2"


def test_zip_members_are_read_by_their_names(tmp_path):
    archive = tmp_path / "pages.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("b/bridge.html", _page('<link rel="canonical" href="https://gazette.example/bridge">'))
        z.writestr("a/day.jsonl.gz", gzip.compress(_JSONL))
        z.writestr("a/note.txt", "Title: Zipped note\n\nText.\n")
        z.writestr("a/readme.md", "not an article")
        z.writestr("__MACOSX/b/._bridge.html", b"\0\0resource fork")
        z.writestr(".hidden.txt", "hidden")
    items, errors = _split(read_paths([archive]))
    assert errors == []
    assert [(a.title, a.origin) for a in items] == [
        ("Compressed", f"{archive}!a/day.jsonl.gz:1"), ("Second", f"{archive}!a/day.jsonl.gz:2"),
        ("Zipped note", f"{archive}!a/note.txt:1"), ("Council backs bridge rebuild", f"{archive}!b/bridge.html:1"),
    ]
    assert [a.id for a in items] == ["c1", "day-2", "note", hashed_id("https://gazette.example/bridge")]
    # --format reads every member in that format.
    forced, failed = _split(read_paths([archive], fmt="text"))
    assert ([a.id for a in forced], failed) == (["day", "note", "readme", "bridge"], [])


def test_corrupt_compressed_files_are_reported_and_the_run_goes_on(tmp_path):
    lines = b"".join(b'{"title": "T%d", "body": "%s"}\n' % (n, hashlib.sha256(b"%d" % n).hexdigest().encode())
                     for n in range(200))
    packed = gzip.compress(lines)
    (tmp_path / "a-cut.jsonl.gz").write_bytes(packed[: len(packed) // 2])
    (tmp_path / "b-bad.zip").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "c-fine.jsonl.xz").write_bytes(lzma.compress(_JSONL))
    articles, errors = _split(read_paths([tmp_path]))
    assert [(e.path, e.reason.split(":")[0]) for e in errors] == [
        (str(tmp_path / "a-cut.jsonl.gz"), "corrupt or truncated compressed data"),
        (str(tmp_path / "b-bad.zip"), "corrupt or truncated compressed data"),
    ]
    titles = [a.title for a in articles]
    assert 50 < len(titles) < 200 and titles[:2] == ["T0", "T1"]  # what came before the cut is kept
    assert titles[-2:] == ["Compressed", "Second"]


def test_exact_duplicates_are_indexed_once(tmp_path):
    page = _page('<link rel="canonical" href="https://gazette.example/bridge">')
    (tmp_path / "bridge.html").write_text(page, encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "saved.zip", "w") as z:
        z.writestr("bridge.html", page)
    first, copy = read_paths([tmp_path])
    assert first.content_hash == copy.content_hash and first.origin != copy.origin
    with NewsIndex.create(tmp_path / "index") as ix:
        summary = ix.add([first, copy])
        assert (summary.added, len(ix), ix.search("harbour bridge").total) == (1, 1, 1)
        assert (summary.duplicates, summary.failed) == (1, [])


# --- the command line -------------------------------------------------------------------------------------


def test_dry_run_prints_articles_and_touches_no_index(tmp_path):
    path = tmp_path / "wire.atom"
    path.write_text(ATOM, encoding="utf-8")
    index = tmp_path / "index"
    result = CliRunner().invoke(main, ["index", str(path), "--index", str(index), "--dry-run"])
    assert result.exit_code == 1  # two bad items
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(d["title"], d["published"]) for d in lines] == [
        ("Full story", "2025-04-23T08:00:00+00:00"), ("Summary only", "2025-04-22T08:00:00+00:00")]
    assert lines[0]["authors"] == ["Ann Author", "Bob Writer"] and lines[0]["url"] == "https://wire.example/1"
    assert "2 articles read, 2 failed (dry run: no index was opened)" in result.stderr
    assert f"failed: {path}:item 3: bad date" in result.stderr
    assert not index.exists()


def test_format_option_accepts_the_new_formats(tmp_path):
    assert SUPPORTED_FORMATS == ("text", "jsonl", "reuters", "html", "feed", "warc", "csv", "tsv")
    path = tmp_path / "feed.txt"
    path.write_text('<rss version="2.0"><channel><title>T</title><item><title>Forced</title>'
                    "<description>As a feed.</description></item></channel></rss>", encoding="utf-8")
    result = CliRunner().invoke(main, ["index", str(path), "--format", "feed", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["title"] == "Forced"


def test_index_notes_skipped_warc_records(tmp_path):
    archive = tmp_path / "one.warc.gz"
    with archive.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        writer.write_record(_request(writer, "https://gazette.example/bridge"))
        writer.write_record(_response(writer, "https://gazette.example/bridge", _page().encode()))
    index = tmp_path / "index"
    result = CliRunner().invoke(main, ["index", str(archive), "--index", str(index)])
    assert result.exit_code == 0, result.output
    assert f"newsindex: {archive}: 1 HTML pages, 1 other records skipped (1 request)" in result.stderr
    assert "1 added, 0 updated, 0 unchanged, 0 failed" in result.stdout
    quiet = CliRunner().invoke(main, ["index", str(archive), "--index", str(index), "--quiet"])
    assert "skipped" not in quiet.stderr and "0 added, 0 updated, 1 unchanged" in quiet.stdout
