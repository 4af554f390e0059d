"""Vector retrieval behind one interface, with the filters applied before top-k.

`VectorIndex` keeps unit vectors (already centred, see `scoring.centred_unit`)
under string ids and answers "the k most similar among these allowed ids".
The allowed set comes first (eligibility pre-filter, `prefilter.py`), so a
worker whose eligibility is rare still gets k results rather than the few
eligible ones that happen to be in an unfiltered top-k.

Backends:
- `ExactIndex`: brute-force inner products with numpy; the reference.
- `FaissHnswIndex` (default): faiss HNSW (inner product) searched with the
  allowed set as an id selector; when the allowed set is small, exact search
  over it instead (cheaper and exact). The graph's own storage holds the
  vectors, so the distances it returns are exact; the search breadth
  (`efSearch`) is what recall is bought with.
- `PgVectorIndex` (`services/matching/pgvector_index.py`): the same
  interface over PostgreSQL + pgvector, for indexes that outgrow a
  replica's memory. As the matcher's index (`PgVectorSlots`, a
  `RemoteSlotIndex`) it keeps no vector in the process: a search returns the
  best rows' vectors, and the service awaits it (`asearch_rows`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
Mask = npt.NDArray[np.bool_]


class VectorIndex(Protocol):
    """A vector index over string ids with pre-filtered search."""

    dim: int

    def upsert(self, ids: Sequence[str], vectors: Vectors) -> None:
        """Add or replace vectors (unit length) under `ids`."""

    def remove(self, ids: Sequence[str]) -> None:
        """Forget `ids` (missing ones are ignored)."""

    def search(self, query: Vectors, k: int, allowed: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """The `k` ids most similar to `query` (inner product), only among `allowed` if given."""

    def __len__(self) -> int: ...


class SlotIndex(VectorIndex, Protocol):
    """What `ranking.Matcher` needs of its job index: stable rows per id (the eligibility
    columns are indexed by them) and search among the rows a mask allows.

    `holds_vectors`: the index keeps the vectors in this process (the matcher keeps its own map
    of them too); when false it is a `RemoteSlotIndex`."""

    holds_vectors: bool

    def slot(self, name: str) -> int: ...

    def name_at(self, slot: int) -> str | None: ...

    @property
    def capacity(self) -> int: ...

    def slot_mask(self, allowed: Sequence[str] | None) -> Mask: ...

    def search_mask(self, query: Vectors, k: int, mask: Mask) -> list[tuple[str, float]]: ...


class VectorRows(Protocol):
    """An in-memory index's rows, read by id (what `ranking.Matcher` scores with)."""

    def vector(self, name: str) -> Vectors:
        """The row of `name` as stored now (a view: use it before the index changes)."""

    def rows_of(self, names: Sequence[str]) -> Vectors:
        """The rows of `names`, copied out (one row each)."""


class RemoteSlotIndex(SlotIndex, Protocol):
    """A job index whose vectors live outside the process (pgvector): the matcher keeps none.

    Searches return the k best rows with their vectors (what the caller scores with); writes
    are queued by `upsert`/`reserve`/`remove` and written by `aflush`. The `a*` methods are
    awaited by the service (no query blocks its event loop); the others are synchronous."""

    def reserve(self, ids: Sequence[str]) -> None:
        """Rows for jobs known before their vectors (kept if the store already has a vector)."""

    def search_rows(self, query: Vectors, k: int, mask: Mask) -> list[tuple[str, float, Vectors]]: ...

    def vectors(self, ids: Sequence[str]) -> dict[str, Vectors]: ...

    async def asearch_rows(self, query: Vectors, k: int, mask: Mask) -> list[tuple[str, float, Vectors]]: ...

    async def avectors(self, ids: Sequence[str]) -> dict[str, Vectors]: ...

    async def aflush(self) -> None: ...


