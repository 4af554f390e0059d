"""Quality figures of the agent's models on the labelled sets committed in `data/`.

    .venv/bin/python -m services.agent.quality            # every set
    .venv/bin/python -m services.agent.quality skills     # one: skills, resumes, photos, retrieval, intents

- skills: ESCO skill extraction on `skills_eval.jsonl` (en, ja, vi, id):
  micro precision, recall and F1 over (snippet, skill URI) pairs.
- resumes: `resumes_eval.json` rendered to PDF and DOCX by `resume_corpus.py`,
  parsed; field accuracy per field (name, languages/JLPT, visa, licences ...).
- retrieval: 50 Japanese jobs × 50 profiles in other languages
  (`retrieval_eval.json`): recall@10 of the relevant job, raw and centred cosine.
- intents: `intents_eval.jsonl` classified by the offline chat engine
  (nearest neighbours over `intent_examples.jsonl`, which it never contains).

Caches are read from / written to `AGENT_DATA_DIR` (default `.iworkz/agent`).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import time

from services.agent.models import DATA, Models

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _jsonl(path: pathlib.Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def skills(models: Models) -> dict[str, float]:
    extractor = models.skills()
    tp = fp = fn = 0
    per_language: dict[str, list[int]] = {}
    for item in _jsonl(DATA / "skills_eval.jsonl"):
        gold = set(item["skills"])
        found = {f.uri for f in extractor.extract(item["text"])}
        counts = per_language.setdefault(item["language"], [0, 0, 0])
        for i, n in enumerate((len(found & gold), len(found - gold), len(gold - found))):
            counts[i] += n
        tp, fp, fn = tp + len(found & gold), fp + len(found - gold), fn + len(gold - found)
    figures = _prf(tp, fp, fn)
    for language, (a, b, c) in sorted(per_language.items()):
        figures[f"f1_{language}"] = _prf(a, b, c)["f1"]
    return figures


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def resumes(models: Models) -> dict[str, float]:
    """Field accuracy over every record rendered as PDF and as DOCX."""
    import tempfile

    from services.agent import resume_corpus
    from services.agent.domain import documents

    parser = models.resume_parser()
    checks: dict[str, list[bool]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for record, pdf_path, docx_path in resume_corpus.build(pathlib.Path(tmp)):
            want = resume_corpus.expected(record)
            for path in (pdf_path, docx_path):
                got = parsed_fields(parser.parse(documents.read(path.read_bytes()).pages))
                for name, value in want.items():
                    checks.setdefault(name, []).append(_same(name, got.get(name), value))
    return _field_figures(checks)


def photos(models: Models) -> dict[str, float]:
    """Field accuracy over every record printed and photographed (turned, blurred, grainy, unevenly
    lit JPEG), read by OCR."""
    from services.agent import resume_corpus
    from services.agent.domain import documents

    parser = models.resume_parser()
    checks: dict[str, list[bool]] = {}
    for i, record in enumerate(resume_corpus.records()):
        picture = resume_corpus.photo(resume_corpus.lines(record), record["language"], seed=i)
        got = parsed_fields(parser.parse(documents.read(picture).pages))
        for name, value in resume_corpus.expected(record).items():
            checks.setdefault(name, []).append(_same(name, got.get(name), value))
    return _field_figures(checks)


def _field_figures(checks: dict[str, list[bool]]) -> dict[str, float]:
    """Accuracy per field, over the key fields together, and the number of files read."""
    figures = {name: round(sum(v) / len(v), 3) for name, v in checks.items()}
    key = [c for name in ("display_name", "languages", "jlpt", "visa_status", "licences") for c in checks[name]]
    figures["key_fields"] = round(sum(key) / len(key), 3)
    figures["files"] = len(checks["display_name"])
    return figures


def parsed_fields(draft) -> dict[str, object]:
    """The draft in the shape of `resume_corpus.expected`."""
    languages = draft.values("languages")
    get = lambda path: draft.get(path).value if draft.get(path) else ""  # noqa: E731
    return {
        "display_name": get("display_name"),
        "languages": sorted({lang.code for lang in languages}),
        "jlpt": next((lang.jlpt for lang in languages if lang.code == "ja"), ""),
        "visa_status": get("visa_status"),
        "ssw_field": get("ssw_field"),
        "licences": sorted({lic.kind for lic in draft.values("licences")}),
        "email": get("email"),
        "employers": [job.employer for job in draft.values("experience")],
    }


def _same(name: str, got: object, want: object) -> bool:
    squash = lambda v: "".join(str(v).split()).lower()  # noqa: E731
    if name == "employers":
        return (
            isinstance(got, list) and isinstance(want, list) and [squash(x) for x in got] == [squash(x) for x in want]
        )
    if name == "display_name":
        return squash(got).replace("・", "") == squash(want).replace("・", "")
    return got == want


def retrieval(models: Models) -> dict[str, float]:
    """Recall@10 of each profile's relevant job (profiles embedded as queries, jobs as passages)."""
    import numpy as np

    data = json.loads((DATA / "retrieval_eval.json").read_text(encoding="utf-8"))
    jobs, profiles = data["jobs"], data["profiles"]
    ids = [j["id"] for j in jobs]
    encoder = models.encoder
    raw_q = encoder.encode([p["text"] for p in profiles], "query")
    raw_p = encoder.encode([j["text"] for j in jobs], "passage")
    figures: dict[str, float] = {}
    for name, q, p in (
        ("raw", raw_q, raw_p),
        ("centred", encoder.centre(raw_q, "query"), encoder.centre(raw_p, "passage")),
    ):
        scores = q @ p.T
        hits = 0
        for row, profile in zip(scores, profiles, strict=True):
            top = {ids[i] for i in np.argsort(-row)[:10]}
            hits += bool(top & set(profile["relevant"]))
        figures[f"recall@10_{name}"] = round(hits / len(profiles), 3)
        relevant = np.array([[ids[j] in p_["relevant"] for j in range(len(ids))] for p_ in profiles])
        figures[f"mean_cos_relevant_{name}"] = round(float(scores[relevant].mean()), 3)
        figures[f"mean_cos_other_{name}"] = round(float(scores[~relevant].mean()), 3)
    figures["pairs"] = len(profiles)
    return figures


