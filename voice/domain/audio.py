"""PCM, WAV and container audio: everything the voice service reads or writes.

The recogniser works on 16 kHz mono signed 16-bit PCM (`SAMPLE_RATE`). WAV
files of any rate and channel count are mixed down and resampled here;
Opus (Ogg, WebM) and other containers are decoded with PyAV (FFmpeg in a
wheel). `OggOpusStream` decodes Ogg/Opus bytes as they arrive, page by page.
"""

from __future__ import annotations

import io
import struct
import wave
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 16000
BYTES_PER_SAMPLE = 2

Samples = npt.NDArray[np.float32]


class AudioError(ValueError):
    """The audio cannot be read: wrong format, corrupt, or empty."""


def pcm_to_float(pcm: bytes) -> Samples:
    """s16le bytes -> float32 samples in [-1, 1)."""
    if len(pcm) % BYTES_PER_SAMPLE:
        pcm = pcm[:-1]
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def float_to_pcm(samples: Samples) -> bytes:
    """float32 samples -> s16le bytes (clipped)."""
    clipped = np.clip(samples, -1.0, 32767.0 / 32768.0)
    return (clipped * 32768.0).astype("<i2").tobytes()


def duration_ms(pcm: bytes, rate: int = SAMPLE_RATE) -> int:
    return len(pcm) * 1000 // (BYTES_PER_SAMPLE * rate)


def resample(samples: Samples, rate: int, target: int = SAMPLE_RATE) -> Samples:
    """Band-limited resampling (windowed-sinc low-pass, then linear interpolation)."""
    if rate == target or samples.size == 0:
        return samples.astype(np.float32, copy=False)
    if target < rate:
        cutoff = 0.5 * target / rate * 0.9  # cycles per input sample, below the new Nyquist
        taps = np.arange(-32, 33, dtype=np.float64)
        kernel = 2 * cutoff * np.sinc(2 * cutoff * taps) * np.hamming(taps.size)
        kernel /= kernel.sum()
        samples = np.convolve(samples, kernel, mode="same").astype(np.float32)
    n_out = int(round(samples.size * target / rate))
    positions = np.arange(n_out, dtype=np.float64) * rate / target
    return np.interp(positions, np.arange(samples.size), samples).astype(np.float32)


