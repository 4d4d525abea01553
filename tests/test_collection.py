"""Collections of shards built on a real Dask LocalCluster (two worker processes) answer as one index.

Three files of Reuters-21578 (3,000 articles) are built into a collection of
two shards with the cluster and into one index, and compared: the 68 queries
of the benchmark mix give the same ids in the same order with the same
totals; timelines, facets, terms, traces and stories (their grouping, the
story of an article, collapsed results) are the same. Then the failures: a
worker killed while it writes a shard, a second writer, a missing shard, a
shard or manifest of another version. The same comparison on all of Reuters
five times over is the benchmark's "shards" section.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner

distributed = pytest.importorskip("distributed")

from benchmarks.engines.newsindex_engine import to_newsindex  # noqa: E402
from benchmarks.querymix import load_queries  # noqa: E402
from newsindex import (  # noqa: E402
    IndexLockedError, IndexNotFoundError, IndexVersionError, NewsIndex, NewsIndexError, RebuildInterrupted,
)
from newsindex.cli import main  # noqa: E402
from newsindex.collection import Collection, open_any  # noqa: E402
from newsindex.collection.building import build, rebuild  # noqa: E402
from newsindex.collection.cluster import close, connect, open_on_cluster  # noqa: E402
from newsindex.collection.manifest import MANIFEST, shard_of  # noqa: E402
from newsindex.ingest.readers import input_files, read_paths  # noqa: E402
from newsindex.store.directory import rebuild_place  # noqa: E402
from newsindex.store.locking import WriteLock  # noqa: E402

from conftest import CORPUS, reuters_files  # noqa: E402

#: The Reuters-21578 files compared (reuters-8001 to reuters-11000): the articles the trace and
#: compare cases name are among them.
SUBSET = ("reut2-008.sgm", "reut2-009.sgm", "reut2-010.sgm")


@pytest.fixture(scope="module")
def subset() -> list[Path]:
    files = {path.name: path for path in reuters_files()}
    return [files[name] for name in SUBSET]


@pytest.fixture(scope="module")
def cluster():
    """A real local cluster: two worker processes of one thread each, as on a 2-core machine."""
    client, local = connect(workers=2)
    yield client
    close(client, local)


@pytest.fixture(scope="module")
def one_index(tmp_path_factory: pytest.TempPathFactory, subset: list[Path]) -> NewsIndex:
    """One index of the subset's articles, in the order they are read."""
    ix = NewsIndex.create(tmp_path_factory.mktemp("one") / "reuters")
    summary = ix.add(read_paths(subset))
    assert summary.failed == [] and summary.added == 3000
    yield ix
    ix.close()


@pytest.fixture(scope="module")
def reuters_collection(tmp_path_factory: pytest.TempPathFactory, cluster, subset: list[Path]) -> Collection:
    """The same articles in a collection of two shards, built on the cluster."""
    path = tmp_path_factory.mktemp("collection") / "reuters"
    Collection.create(path, shards=2).close()
    summary = build(path, input_files(subset), cluster)
    assert summary.failed == [] and summary.added == 3000 and summary.committed == 3000
    collection = Collection.open(path)
    yield collection
    collection.close()


def test_shards_hold_each_article_once_where_its_id_says(reuters_collection: Collection) -> None:
    sizes = [len(ix) for ix in reuters_collection._shards.indexes]
    assert sum(sizes) == len(reuters_collection) == 3000 and min(sizes) > 1_350
    for article_id in ("reuters-8001", "reuters-9915", "reuters-11000"):
        shard = reuters_collection._shards.indexes[shard_of(article_id, 2)]
        assert shard.get(article_id).id == article_id
    assert shard_of("reuters-1", 2) == shard_of("reuters-1", 2) and {shard_of(f"x{i}", 2) for i in range(20)} == {0, 1}