def intents(models: Models) -> dict[str, float]:
    """Accuracy of the offline engine's intent classifier on held-out utterances."""
    from services.agent.domain.chat.intents import read_examples
    from services.agent.models import read_lines

    examples = read_examples(read_lines(DATA / "intents_eval.tsv"))
    seen = {e.text for e in models.intents.examples}
    assert not seen & {e.text for e in examples}, "evaluation utterances must not be training examples"
    predictions = models.intents.classify_many([e.text for e in examples])
    correct = [p.intent == e.intent for p, e in zip(predictions, examples, strict=True)]
    figures = {"accuracy": round(sum(correct) / len(correct), 3), "utterances": len(examples)}
    for language in sorted({e.language for e in examples}):
        chosen = [c for c, e in zip(correct, examples, strict=True) if e.language == language]
        figures[f"accuracy_{language}"] = round(sum(chosen) / len(chosen), 3)
    return figures


SETS = {"skills": skills, "resumes": resumes, "photos": photos, "retrieval": retrieval, "intents": intents}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the agent's quality figures on the committed sets.")
    parser.add_argument("sets", nargs="*", help=f"sets to run, of {', '.join(SETS)} (default: all)")
    args = parser.parse_args(argv)
    data_dir = pathlib.Path(os.environ.get("AGENT_DATA_DIR", ROOT / ".iworkz" / "agent"))
    models = Models.load(data_dir, int(os.environ.get("AGENT_THREADS", "2")))
    chosen = args.sets or list(SETS)
    unknown = [name for name in chosen if name not in SETS]
    if unknown:
        parser.error(f"unknown sets {unknown}; choose from {list(SETS)}")
    if "skills" in chosen:
        models.build()
    for name in chosen:
        started = time.perf_counter()
        figures = SETS[name](models)
        shown = "  ".join(f"{k}={v}" for k, v in figures.items())
        print(f"{name:<10} {shown}  ({time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
