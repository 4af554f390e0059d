"""Voice logic without models: audio, endpointing, commands, confirmation gate, barge-in, scoring."""

from __future__ import annotations

import io
from typing import cast

import numpy as np
import pytest

from voice.domain import audio, commands, scoring
from voice.domain.commands import Command, Kind
from voice.domain.dialogue import BargeIn, Dialogue
from voice.domain.recognition import Expectation
from voice.domain.synthesis import sentences
from voice.domain.vad import FRAME_BYTES, Endpointer, SpeechEnded, SpeechStarted, VadSettings

RATE = audio.SAMPLE_RATE


def tone(ms: int, freq: float = 220.0, level: float = 0.3, rate: int = RATE) -> np.ndarray:
    t = np.arange(rate * ms // 1000) / rate
    return (level * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def silence(ms: int, rate: int = RATE) -> np.ndarray:
    return np.zeros(rate * ms // 1000, dtype=np.float32)


# --- audio -------------------------------------------------------------------------------------


def test_wav_round_trip_and_stereo_mixdown() -> None:
    pcm = audio.float_to_pcm(tone(100))
    assert audio.read_wav(audio.wav_bytes(pcm, RATE)) == (pcm, RATE)
    stereo = np.stack([np.frombuffer(pcm, "<i2"), np.frombuffer(pcm, "<i2")], axis=1).tobytes()
    out = io.BytesIO()
    import wave

    with wave.open(out, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(stereo)
    mono, rate = audio.read_wav(out.getvalue())
    assert rate == RATE and mono == pcm


def test_resampling_keeps_duration_and_pitch() -> None:
    original = tone(1000, freq=440.0, rate=48000)
    down = audio.resample(original, 48000, RATE)
    assert down.size == RATE
    spectrum = np.abs(np.fft.rfft(down))
    assert abs(int(np.argmax(spectrum)) * RATE / down.size - 440.0) < 2.0


@pytest.mark.parametrize("bad", [b"", b"RIFF....WAVEjunk", b"not audio at all"])
def test_unreadable_uploads_are_audio_errors(bad: bytes) -> None:
    with pytest.raises(audio.AudioError):
        audio.decode_upload(bad, "audio/wav")


def test_l16_upload_at_another_rate_is_resampled() -> None:
    pcm = audio.float_to_pcm(tone(500, rate=8000))
    out = audio.decode_upload(pcm, "audio/L16; rate=8000")
    assert audio.duration_ms(out) == 500


def _encoded(samples: np.ndarray, rate: int, container: str, codec: str, layout: str = "mono") -> bytes:
    """`samples` (float, mono) encoded as a recorder would: `container` holding `codec` at `rate`."""
    import av

    buffer = io.BytesIO()
    channels = 2 if layout == "stereo" else 1
    with av.open(buffer, mode="w", format=container) as out:
        stream = cast("av.AudioStream", out.add_stream(codec, rate=rate, layout=layout))
        frame_size = 960 if codec == "libopus" else 1024  # 20 ms of Opus at 48 kHz; one AAC frame
        pcm = (samples * 32767).astype("<i2")
        for start in range(0, pcm.size - frame_size + 1, frame_size):
            piece = np.repeat(pcm[start : start + frame_size], channels)  # interleaved (packed) channels
            frame = av.AudioFrame.from_ndarray(piece.reshape(1, -1), format="s16", layout=layout)
            frame.sample_rate = rate
            frame.pts = start
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def _ogg_opus(samples: np.ndarray, rate: int = 48000) -> bytes:
    return _encoded(samples, rate, "ogg", "libopus")


def test_ogg_opus_upload_and_stream_decode_to_16k() -> None:
    ogg = _ogg_opus(tone(1000, rate=48000))
    whole = audio.decode_upload(ogg, "audio/ogg")
    assert 900 <= audio.duration_ms(whole) <= 1100
    stream = audio.OggOpusStream()
    pieces = b"".join(stream.feed(ogg[i : i + 777]) for i in range(0, len(ogg), 777))  # split anywhere
    assert 900 <= audio.duration_ms(pieces) <= 1100
    level = np.sqrt(np.mean(audio.pcm_to_float(pieces)[1600:-1600] ** 2))
    assert level > 0.1  # the tone survived, not silence


# What the clients' recorders produce: browsers' MediaRecorder (Chrome: WebM/Opus, Firefox: Ogg/Opus,
# Safari: MP4/AAC) and expo-audio on a phone (AAC in MP4, `.m4a`: its default is 44.1 kHz stereo;
# the mobile app asks for 16 kHz mono).
RECORDERS = [
    pytest.param("audio/webm;codecs=opus", 48000, "webm", "libopus", "mono", id="chrome-webm-opus"),
    pytest.param("audio/ogg;codecs=opus", 48000, "ogg", "libopus", "mono", id="firefox-ogg-opus"),
    pytest.param("audio/mp4", 44100, "mp4", "aac", "stereo", id="phone-m4a-aac-44k-stereo"),
    pytest.param("audio/mp4", 16000, "mp4", "aac", "mono", id="phone-m4a-aac-16k-mono"),
    pytest.param("audio/x-m4a", 22050, "ipod", "aac", "mono", id="ios-m4a-aac"),
]


@pytest.mark.parametrize(("content_type", "rate", "container", "codec", "layout"), RECORDERS)
def test_recorders_uploads_decode_to_16k_keeping_length_and_pitch(
    content_type: str, rate: int, container: str, codec: str, layout: str
) -> None:
    recording = _encoded(tone(1500, freq=440.0, rate=rate), rate, container, codec, layout)
    pcm = audio.decode_upload(recording, content_type)
    assert 1350 <= audio.duration_ms(pcm) <= 1650  # codec padding, not a wrong rate (x2 or x3)
    samples = audio.pcm_to_float(pcm)[3200:-3200]
    assert np.sqrt(np.mean(samples**2)) > 0.1  # the tone survived, not silence
    spectrum = np.abs(np.fft.rfft(samples))
    assert abs(int(np.argmax(spectrum)) * RATE / samples.size - 440.0) < 5.0


def test_a_cut_off_phone_recording_is_an_audio_error() -> None:
    recording = _encoded(tone(1000, rate=16000), 16000, "mp4", "aac")
    with pytest.raises(audio.AudioError):
        audio.decode_upload(recording[: len(recording) // 2], "audio/mp4")


# --- endpointing -------------------------------------------------------------------------------


def stream(endpointer: Endpointer, signal: np.ndarray) -> list[object]:
    pcm = audio.float_to_pcm(signal)
    events: list[object] = []
    for i in range(0, len(pcm), FRAME_BYTES * 3):  # 60 ms chunks, as a client might send
        events += endpointer.push(pcm[i : i + FRAME_BYTES * 3])
    return events


def test_endpointer_finds_start_and_end_of_speech() -> None:
    signal = np.concatenate([silence(500), tone(800), silence(600)])
    events = stream(Endpointer(), signal)
    assert [type(e) for e in events] == [SpeechStarted, SpeechEnded]
    started, ended = events
    assert isinstance(started, SpeechStarted) and isinstance(ended, SpeechEnded)
    assert abs(started.offset_ms - 500) <= 40
    assert abs(ended.offset_ms - 1300) <= 40  # where the voice stopped, not where silence was long enough
    assert 800 <= audio.duration_ms(ended.audio) <= 800 + 200 + 100 + 40  # speech + pre-roll + kept tail


def test_short_pauses_do_not_split_an_utterance_and_clicks_do_not_start_one() -> None:
    signal = np.concatenate([silence(300), tone(20), silence(400), tone(400), silence(150), tone(400), silence(500)])
    events = stream(Endpointer(), signal)
    assert [type(e) for e in events] == [SpeechStarted, SpeechEnded]


def test_noise_floor_adapts_to_steady_background() -> None:
    rng = np.random.default_rng(1)
    noise = rng.normal(0, 0.01, RATE * 3).astype(np.float32)
    speech = np.concatenate([silence(1000), tone(700, level=0.3), silence(1300)])
    events = stream(Endpointer(), noise + speech)
    assert [type(e) for e in events] == [SpeechStarted, SpeechEnded]


def test_flush_ends_speech_and_max_length_cuts() -> None:
    endpointer = Endpointer(VadSettings(max_utterance_ms=1000))
    events = stream(endpointer, np.concatenate([silence(200), tone(2500)]))
    ended = [e for e in events if isinstance(e, SpeechEnded)]
    assert ended and ended[0].forced
    tail = stream(endpointer, tone(300))
    flushed = tail + endpointer.flush()
    assert any(isinstance(e, SpeechEnded) and e.forced for e in flushed)


# --- commands ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Yes please.", "en", Command(Kind.YES)),
        ("No thanks", "en", Command(Kind.NO)),
        ("Apply to the second one", "en", Command(Kind.APPLY, 2)),
        ("The third one.", "en", Command(Kind.SELECT, 3)),
        ("Next.", "en", Command(Kind.NEXT)),
        ("はい、お願いします。", "ja", Command(Kind.YES)),
        ("いいえ", "ja", Command(Kind.NO)),
        ("二番目に応募します", "ja", Command(Kind.APPLY, 2)),
        ("最後", "ja", Command(Kind.SELECT, -1)),
        ("Vâng, đồng ý", "vi", Command(Kind.YES)),
        ("Không", "vi", Command(Kind.NO)),
        ("Ứng tuyển việc đầu tiên", "vi", Command(Kind.APPLY, 1)),
        ("Iya, setuju", "id", Command(Kind.YES)),
        ("Lamar yang kedua", "id", Command(Kind.APPLY, 2)),
        ("Oo po, sige", "tl", Command(Kind.YES)),
        ("Opo", "tl", Command(Kind.YES)),
        ("Hindi po, salamat", "tl", Command(Kind.NO)),
        ("Huwag na", "tl", Command(Kind.NO)),
        ("Okay po", "tl", Command(Kind.YES)),  # Taglish: the English words count too
        ("Susunod", "tl", Command(Kind.NEXT)),
        ("Mag-apply sa pangalawa", "tl", Command(Kind.APPLY, 2)),
        ("Ang pangatlo", "tl", Command(Kind.SELECT, 3)),
        ("Pakiulit", "tl", Command(Kind.REPEAT)),
        ("हो।", "ne", Command(Kind.YES)),
        ("हुन्छ, ठीक छ", "ne", Command(Kind.YES)),
        ("होइन", "ne", Command(Kind.NO)),
        ("हुँदैन", "ne", Command(Kind.NO)),
        ("Hunchha.", "ne", Command(Kind.YES)),  # romanised, as a recogniser may write it
        ("Hoina", "ne", Command(Kind.NO)),
        ("thik chha", "ne", Command(Kind.YES)),
        ("अर्को", "ne", Command(Kind.NEXT)),
        ("पहिलो काममा आवेदन दिन्छु", "ne", Command(Kind.APPLY, 1)),
        ("दोस्रो", "ne", Command(Kind.SELECT, 2)),
        ("pheri bhannus", "ne", Command(Kind.REPEAT)),
        ("Find welding jobs in Osaka", "en", None),
        ("Yes, and show me care jobs in Nagoya near the station", "en", None),
    ],
)
def test_command_reading(text: str, language: str, expected: Command | None) -> None:
    assert commands.read(text, language) == expected


def test_devanagari_words_keep_their_vowel_signs_and_match_whole() -> None:
    assert commands.normalize("होइन।", "ne") == "होइन"  # vowel signs and virama are marks, not punctuation
    assert commands.yes_or_no("होइन", "ne") is Kind.NO  # हो ("yes") inside होइन ("no") is not a yes
    assert commands.yes_or_no("hoina", "ne") is Kind.NO


def test_tagalog_and_nepali_questions_are_not_answers() -> None:
    assert commands.yes_or_no("Magkano ang sahod?", "tl") is None
    assert commands.yes_or_no("कति तलब हो?", "ne") is None  # हो here is "is", in "how much is the pay?"
    assert commands.yes_or_no("यो के हो", "ne") is None
    assert commands.yes_or_no("Oo... hindi", "tl") is None


def test_vietnamese_question_is_not_a_refusal() -> None:
    assert commands.yes_or_no("Có việc hàn ở Osaka không?", "vi") is None
    assert commands.yes_or_no("Yes... no", "en") is None


def test_grammar_covers_the_english_commands() -> None:
    for word in ("yes", "no", "stop", "repeat", "next", "apply", "first", "number"):
        assert word in commands.JSGF_GRAMMAR


# --- confirmation gate and barge-in ------------------------------------------------------------


def test_yes_is_forwarded_only_after_a_confirmation_prompt_in_the_callers_language() -> None:
    dialogue = Dialogue(language="ja")
    said = dialogue.confirmation_prompt("ナニワ金属工業の溶接工に応募しますか？", "ja")
    assert said.endswith(commands.SAY_YES_OR_NO["ja"]) and dialogue.expect is Expectation.CONFIRMATION
    turn = dialogue.on_utterance("はい、お願いします", "ja")
    assert turn.forward == "はい" and turn.answer is Kind.YES
    assert dialogue.pending is None and dialogue.expect is Expectation.FREE


@pytest.mark.parametrize(("spoken", "yes", "no"), [("tl", "Oo po", "Hindi po"), ("ne", "हो", "होइन")])
def test_tagalog_and_nepali_callers_are_asked_in_their_language_and_the_agent_gets_english(
    spoken: str, yes: str, no: str
) -> None:
    dialogue = Dialogue(language=spoken)
    # The agent answers tl and ne callers in English: its prompt stays English, "say yes or no" is theirs.
    said = dialogue.confirmation_prompt("Apply to Naniwa Metal Works, welding operator?", "en", spoken)
    assert said.endswith(commands.SAY_YES_OR_NO[spoken])
    assert dialogue.confirmation_speech() == (
        ("Apply to Naniwa Metal Works, welding operator?", "en"),
        (commands.SAY_YES_OR_NO[spoken], spoken),
    )
    assert "yes" not in commands.SAY_YES_OR_NO[spoken].lower()
    unclear = dialogue.on_utterance("hmm", spoken)
    assert unclear.forward is None and unclear.speech == ((commands.DID_NOT_CATCH[spoken], spoken),)
    turn = dialogue.on_utterance(yes, spoken)
    assert turn.forward == "yes" and turn.answer is Kind.YES  # in the agent's language
    dialogue.confirmation_prompt("Apply to Naniwa Metal Works, welding operator?", "en", spoken)
    turn = dialogue.on_utterance(no, spoken)
    assert turn.forward == "no" and turn.answer is Kind.NO


def test_unclear_answers_are_asked_again_and_never_forwarded_as_consent() -> None:
    dialogue = Dialogue(language="en", max_unclear=2)
    dialogue.confirmation_prompt("Apply to Naniwa Metal Works, welding operator?", "en")
    for _ in range(2):
        turn = dialogue.on_utterance("How much does it pay?", "en")
        assert turn.forward is None and turn.say == commands.DID_NOT_CATCH["en"]
    turn = dialogue.on_utterance("hmm", "en")  # third unclear answer: the action is dropped
    assert turn.forward == "no" and turn.answer is Kind.NO
    assert dialogue.pending is None


def test_repeat_during_confirmation_repeats_the_prompt() -> None:
    dialogue = Dialogue()
    dialogue.confirmation_prompt("Apply to job one?", "en")
    turn = dialogue.on_utterance("repeat that", "en")
    assert turn.forward is None and turn.say is not None and turn.say.startswith("Apply to job one?")
    assert dialogue.pending is not None


def test_free_speech_goes_to_the_agent_and_lists_make_choices_expected() -> None:
    dialogue = Dialogue()
    assert dialogue.on_utterance("Find welding jobs in Osaka", "en").forward == "Find welding jobs in Osaka"
    dialogue.reply_finished("1. Naniwa Metal Works. 2. ...", listed_items=True)
    assert dialogue.expect is Expectation.CHOICE
    assert dialogue.on_utterance("repeat", "en").say == "1. Naniwa Metal Works. 2. ..."


def test_barge_in_needs_sustained_speech_while_speaking() -> None:
    barge = BargeIn(min_speech_ms=200)
    barge.speech_started(1000)
    assert not barge.should_interrupt(1500)  # not speaking: nothing to cut
    barge.reply_started()
    barge.speech_started(2000)
    assert not barge.should_interrupt(2100)
    assert barge.should_interrupt(2200)
    barge.reply_ended()
    assert not barge.should_interrupt(3000)


# --- scoring and sentences ---------------------------------------------------------------------


def test_word_and_reading_error_rates() -> None:
    assert scoring.errors("Find welding jobs in Osaka", "find welding jobs in osaka.", "en") == (0, 5)
    assert scoring.errors("Find welding jobs in Osaka", "Find welding job, Lihasa.", "en") == (3, 5)
    edits, size = scoring.errors("大阪で溶接", "おおさかでようせつ", "ja")  # same reading, other script
    assert edits == 0 and size == len("おおさかでようせつ")


def test_sentences_split_for_early_speech() -> None:
    assert sentences("I found three jobs. The first is in Osaka! OK?") == [
        "I found three jobs.",
        "The first is in Osaka! OK?",
    ]
    assert sentences("大阪で三件見つかりました。一件目はナニワ金属です。") == [
        "大阪で三件見つかりました。",
        "一件目はナニワ金属です。",
    ]
