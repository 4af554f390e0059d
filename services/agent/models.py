"""Loading the agent's models and the caches built from them under the data directory.

The encoder loads in milliseconds; what takes time is embedding reference
data (the corpus mean, ESCO skill labels, intent examples). Each cache file
is named after what it was computed from (model version and a hash of the
texts), so a new model or new data builds a new file instead of reusing a
stale one, and replicas sharing a directory reuse each other's work.
"""

from __future__ import annotations

import logging
import os
import pathlib
import sys
import tempfile
from collections.abc import Callable, Sequence

import numpy as np

from services.agent.domain.encoder import Encoder, Kind, Vectors, corpus_fingerprint, load_backend

log = logging.getLogger(__name__)
DATA = pathlib.Path(__file__).parent / "data"


def read_lines(path: pathlib.Path) -> list[str]:
    """Non-empty lines of a committed text file, without `#` comments."""
    return [
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


def _save(path: pathlib.Path, arrays: dict[str, Vectors]) -> None:
    """Write atomically: a crash or a concurrent replica never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp.npz")
    os.close(fd)
    np.savez(tmp, **arrays)  # type: ignore[arg-type]
    os.replace(tmp, path)


def cached_vectors(
    encoder: Encoder,
    data_dir: pathlib.Path,
    name: str,
    texts: Sequence[str],
    kind: Kind,
    progress: bool = False,
    batch: int = 256,
) -> Vectors:
    """Vectors of `texts`, from `data_dir` if computed before, else computed (with a progress bar) and saved."""
    path = data_dir / f"{name}-{encoder.version}-{kind}-{corpus_fingerprint(texts)}.npz"
    if path.exists():
        with np.load(path) as stored:
            vectors: Vectors = stored["vectors"]
        if vectors.shape == (len(texts), encoder.dimensions):
            return vectors
    log.info("building vector cache", extra={"cache": path.name, "texts": len(texts)})
    bar = _progress(len(texts), f"agent: embedding {name}") if progress else None
    parts = []
    for start in range(0, len(texts), batch):
        parts.append(encoder.encode(texts[start : start + batch], kind))
        if bar:
            bar(len(parts[-1]))
    vectors = np.vstack(parts) if parts else np.zeros((0, encoder.dimensions), np.float32)
    _save(path, {"vectors": vectors})
    return vectors


def _progress(total: int, label: str) -> Callable[[int], None]:
    from tqdm import tqdm

    bar = tqdm(total=total, desc=label, unit="text", file=sys.stderr, mininterval=2.0)

    def step(n: int) -> None:
        bar.update(n)
        if bar.n >= total:
            bar.close()

    return step


def load_encoder(data_dir: pathlib.Path, threads: int) -> Encoder:
    """The E5 encoder with its corpus means (query and passage) from the committed corpus."""
    encoder = Encoder(load_backend(threads))
    corpus = read_lines(DATA / "centring_corpus.txt")
    means = {
        kind: cached_vectors(encoder, data_dir, "centring", corpus, kind).mean(axis=0) for kind in ("query", "passage")
    }
    encoder.set_means(means, corpus_fingerprint(corpus))
    return encoder


class Models:
    """Everything the agent computes with, loaded once per process and shared by its RPCs."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder

    @classmethod
    def load(cls, data_dir: pathlib.Path, threads: int) -> Models:
        return cls(load_encoder(data_dir, threads))