def test_the_query_mix_gives_one_index_s_ids_order_and_totals(one_index: NewsIndex, reuters_collection: Collection) -> None:
    differing = []
    for query in load_queries():
        native = to_newsindex(query)
        one = one_index.search(native.text, limit=20, sort=native.sort, operator=native.operator)
        many = reuters_collection.search(native.text, limit=20, sort=native.sort, operator=native.operator)
        if one.total != many.total or [h.id for h in one] != [h.id for h in many]:
            differing.append(native.text)
        for a, b in zip(one, many):  # the same scores (a query of three or more words may add its parts
            if a.score is None:  # in another order: last bits); none when sorted by date
                assert b.score is None
            else:
                assert a.score == pytest.approx(b.score, rel=1e-12, abs=0)
    assert differing == []
    assert reuters_collection.ids("oil prices", 100, feedback=True) == one_index.ids("oil prices", 100, feedback=True)
    second = reuters_collection.search("coffee", limit=7, page=3)
    assert [h.id for h in second] == [h.id for h in one_index.search("coffee", limit=7, page=3)]
    assert [h.snippet for h in second] == [h.snippet for h in one_index.search("coffee", limit=7, page=3)]


def test_timelines_facets_and_terms_are_one_index_s(one_index: NewsIndex, reuters_collection: Collection) -> None:
    for query in ("coffee", "topic:crude", "oil -opec"):
        assert reuters_collection.timeline(query, by="week") == one_index.timeline(query, by="week")
        assert reuters_collection.facets(query) == one_index.facets(query)
        assert reuters_collection.count(query) == one_index.count(query)
    assert reuters_collection.terms("cocoa") == one_index.terms("cocoa")
    merged, single = reuters_collection.stats(), one_index.stats()
    assert (merged.articles, merged.dated, merged.first, merged.last, merged.sources) == (
        single.articles, single.dated, single.first, single.last, single.sources)


def test_counting_stories_is_one_index_s(one_index: NewsIndex, reuters_collection: Collection) -> None:
    """Timelines, facets, terms and sources counted by story (the stories living in the collection's
    store, the articles in its shards) are one index's, ties and order included."""
    fewer = 0
    for query in ("dividend", "topic:crude", "oil -opec", "coffee OR cocoa"):
        one, many = one_index.timeline(query, by="week", stories=True), reuters_collection.timeline(query, by="week", stories=True)
        assert many == one
        fewer += sum(p.count for p in one) < sum(p.count for p in one_index.timeline(query, by="week"))
        assert reuters_collection.facets(query, stories=True) == one_index.facets(query, stories=True)
        assert reuters_collection.source_stories(query) == one_index.source_stories(query)
    assert fewer >= 2  # stories of several articles: counting stories differs from counting articles
    assert reuters_collection.timeline("dividend", by="month", since="1987-03", stories=True) == one_index.timeline(
        "dividend", by="month", since="1987-03", stories=True)
    assert reuters_collection.terms("dividend", stories=True) == one_index.terms("dividend", stories=True)
    many, one = (ix.search("dividend", facets=["source", "topic"], stories=True) for ix in (reuters_collection, one_index))
    assert (many.facets, many.source_stories) == (one.facets, one.source_stories) and one.source_stories


def test_stories_are_not_split_by_shards(one_index: NewsIndex, reuters_collection: Collection) -> None:
    assert reuters_collection.story_stats() == one_index.story_stats()
    # a story whose tellings are in both shards
    crossing = None
    for hit in one_index.search("dividend", limit=200, collapse=True):
        if hit.other_tellings:
            members = [a.id for a in one_index.story(hit.id)[1]]
            if len({shard_of(m, 2) for m in members}) == 2:
                crossing = hit.id
                break
    assert crossing is not None
    one, many = one_index.story(crossing), reuters_collection.story(crossing)
    assert (one[0], [a.id for a in one[1]]) == (many[0], [a.id for a in many[1]])
    collapsed = reuters_collection.search("dividend", limit=20, collapse=True)
    expected = one_index.search("dividend", limit=20, collapse=True)
    assert [(h.id, h.story, h.other_tellings) for h in collapsed] == [(h.id, h.story, h.other_tellings) for h in expected]
    similar = reuters_collection.similar(crossing, 5)
    assert similar and similar[0][0].id in {a.id for a in many[1]}
    assert [(s, a.id) for s, a in similar] == [(s, a.id) for s, a in one_index.similar(crossing, 5)]


