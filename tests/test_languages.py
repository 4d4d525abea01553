"""Every language of a mixed archive: detection, per-article analysis, queries, snippets, downstream.

One index, built with no options, holds the real feeds of ``feeds-multilingual``
(Japanese, Russian without a declared language, German, French), the pages of
``html-news`` (English, German, French), the sample corpus (English) and small
articles written for these tests in the scripts ../shared lacks
(``tests/data/languages.jsonl``: Chinese, Thai, Korean, Arabic, Hebrew, Hindi,
Greek, Ukrainian, Persian and Latin-script languages).
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from conftest import CORPUS, SHARED, need_shared
from newsindex import Article, NewsIndex
from newsindex.ingest.languages import detect_language, language_code, with_language
from newsindex.ingest.readers import read_paths
from newsindex.search.query import InLanguage
from newsindex.text.analysis import Analysis, SnowballFilter, language_analyzer, text_analyzer
from newsindex.text.scripts import MARKS, PLAIN, UNSPACED, is_plain
from newsindex.text.stems import StemTable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ is a folder, not a package

FIXTURES = Path(__file__).resolve().parent / "data" / "languages.jsonl"
FEEDS = SHARED / "feeds-multilingual"
PAGES = SHARED / "html-news"
_RUN = re.compile(f"[{UNSPACED}]+")


def _articles() -> list[Article]:
    paths = [need_shared(FEEDS), need_shared(PAGES), FIXTURES, CORPUS]
    return [a for a in read_paths(paths) if isinstance(a, Article)]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[NewsIndex, list[Article]]:
    articles = _articles()
    ix = NewsIndex.create(tmp_path_factory.mktemp("mixed") / "ix")
    summary = ix.add(articles)
    assert not summary.failed and summary.added == len({a.id for a in articles})
    yield ix, [ix.get(a.id) for a in {a.id: a for a in articles}.values()]
    ix.close()


def _found(ix: NewsIndex, query: str, article_id: str) -> bool:
    return article_id in set(ix.ids(query, limit=100_000))


def _words(title: str) -> list[str]:
    """The words of a title in a script written with spaces, punctuation stripped from their ends."""
    out = []
    for raw in title.split():
        word = raw
        while word and unicodedata.category(word[0])[0] in "PS":
            word = word[1:]
        while word and unicodedata.category(word[-1])[0] in "PS":
            word = word[:-1]
        if len(word) >= 2 and any(ch.isalpha() for ch in word) and not _RUN.search(word) and '"' not in word:
            out.append(word)
    return out


# -- the language of each article ---------------------------------------------------------


def test_declared_languages_are_normalised() -> None:
    assert [language_code(t) for t in ("de-DE", "pt_BR", "zh-Hant", "deu", "German", "iw", "EN", "x", "")] == [
        "de", "pt", "zh", "de", "de", "he", "en", "", "",
    ]


def test_detection_on_the_fixtures_in_every_script() -> None:
    for line in FIXTURES.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        assert detect_language(f"{record['title']}\n{record['body']}") == record["language"], record["id"]


def test_short_latin_texts_are_not_guessed() -> None:
    # Four Reuters stories of this kind were called Portuguese, Danish or Malay.
    assert detect_language("RIO DE JANEIRO - IBC ESTIMATES 1987-88 COFFEE CROP AT 35.2 MLN BAGS") == ""
    assert detect_language("东京") == "ja" or detect_language("北京举行国际气候会议") == "zh"
    assert detect_language("\x00\ud800 bad \x85 bytes") == ""
    declared = Article("x", "short", language="Russian")
    assert with_language(declared).language == "ru"


def test_characters_cld2_refuses_do_not_hide_the_language() -> None:
    """A control, a lone surrogate or a non-character of any plane (CLD2 refuses the whole text for
    one: U+1FFFE was missed, and left such an article without a language) is read as a space."""
    records = [json.loads(line) for line in FIXTURES.read_text(encoding="utf-8").splitlines()]
    for record in [r for r in records if r["language"] in ("es", "uk")]:
        sample = f"{record['title']}\n{record['body']}"
        for odd in ("\x03", "\x0c", "\x85", "\ud800", "\ufdd0", "\U0001fffe", "\U0010ffff"):
            assert detect_language(sample[:150] + odd + sample[150:]) == record["language"], hex(ord(odd))


def test_each_article_has_its_language(mixed) -> None:  # type: ignore[no-untyped-def]
    ix, articles = mixed
    expected = {"asahi.com.rss": "ja", "life.kp.ru.rss": "ru", "bild.de.rss": "de", "ouest-france.fr.rss": "fr",
                "spiegel.de.albtraum.html": "de", "zeit.de.zugverkehr.html": "de", "dw.com-elephants.html": "fr"}
    by_origin = Counter((Path(a.origin.split(":")[0]).name, a.language) for a in articles if "corpora" in a.origin)
    for (name, language), count in by_origin.items():
        assert language == expected.get(name, "en"), (name, language, count)  # kp.ru declares none: detected
    assert by_origin[("life.kp.ru.rss", "ru")] == 9
    facets = dict(ix.facets("language:ru OR language:de OR date:..2030", ["language"])["language"])
    assert facets["ru"] == 9 and facets["de"] == by_origin[("bild.de.rss", "de")] + 2 and facets["en"] > 900
    assert ix.search("language:ru").total == ix.search("language:Russian").total == 9


# -- words and phrases in every script -----------------------------------------------------


def test_title_words_and_phrases_find_their_articles(mixed) -> None:  # type: ignore[no-untyped-def]
    """Every word of every non-English title, and the title's words as a phrase, find the article."""
    ix, articles = mixed
    misses, checked = [], Counter()
    for article in articles:
        if article.language in ("en", "") or not article.title:
            continue
        queries = list(dict.fromkeys(_words(article.title)))
        words = [] if _RUN.search(article.title) else article.title.split()
        for run in _RUN.findall(article.title):
            queries += [run[i : i + n] for n in (2, 3) for i in range(0, max(1, len(run) - n + 1), 2)]
            queries.append(f'"{run}"')
        if len(words) >= 2:  # the first words of the title as written, as a phrase
            queries.append('"' + " ".join(words[:3]).replace('"', "") + '"')
        for query in queries:
            checked[article.language] += 1
            if not _found(ix, query, article.id):
                misses.append((article.language, query, article.title))
    assert not misses, misses[:10]
    assert set(checked) >= {"ja", "ru", "de", "fr", "zh", "th", "ko", "ar", "he", "hi", "el", "uk", "fa"}