def wav_bytes(pcm: bytes, rate: int) -> bytes:
    """A mono 16-bit WAV file holding `pcm`."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(BYTES_PER_SAMPLE)
        w.setframerate(rate)
        w.writeframes(pcm)
    return out.getvalue()


def read_wav(data: bytes) -> tuple[bytes, int]:
    """PCM (mono, 16-bit) and sample rate of a WAV file, mixing channels down.

    Also accepts the streaming WAV headers that espeak-ng writes to stdout
    (sizes 0x7fffffff): the data chunk then runs to the end of the bytes.
    """
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioError("not a WAV file")
    pos, fmt, pcm = 12, None, None
    while pos + 8 <= len(data):
        chunk, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        body = data[pos + 8 : pos + 8 + size]
        if chunk == b"fmt ":
            fmt = struct.unpack("<HHIIHH", body[:16])
        elif chunk == b"data":
            pcm = body
            break
        pos += 8 + size + (size & 1)
    if fmt is None or pcm is None:
        raise AudioError("WAV file without fmt or data chunk")
    encoding, channels, rate, _, _, bits = fmt
    if encoding not in (1, 0xFFFE) or bits != 16 or channels < 1 or not 4000 <= rate <= 192000:
        raise AudioError("WAV must be 16-bit PCM")
    usable = len(pcm) - len(pcm) % (BYTES_PER_SAMPLE * channels)
    samples = np.frombuffer(pcm[:usable], dtype="<i2")
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1).astype("<i2")
    return samples.tobytes(), rate


def to_recognizer_pcm(pcm: bytes, rate: int) -> bytes:
    """Any-rate mono PCM -> 16 kHz mono PCM."""
    if rate == SAMPLE_RATE:
        return pcm
    return float_to_pcm(resample(pcm_to_float(pcm), rate))


def parse_l16_rate(content_type: str) -> int:
    """`audio/L16; rate=16000` -> 16000 (the default when no rate is given)."""
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "rate":
            try:
                return int(value)
            except ValueError as exc:
                raise AudioError("bad rate in audio/L16 content type") from exc
    return SAMPLE_RATE


def decode_upload(data: bytes, content_type: str) -> bytes:
    """A recording as uploaded (WAV, raw L16, Ogg/WebM Opus, MP3...) -> 16 kHz mono PCM."""
    kind = content_type.split(";")[0].strip().lower()
    if not data:
        raise AudioError("empty recording")
    if kind in ("audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave") or data[:4] == b"RIFF":
        pcm, rate = read_wav(data)
        return to_recognizer_pcm(pcm, rate)
    if kind in ("audio/l16", "audio/pcm"):
        rate = parse_l16_rate(content_type)
        if not 8000 <= rate <= 48000:
            raise AudioError("audio/L16 rate must be 8000-48000")
        return to_recognizer_pcm(data[: len(data) - len(data) % 2], rate)
    return _decode_container(data)


def _decode_container(data: bytes) -> bytes:
    import av  # FFmpeg in a wheel: Opus, Vorbis, MP3, AAC...

    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.audio:
                raise AudioError("no audio stream in the recording")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            out = bytearray()
            for frame in container.decode(audio=0):
                for piece in resampler.resample(frame):
                    out += _frame_bytes(piece)
            for piece in resampler.resample(None):
                out += _frame_bytes(piece)
    except av.error.FFmpegError as exc:
        raise AudioError(f"cannot decode the recording: {exc}") from exc
    return bytes(out)


def _frame_bytes(frame: Any) -> bytes:
    array = frame.to_ndarray()
    return bytes(np.ascontiguousarray(array, dtype="<i2").tobytes())


class OggOpusStream:
    """Decodes an Ogg/Opus byte stream incrementally into 16 kHz mono PCM.

    Bytes may arrive split anywhere; complete Ogg pages are parsed, their
    packets reassembled (a packet can span pages) and decoded by libopus.
    The first two packets (OpusHead, OpusTags) carry no audio.
    """

    def __init__(self) -> None:
        import av

        self._buffer = bytearray()
        self._partial = bytearray()
        self._packets_seen = 0
        self._decoder: Any = av.CodecContext.create("opus", "r")
        self._decoder.sample_rate = 48000
        self._resampler: Any = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)

    def feed(self, data: bytes) -> bytes:
        """Add bytes; return the PCM decoded from every page now complete."""
        self._buffer += data
        out = bytearray()
        for packet in self._packets():
            self._packets_seen += 1
            if self._packets_seen <= 2 or packet.startswith((b"OpusHead", b"OpusTags")):
                continue
            out += self._decode(packet)
        return bytes(out)

    def _packets(self) -> Iterator[bytes]:
        while True:
            if len(self._buffer) < 27:
                return
            if self._buffer[:4] != b"OggS":
                raise AudioError("not an Ogg stream")
            segments = self._buffer[26]
            header = 27 + segments
            if len(self._buffer) < header:
                return
            lacing = self._buffer[27:header]
            end = header + sum(lacing)
            if len(self._buffer) < end:
                return
            body = bytes(self._buffer[header:end])
            del self._buffer[:end]
            pos = 0
            for size in lacing:
                self._partial += body[pos : pos + size]
                pos += size
                if size < 255:
                    yield bytes(self._partial)
                    self._partial.clear()

    def _decode(self, packet: bytes) -> bytes:
        import av

        out = bytearray()
        try:
            for frame in self._decoder.decode(av.Packet(packet)):
                for piece in self._resampler.resample(frame):
                    out += _frame_bytes(piece)
        except av.error.FFmpegError as exc:
            raise AudioError(f"bad Opus packet: {exc}") from exc
        return bytes(out)