def test_a_worker_killed_mid_run_fails_the_run_and_the_same_run_resumes(tmp_path: Path, cluster, subset: list[Path]) -> None:
    path = tmp_path / "killed"
    Collection.create(path, shards=2).close()
    files = subset[:2]
    pids = cluster.run(os.getpid)
    killed = []

    def kill_once(done: int) -> None:
        if not killed:  # the first split is written and committed: kill a worker while the rest is written
            address = sorted(pids)[-1]
            os.kill(pids[address], signal.SIGKILL)
            killed.append(address)

    with pytest.raises(NewsIndexError, match="died during the run; every shard is as at its last commit"):
        build(path, input_files(files), cluster, commit_every=300, split_bytes=1, progress=kill_once)
    with Collection.open(path) as partial:  # every shard opens, at its last commit
        kept = len(partial)
        assert 0 < kept < 2000 and partial.search("oil").total == partial.count("oil") > 0
    cluster.wait_for_workers(2, timeout=60)  # the nanny restarts the killed worker
    summary = build(path, input_files(files), cluster, commit_every=300)
    assert summary.unchanged + summary.added == 2000 and summary.unchanged == kept and summary.failed == []
    with Collection.open(path) as whole:
        assert len(whole) == 2000 and whole.story_stats().articles == 2000


def test_a_second_writer_is_refused(tmp_path: Path, cluster, subset: list[Path]) -> None:
    path = tmp_path / "locked"
    Collection.create(path, shards=2).close()
    lock = WriteLock(path)
    lock.acquire()
    try:
        with pytest.raises(IndexLockedError, match=f"process {os.getpid()}"):
            build(path, input_files(subset[:1]), cluster)
        with Collection.open(path) as collection, pytest.raises(IndexLockedError):
            collection.add([])
    finally:
        lock.release()


def test_a_missing_shard_or_one_of_another_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken"
    Collection.create(path, shards=3).close()
    assert CliRunner().invoke(main, ["check", "-i", str(path)]).exit_code == 0
    damaged = path / "shard-002" / "newsindex.json"
    sound = damaged.read_bytes()
    damaged.write_text("{", encoding="utf-8")
    checked = CliRunner().invoke(main, ["check", "-i", str(path)])
    assert checked.exit_code == 1 and f"damaged: {damaged}: unreadable" in checked.output
    damaged.write_bytes(sound)
    meta = path / "shard-001" / "newsindex.json"
    data = json.loads(meta.read_text())
    meta.write_text(json.dumps({**data, "format": 1}))
    with pytest.raises(IndexVersionError, match="shard 1: .*index format 1 but this newsindex reads"):
        Collection.open(path)
    shutil.rmtree(path / "shard-001")
    with pytest.raises(IndexNotFoundError, match="shard 1 .* is missing"):
        open_any(path)
    manifest = json.loads((path / MANIFEST).read_text())
    (path / MANIFEST).write_text(json.dumps({**manifest, "format": 99}))
    with pytest.raises(IndexVersionError, match="collection format 99"):
        Collection.open(path)


def test_a_collection_scores_with_the_statistics_of_its_last_commit(tmp_path: Path) -> None:
    """The document frequencies a collection's shards keep between searches go with the index state."""
    with Collection.create(tmp_path / "grown", shards=2) as collection:
        collection.add(read_paths([CORPUS / "000_7887337d1080e0d6.txt"]))
        first = collection.search("russia assad").hits[0].score
        collection.add(read_paths([CORPUS / "001_d111d31f41ebd35a.txt"]))
        grown = [(h.id, h.score) for h in collection.search("russia assad")]
    with Collection.open(tmp_path / "grown") as fresh:
        assert grown == [(h.id, h.score) for h in fresh.search("russia assad")] and len(grown) == 2
    assert dict(grown)["000_7887337d1080e0d6"] != first