def test_body_words_find_their_articles(mixed) -> None:  # type: ignore[no-untyped-def]
    ix, articles = mixed
    fixtures = {json.loads(line)["id"] for line in FIXTURES.read_text(encoding="utf-8").splitlines()}
    for article in (a for a in articles if a.id in fixtures):
        words = _words(article.body)[:6] if not _RUN.search(article.body) else _RUN.findall(article.body)[1:4]
        for word in words:
            assert _found(ix, word[:4] if _RUN.fullmatch(word) else word, article.id), (article.id, word)


@pytest.mark.parametrize("query, inflected", [
    ("медведь", "медведю"),      # Russian: the stem, in a feed that declares no language
    ("Flüchtling", "Flüchtlinge"),  # German
    ("armée", "l'armée"),          # French, with the elided article
    ("viviendas", "vivienda"),     # Spanish (fixture)
    ("ustawy", "ustawę"),          # Polish has no stemmer: only the form written is found
])
def test_inflected_forms(mixed, query: str, inflected: str) -> None:  # type: ignore[no-untyped-def]
    ix, _ = mixed
    if query == "ustawy":
        assert ix.search(query).total == 0 and ix.search("ustawę").total == 1
        return
    assert ix.search(query).total >= 1
    assert set(ix.ids(query, limit=1000)) >= set(ix.ids(f'"{inflected}"', limit=1000)) - {""}


def test_stems_and_exact_words_per_language(mixed) -> None:  # type: ignore[no-untyped-def]
    ix, _ = mixed
    # Each language's stems are kept (title words and body words, written by the helper process)
    # so that a search finds them without loading NLTK.
    assert StemTable(ix.directory, "russian").lookup("медведю") == "медвед"
    assert StemTable(ix.directory, "german").lookup("flüchtlinge") == "fluchtling"
    assert StemTable(ix.directory, "english").lookup("медведю") is None
    # =word: that form only, in any language.
    assert ix.search("=медведю").total == ix.search("медведь").total == 1 and ix.search("=медведь").total == 0
    assert ix.search('="桐光学園"').total == ix.search("桐光学園").total >= 1


def test_a_stemmer_leaves_other_scripts_alone_without_nltk() -> None:
    # In a mixed index every query word is stemmed in each language: a word no rule of a stemmer
    # can change is its own stem, as NLTK would say, without asking NLTK (not loaded for it).
    from nltk.stem.snowball import SnowballStemmer

    for language, word in [("english", "медведю"), ("german", "東京"), ("french", "เกษตรกร"), ("russian", "kennedys"), ("russian", "東京")]:
        stemmer = SnowballFilter(language)
        assert stemmer.stem(word) == SnowballStemmer(language).stem(word) == word and stemmer._nltk is None
    stemmer = SnowballFilter("russian")
    assert stemmer.stem("медведю") == "медвед" and stemmer._nltk is not None