class _Slots:
    """Dense slots for ids, so vectors live in one array; freed slots are reused."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.ids: list[str | None] = []
        self.slot: dict[str, int] = {}
        self.free: list[int] = []
        self.vectors = np.zeros((0, dim), dtype=np.float32)

    def assign(self, ids: Sequence[str], vectors: Vectors) -> npt.NDArray[np.int64]:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        slots = np.empty(len(ids), dtype=np.int64)
        new = 0
        for i, key in enumerate(ids):
            s = self.slot.get(key)
            if s is None:
                if self.free:
                    s = self.free.pop()
                    self.ids[s] = key
                else:
                    s = len(self.ids) + new
                    new += 1
                self.slot[key] = s
            slots[i] = s
        if new:
            self.ids.extend([None] * new)
            grow = np.zeros((len(self.ids) - len(self.vectors), self.dim), dtype=np.float32)
            self.vectors = np.concatenate([self.vectors, grow]) if len(self.vectors) else grow
        for i, key in enumerate(ids):
            self.ids[int(slots[i])] = key
        self.vectors[slots] = vectors
        return slots

    def release(self, ids: Sequence[str]) -> list[int]:
        gone = []
        for key in ids:
            s = self.slot.pop(key, None)
            if s is not None:
                self.ids[s] = None
                self.vectors[s] = 0.0
                self.free.append(s)
                gone.append(s)
        return gone

    def mask(self, allowed: Sequence[str] | None) -> Mask:
        mask = np.zeros(len(self.ids), dtype=np.bool_)
        if allowed is None:
            live = [s for s in self.slot.values()]
            mask[live] = True
        else:
            picked = [self.slot[a] for a in allowed if a in self.slot]
            mask[picked] = True
        return mask

    def exact(self, query: Vectors, k: int, mask: Mask) -> list[tuple[str, float]]:
        """The k rows where `mask` is true most similar to `query`, by exact inner products."""
        return self.exact_rows(query, k, np.flatnonzero(mask))

    def exact_rows(self, query: Vectors, k: int, candidates: npt.NDArray[np.int64]) -> list[tuple[str, float]]:
        """The k of these rows most similar to `query`, best first (ties by row)."""
        if len(candidates) == 0 or k <= 0:
            return []
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        # einsum, not BLAS: a request's one product is faster on its own thread than split
        # across BLAS threads that other requests (and processes) are competing for.
        if len(candidates) * 4 >= len(self.ids):
            # Most rows allowed: one pass over the contiguous array beats copying the rows out.
            sims = np.einsum("ij,j->i", self.vectors[: len(self.ids)], q)[candidates]
        else:
            sims = np.einsum("ij,j->i", self.vectors[candidates], q)
        k = min(k, len(candidates))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.lexsort((candidates[top], -sims[top]))]
        return [(str(self.ids[int(candidates[t])]), float(sims[t])) for t in top]


class ExactIndex:
    """Brute-force search: exact, O(n) per query; the reference for recall."""

    holds_vectors = True

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._slots = _Slots(dim)

    def upsert(self, ids: Sequence[str], vectors: Vectors) -> None:
        self._slots.assign(ids, vectors)

    def remove(self, ids: Sequence[str]) -> None:
        self._slots.release(ids)

    def search(self, query: Vectors, k: int, allowed: Sequence[str] | None = None) -> list[tuple[str, float]]:
        return self._slots.exact(query, k, self._slots.mask(allowed))

    def search_mask(self, query: Vectors, k: int, mask: Mask) -> list[tuple[str, float]]:
        """Search among the slots where `mask` is true (see `slot_mask`)."""
        return self._slots.exact(query, k, mask)

    def slot_mask(self, allowed: Sequence[str] | None) -> Mask:
        return self._slots.mask(allowed)

    def slot(self, name: str) -> int:
        """The row of `name` (rows are stable while the id lives)."""
        return self._slots.slot[name]

    def name_at(self, slot: int) -> str | None:
        return self._slots.ids[slot]

    def vector(self, name: str) -> Vectors:
        """The stored vector of `name` (a view of its row)."""
        out: Vectors = self._slots.vectors[self._slots.slot[name]]
        return out

    def rows_of(self, names: Sequence[str]) -> Vectors:
        """The stored vectors of `names` (a copy, one row each)."""
        slot = self._slots.slot
        out: Vectors = self._slots.vectors[[slot[n] for n in names]]
        return out

    @property
    def capacity(self) -> int:
        """Rows in use or free: masks over rows have this length."""
        return len(self._slots.ids)

    def __len__(self) -> int:
        return len(self._slots.slot)


class FaissHnswIndex:
    """faiss HNSW over inner product, filtered search.

    `m` and `ef_construction` set graph quality at build; `ef_search` is the
    search breadth, at least `ef_per_result` per result asked, raised in
    inverse proportion to the share of ids the filter allows (a filter prunes
    the walk), at most `max_ef_search`. Filters allowing fewer than
    `exact_below` ids or `exact_fraction` of the index are searched exactly.

    The defaults were chosen on `bench/matching_bench.py`'s market at 100,000
    jobs (384-d, eligibility filters, 2 cores): M=48, efConstruction=64 and a
    breadth of 384 find 0.97 of the exact filtered top 20 in about 2 ms, where
    M=16, efConstruction=80 at 256 found 0.72 (at 1,024, 0.92); the graph
    costs 384 bytes a job more than the vectors.
    Removed ids stay in the graph but are never allowed (faiss HNSW cannot
    delete); `compact()` rebuilds when they pile up.
    """

    holds_vectors = True

    def __init__(
        self,
        dim: int,
        *,
        m: int = 48,
        ef_construction: int = 64,
        ef_search: int = 384,
        ef_per_result: int = 2,
        max_ef_search: int = 2048,
        exact_below: int = 10_000,
        exact_fraction: float = 0.1,
    ) -> None:
        import faiss

        self.dim = dim
        self.m, self.ef_construction, self.ef_search = m, ef_construction, ef_search
        self.ef_per_result, self.max_ef_search = ef_per_result, max_ef_search
        self.exact_below = exact_below
        self.exact_fraction = exact_fraction
        self._faiss = faiss
        self._slots = _Slots(dim)
        self._index = self._new_index()
        self._in_graph = 0  # slots [0, _in_graph) are in the HNSW graph with their current vectors
        self._stale: set[int] = set()  # slots whose vector changed since it was added

    def __getstate__(self) -> dict[str, Any]:
        """For a snapshot: the graph as faiss serializes it (no rebuild on restore)."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("_faiss", "_index")}
        state["_graph"] = self._faiss.serialize_index(self._index)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        import faiss

        graph = state.pop("_graph")
        self.__dict__.update(state)
        self._faiss = faiss
        self._index = faiss.deserialize_index(graph)

    def _new_index(self) -> Any:
        index = self._faiss.IndexHNSWFlat(self.dim, self.m, self._faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = self.ef_construction
        return index

    def upsert(self, ids: Sequence[str], vectors: Vectors) -> None:
        slots = self._slots.assign(ids, vectors)
        for s in slots:
            if s < self._in_graph:
                self._stale.add(int(s))
        self._sync()

    def _sync(self) -> None:
        """Add new slots to the graph; rebuild if too many vectors changed in place."""
        if len(self._stale) > max(1000, self._in_graph // 10):
            self.compact()
            return
        total = len(self._slots.ids)
        if total > self._in_graph:
            self._index.add(self._slots.vectors[self._in_graph : total])
            self._in_graph = total

    def compact(self) -> None:
        """Rebuild the graph from the live vectors."""
        self._index = self._new_index()
        self._in_graph = 0
        self._stale.clear()
        total = len(self._slots.ids)
        if total:
            self._index.add(self._slots.vectors[:total])
            self._in_graph = total

    def remove(self, ids: Sequence[str]) -> None:
        for s in self._slots.release(ids):
            self._stale.add(s)

    def search(self, query: Vectors, k: int, allowed: Sequence[str] | None = None) -> list[tuple[str, float]]:
        return self.search_mask(query, k, self._slots.mask(allowed))

    def slot_mask(self, allowed: Sequence[str] | None) -> Mask:
        return self._slots.mask(allowed)

    def search_mask(self, query: Vectors, k: int, mask: Mask) -> list[tuple[str, float]]:
        """Search among slots where `mask` is true: HNSW with a selector, or exact when few."""
        mask = mask.copy()
        if self._stale:
            stale = np.fromiter(self._stale, dtype=np.int64)
            stale_live = stale[mask[stale]] if len(stale) else stale
        else:
            stale_live = np.zeros(0, dtype=np.int64)
        allowed_count = int(mask.sum())
        if allowed_count == 0 or k <= 0:
            return []
        live = max(1, len(self._slots.slot))
        if allowed_count <= max(self.exact_below, 4 * k) or allowed_count < self.exact_fraction * live:
            return self._slots.exact(query, k, mask)
        # Stale slots' graph vectors are outdated: exclude them from the graph
        # search and score them exactly instead.
        graph_mask = mask
        if len(stale_live):
            graph_mask[stale_live] = False
        # A selective filter prunes the graph walk: widen it in proportion.
        breadth = int(max(self.ef_search, self.ef_per_result * k) * live / allowed_count)
        found = self._graph_search(query, k, graph_mask[: self._in_graph], min(self.max_ef_search, breadth))
        # The graph's distances are exact; these are recomputed for the stale rows' sake and so
        # that both paths report the same numbers.
        return self._slots.exact_rows(query, k, np.union1d(found, stale_live).astype(np.int64))

    def _graph_search(self, query: Vectors, want: int, mask: Mask, breadth: int) -> npt.NDArray[np.int64]:
        faiss = self._faiss
        bitmap = np.packbits(mask.astype(np.uint8), bitorder="little")
        selector = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bitmap))
        params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(breadth, want))
        q = np.ascontiguousarray(np.asarray(query, dtype=np.float32).reshape(1, -1))
        _, labels = self._index.search(q, want, params=params)
        out: npt.NDArray[np.int64] = labels[0][labels[0] >= 0].astype(np.int64)
        return out

    def slot(self, name: str) -> int:
        """The row of `name` (rows are stable while the id lives)."""
        return self._slots.slot[name]

    def name_at(self, slot: int) -> str | None:
        return self._slots.ids[slot]

    def vector(self, name: str) -> Vectors:
        """The stored vector of `name` (a view of its row)."""
        out: Vectors = self._slots.vectors[self._slots.slot[name]]
        return out

    def rows_of(self, names: Sequence[str]) -> Vectors:
        """The stored vectors of `names` (a copy, one row each)."""
        slot = self._slots.slot
        out: Vectors = self._slots.vectors[[slot[n] for n in names]]
        return out

    @property
    def capacity(self) -> int:
        """Rows in use or free: masks over rows have this length."""
        return len(self._slots.ids)

    def __len__(self) -> int:
        return len(self._slots.slot)