def test_the_command_line_builds_and_searches_a_collection(tmp_path: Path, cluster) -> None:
    path = str(tmp_path / "cli")
    address = cluster.scheduler.address
    runner = CliRunner()
    built = runner.invoke(main, ["index", str(CORPUS), "--shards", "2", "-i", path, "--scheduler", address])
    assert built.exit_code == 0, built.output
    assert "1,002 added" in built.output
    again = runner.invoke(main, ["index", str(CORPUS), "-i", path, "--scheduler", address])
    assert "1,002 unchanged" in again.output
    wrong = runner.invoke(main, ["index", str(CORPUS), "-i", path, "--shards", "3", "--scheduler", address])
    assert wrong.exit_code == 1 and "a collection of 2 shards, not 3" in wrong.output
    found = runner.invoke(main, ["search", '"refused to extradite"', "-i", path, "--json"])
    assert [json.loads(line)["id"] for line in found.output.splitlines()] == ["001_d111d31f41ebd35a", "000_7887337d1080e0d6"]
    assert "story 000_7887337d1080e0d6: 2 articles" in runner.invoke(main, ["story", "001_d111d31f41ebd35a", "-i", path]).output
    with open_any(path) as here, open_on_cluster(path, address) as there:  # shards kept open by the workers
        for query in ("oil prices", "coffee", '"refused to extradite"'):
            assert [(h.id, h.score) for h in there.search(query)] == [(h.id, h.score) for h in here.search(query)]
        assert there.timeline("oil", by="month") == here.timeline("oil", by="month")
        assert there.timeline("oil", by="month", stories=True) == here.timeline("oil", by="month", stories=True)
        assert there.source_stories("oil") == here.source_stories("oil") != []
    assert runner.invoke(main, ["check", "-i", path]).output == f"{path}: sound (every file matches its checksum)\n"
    assert runner.invoke(main, ["delete", "000_7887337d1080e0d6", "-i", path]).output == "1 deleted\n"
    assert "articles:  1,001 (1,001 with a date)" in runner.invoke(main, ["stats", "-i", path]).output

    def interrupt(done: int) -> None:
        raise KeyboardInterrupt

    with open_any(path) as reader:  # a rebuild is built beside the collection, which stays whole until it is done
        with pytest.raises(RebuildInterrupted, match="is as it was before it"):
            rebuild(Path(path), input_files([CORPUS]), cluster, progress=interrupt)
        assert not reader.refresh() and len(reader) == 1001 and not rebuild_place(Path(path)).exists()
        one_file = str(CORPUS / "000_7887337d1080e0d6.txt")
        rebuilt = runner.invoke(main, ["index", one_file, "-i", path, "--rebuild", "--scheduler", address])
        assert rebuilt.exit_code == 0 and "1 added" in rebuilt.output, rebuilt.output
        assert reader.refresh() and len(reader) == 1 and reader.ids("extradite") == ["000_7887337d1080e0d6"]
        # one shard has no articles now (no columns): every answer still comes
        assert reader.overview("extradite").total == 1 and [p.count for p in reader.timeline("extradite", by="year")] == [1]
        assert reader.search("extradite", sort="date", facets=["source"]).facets == {"source": [("The Insider", 1)]}
    assert sorted(p.name for p in Path(path).iterdir() if p.is_dir()) == ["shard-000-1", "shard-001-1"]
    assert runner.invoke(main, ["check", "-i", path]).exit_code == 0