def test_english_still_stemmed_in_a_mixed_index(mixed) -> None:  # type: ignore[no-untyped-def]
    ix, _ = mixed
    assert _found(ix, "Kennedys", "reuters-474") or ix.search("Kennedys").total >= 1
    assert ix.search('"refused to extradite"').total == 2


def test_document_frequencies_do_not_mix_languages(mixed) -> None:  # type: ignore[no-untyped-def]
    ix, _ = mixed
    reader = ix.searcher.reader()
    assert reader.doc_frequency("body", "de:die") > 20  # the German article
    assert reader.doc_frequency("body", "die") < 20  # the English verb
    assert all(not t.startswith("en:") for t in reader.field_terms("title"))  # the default is unmarked


def test_stop_words_per_language(mixed) -> None:  # type: ignore[no-untyped-def]
    ix, _ = mixed
    q = ix.parse("war crimes")  # "war" is a German stop word ("was"), an English content word
    assert any(isinstance(leaf, InLanguage) for leaf in _nodes(q))
    german = ix.search("Krieg die").total
    assert german == ix.search("Krieg").total  # "die" left out for German articles


def _nodes(q):  # type: ignore[no-untyped-def]
    yield q
    for child in q.children():
        yield from _nodes(child)


def test_one_character_of_a_script_without_spaces(mixed) -> None:  # type: ignore[no-untyped-def]
    ix, articles = mixed
    takanashi = {a.id for a in articles if "高梨" in a.title}
    assert len(takanashi) == 2 and set(ix.ids("高", limit=1000)) >= takanashi


def test_evaluator_gives_whooshs_answer_in_a_mixed_index(mixed) -> None:  # type: ignore[no-untyped-def]
    ix, _ = mixed
    search = ix._search
    for text in ("war crimes", "медведь", '"桐光学園"', "Krieg die", "ukrain*", "title:Ukraine -Crimée", "高",
                 "oil OR нефть", '"forces armées"~2'):
        q = search.parse(text)
        ours = search.top(q, "relevance", 50)
        theirs = search.whoosh_top(q, "relevance", 50)
        assert len(ours) == len(theirs), text
        assert [(round(h.score, 9), h.docnum) for h in ours] == [(round(h.score, 9), h.docnum) for h in theirs], text


# -- snippets, similar, compare, terms -----------------------------------------------------


@pytest.mark.parametrize("query, marked", [
    ("桐光学園", "**桐光学園**"),
    ("ホタルイカ", "**ホタルイカ**"),
    ("เกษตรกร", "**เกษตรกร**"),
    ("दिल्ली", "**दिल्ली**"),
    ("서울시", "**서울시**"),
    ("медведь", "**медведя**"),
])
def test_snippets_mark_whole_words_in_every_script(mixed, query: str, marked: str) -> None:  # type: ignore[no-untyped-def]
    ix, _ = mixed
    hits = ix.search(query, highlight=("**", "**")).hits
    assert hits
    # A snippet leaves out a headline the body repeats; the article shown whole has it.
    shown = [hit.snippet for hit in hits] + [
        f"{article.title}\n{article.body}" for article in (ix.highlighted(hit.id, query) for hit in hits)
    ]
    assert any(marked in s for s in shown), shown
    # No piece of the word is marked on its own (the pair กร of เกษตรกร inside ผลกระทบ).
    assert all(len(part) > 2 for s in shown for part in re.findall(r"\*\*(.+?)\*\*", s)), shown


def test_similar_and_compare_in_other_languages(mixed) -> None:  # type: ignore[no-untyped-def]
    ix, articles = mixed
    ukraine = [a for a in articles if a.language == "fr" and a.title.startswith("Ukraine.")]
    found = ix.similar(ukraine[0].id, limit=5)
    assert found and found[0][1].language == "fr" and found[0][1].title.startswith("Ukraine.")
    c = ix.compare(ukraine[0].id, ukraine[1].id)
    assert c.a.sentences and c.b.sentences
    terms = [t.text for t in ix.terms("language:fr Ukraine", top=10)]
    assert "ukraine" in [t.lower() for t in terms] or "russie" in [t.lower() for t in terms]
    assert not any(":" in t for t in terms)


# -- the analysis itself ---------------------------------------------------------------------


