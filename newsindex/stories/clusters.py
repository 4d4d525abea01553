"""Stories from pair scores: connected groups, then average-link clustering inside each group.

Pure functions of a graph (articles, and the scores of the pairs found to be
alike), so the stories are a function of the *set* of articles: whatever the
order in which articles arrived, the same graph gives the same stories. The
story store (:mod:`newsindex.stories.store`) keeps the graph; a shard or a
stream of articles can build the same graph and call these too.

Why average link rather than joining an article to its best match (single
link): two events of the same kind (two actresses checking into rehab, two
earthquakes on one island) each have a few cross pairs that score high,
through a shared place or a background paragraph, and single link chains the
two stories through them. Average link joins two groups only when their
articles are alike *on average* (a pair never found counts 0), which a
handful of cross pairs cannot do. On events-dev it is the difference between
pairwise F1 0.80 (single link, best threshold) and 0.88.
"""

from __future__ import annotations

import heapq
from typing import Hashable, Iterable, Mapping, Sequence, TypeVar

N = TypeVar("N", bound=Hashable)


def components(nodes: Iterable[N], edges: Iterable[tuple[N, N]]) -> list[list[N]]:
    """The connected groups of a graph (union-find), each listed in ``nodes``' order."""
    parent: dict[N, N] = {}

    def find(x: N) -> N:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    order = list(nodes)
    for node in order:
        parent[node] = node
    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra
    groups: dict[N, list[N]] = {}
    for node in order:
        groups.setdefault(find(node), []).append(node)
    return list(groups.values())


def average_link(nodes: Sequence[N], scores: Mapping[tuple[N, N], float], join: float,
                 key: Mapping[N, str]) -> list[list[N]]:
    """Agglomerative clustering with average linkage: merge the two clusters whose pairs score
    highest on average (pairs not in ``scores`` count 0) while that average is at least ``join``.

    ``key`` gives each node a name that orders it the same way whatever order the
    nodes came in (article ids): ties between equal averages are broken by it, so
    the clustering is a function of the graph alone. Cost: about ``E log E`` for
    ``E`` scored pairs plus the merges, small since stories are small.
    """
    members: dict[int, list[N]] = {}
    cluster_of: dict[N, int] = {}
    for number, node in enumerate(sorted(nodes, key=key.__getitem__)):
        members[number] = [node]
        cluster_of[node] = number
    first = {number: key[group[0]] for number, group in members.items()}
    links: dict[int, dict[int, float]] = {number: {} for number in members}
    for (a, b), score in sorted(scores.items(), key=lambda item: (key[item[0][0]], key[item[0][1]])):
        ca, cb = cluster_of[a], cluster_of[b]
        if ca != cb:
            links[ca][cb] = links[ca].get(cb, 0.0) + score
            links[cb][ca] = links[cb].get(ca, 0.0) + score

    def entry(ca: int, cb: int) -> tuple[float, str, str, int, int]:
        if first[ca] > first[cb]:
            ca, cb = cb, ca
        average = links[ca][cb] / (len(members[ca]) * len(members[cb]))
        return (-average, first[ca], first[cb], ca, cb)

    heap = [entry(ca, cb) for ca in links for cb in links[ca] if ca < cb]
    heapq.heapify(heap)
    while heap:
        negative, _, _, ca, cb = heapq.heappop(heap)
        if ca not in members or cb not in members or cb not in links[ca]:
            continue
        current = entry(ca, cb)
        if current[0] != negative:
            continue  # stale: one side grew since
        if -negative < join:
            break
        # merge cb into ca (ca has the smaller first key)
        members[ca].extend(members.pop(cb))
        first[ca] = min(first[ca], first.pop(cb))
        merged = links.pop(cb)
        merged.pop(ca, None)
        links[ca].pop(cb, None)
        for other, value in sorted(merged.items(), key=lambda item: first[item[0]]):
            del links[other][cb]
            links[ca][other] = links[ca].get(other, 0.0) + value
            links[other][ca] = links[ca][other]
        for other in sorted(links[ca], key=first.__getitem__):
            heapq.heappush(heap, entry(ca, other))
    return [sorted(group, key=key.__getitem__) for group in members.values()]