def test_the_web_interface_serves_a_collection_as_one_index(tmp_path: Path, web_index: NewsIndex, web_index_dir: Path) -> None:
    from newsindex.web import create_app

    path = tmp_path / "web"
    with Collection.create(path, shards=2) as collection:  # the web index's articles, in the same order
        summary = collection.add(read_paths([CORPUS, web_index_dir.parent / "hostile.jsonl"]))
    assert summary.failed == [] and summary.added == len(web_index)
    with Collection.open(path) as collection:
        one, many = create_app(web_index).test_client(), create_app(collection).test_client()
        for url in ("/api/search?q=coffee+brazil&size=5&facet=source&facet=place", "/api/search?q=oil&sort=date&page=2",
                    "/api/search?q=extradite&collapse=1", "/api/timeline?q=coffee&by=week", "/api/terms?q=coffee&top=5",
                    "/api/story/001_d111d31f41ebd35a", "/api/article/hostile-1", "/api/timeline?q=oil&by=week&stories=1",
                    "/api/facets?q=oil&facet=source&facet=topic&stories=1", "/api/terms?q=oil&top=5&stories=1",
                    "/api/search?q=oil&facet=source&stories=1"):
            answer = many.get(url)
            assert answer.status_code == 200 and answer.get_json() == one.get(url).get_json(), (url, answer.get_json())
        for url in ("/?q=oil&size=10&facet=source", "/?q=oil&size=10&facet=source&stories=1",
                    "/article/001_d111d31f41ebd35a?q=extradite", "/?q=zyxhostile"):
            page = many.get(url)
            assert page.status_code == 200 and page.get_data(as_text=True) == one.get(url).get_data(as_text=True), url
        exported = [list(csv.DictReader(io.StringIO(client.get("/export.csv?q=oil&sort=date").get_data(as_text=True))))
                    for client in (many, one)]
        for row in exported[0] + exported[1]:  # the index column names the state read: the collection's, or the index's
            row.pop("index")
        assert len(exported[0]) > 50 and exported[0] == exported[1]
        assert many.get("/api/stats").get_json()["articles"] == len(web_index)
    queries = tmp_path / "queries.txt"
    queries.write_text("coffee brazil\noil\nzyxhostile\n", encoding="utf-8")
    runner = CliRunner()
    for command in (["search", "oil", "--all", "--csv"], ["batch", str(queries), "--hits", str(tmp_path / "{}.csv")],
                    ["show", "001_d111d31f41ebd35a", "--highlight", "extradite"], ["search", "oil", "--sort", "date", "--json"],
                    ["search", "oil", "--facet", "source", "--stories", "--summary"], ["timeline", "oil", "--stories"],
                    ["terms", "oil", "--stories"]):
        outputs = []
        for where, name in ((path, "many"), (web_index_dir, "one")):
            done = runner.invoke(main, [part.format(name) for part in command] + ["-i", str(where)])
            assert done.exit_code == 0, (command, done.output)
            outputs.append(done.output)
        assert outputs[0] == outputs[1], command  # the command line prints the same for a collection
    assert (tmp_path / "many.csv").read_text() == (tmp_path / "one.csv").read_text()


def test_trace_and_compare_look_across_shards(one_index: NewsIndex, reuters_collection: Collection) -> None:
    shards = set()
    for claim in ("The unit produces 46,000 barrels of gasoline components a year.",
                  "the European Community (EC) imposed a levy on vegetable oils",
                  "governments should prepare for an inevitable significant increase in the price of oil"):
        found = reuters_collection.trace(claim)
        assert found == one_index.trace(claim) and found.tellings, claim
        shards |= {shard_of(t.id, 2) for t in found.tellings}
    assert shards == {0, 1}  # tellings of one claim are found in both shards
    assert reuters_collection.sentences("reuters-8596") == one_index.sentences("reuters-8596")
    assert reuters_collection.trace_sentence("reuters-8596", 2) == one_index.trace_sentence("reuters-8596", 2)
    assert reuters_collection.compare("reuters-10038").a.id == one_index.compare("reuters-10038").a.id == "reuters-9915"