def test_scripts_without_spaces_are_cut_in_pairs() -> None:
    analyzer = text_analyzer()
    assert [t.text for t in analyzer("東京都庁 ＮＹダウ、４９ドル高")] == [
        "東京", "京都", "都庁", "ny", "ダウ", "49", "ドル", "ル高",
    ]
    assert [t.text for t in analyzer("दिल्ली में cafe\u0301")] == ["दिल्ली", "में", "café"]
    assert [t.text for t in language_analyzer("fr")("l'armée qu'il")] == ["fr:armé", "fr:il"]
    assert Analysis("ja").terms("桐光学園") == ["ja:桐光", "ja:光学", "ja:学園"]


def test_plain_text_gets_the_tokens_of_the_whole_rules(mixed: tuple[NewsIndex, list[Article]]) -> None:
    """The rules without the marks and the scripts cut into pairs (cheap to compile) are used only for
    a text whose characters are in neither class, where they must cut exactly as the whole rules do."""
    from newsindex.stories import wording
    from newsindex.text.analysis import _PLAIN_SEPARATORS, _PLAIN_TOKEN, _SEPARATORS, _TOKEN

    plain = "".join(chr(code) for low, high in PLAIN for code in range(low, high + 1))
    assert is_plain(plain) and re.search(f"[{MARKS}{UNSPACED}]", plain) is None
    assert re.search(f"[{wording._UNSPACED}]", plain) is None  # compare's words of a plain text: the same gate
    assert not is_plain("cafe\u0301") and not is_plain("東京") and not is_plain("ภาษา")
    whole, cheap = re.compile(_TOKEN, re.VERBOSE), re.compile(_PLAIN_TOKEN, re.VERBOSE)
    texts = [f"{a.title}\n{a.body}" for a in mixed[1]] + [
        "U.S. and U.K.'s 155,221 40% 4th T-72 o'clock Syria’s “quoted” — café Zürich Москва Ελλάδα Hà Nội €5 x_y",
    ]
    compared = 0
    for text in filter(is_plain, texts):
        compared += 1
        assert [(m.lastgroup, m.span()) for m in cheap.finditer(text)] == [
            (m.lastgroup, m.span()) for m in whole.finditer(text)
        ]
        assert re.split(_PLAIN_SEPARATORS, text) == re.split(_SEPARATORS, text)
    assert compared > 50  # English, German, French, Russian articles


def test_the_mark_table_is_marks() -> None:
    ranges = re.findall(r"(.)(?:-(.))?", MARKS)
    assert ranges
    for first, last in ranges:
        for code in range(ord(first), ord(last or first) + 1):
            assert unicodedata.category(chr(code)) in ("Mn", "Mc", "Me"), hex(code)


def test_the_benchmark_measures_what_languages_cost(tmp_path: Path) -> None:
    """The languages step of the full benchmark (the quick run leaves it out), on one Reuters file."""
    from benchmarks.languages import main
    from benchmarks.report import languages as languages_section

    need_shared(FEEDS)
    out = tmp_path / "languages.json"
    main(["--index", str(tmp_path / "ix"), "--out", str(out), "--files", "reut2-000.sgm", "--corpora", str(SHARED)])
    figures = json.loads(out.read_text())
    assert figures["articles"] == 1000 and figures["mixed_articles"] > 1100
    assert {"en", "ja", "ru", "de", "fr"} <= set(figures["languages"])
    assert figures["detect_ms_per_article"] > 0 and figures["query_ratio_mixed"] > 0
    # Index size: what the language field and facet add to English-only Reuters; the mixed index per language.
    assert 0 < figures["language_bytes"]["field"] + figures["language_bytes"]["facet"] < figures["index_bytes"] / 100
    per = figures["mixed_bytes_per_language"]
    assert {"en", "ja", "ru", "de", "fr"} <= set(per) and all(d["terms"] > 0 and d["text_bytes"] > 0 for d in per.values())
    assert sum(d["articles"] for d in per.values()) == figures["mixed_articles"]
    assert sum(d["term_bytes"] for d in per.values()) < figures["mixed_index_bytes"]
    report = languages_section({"languages": figures})
    assert "the language facet's column" in report and "| ja | 49 |" in report, report
    # CLD2 agrees with every feed item and page that declares its language; every title word finds its article.
    assert all(d["right"] == d["articles"] for d in figures["declared"].values()) and "ja" in figures["declared"]
    words = figures["title_words"]
    assert words["ja"]["words"] > 1000 and not words["ja"]["fixture"] and words["zh"]["fixture"]
    assert all(d["found"] == d["words"] for d in words.values()), words
