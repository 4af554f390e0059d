"""Voice logic as plain Python: no gRPC, no database, no Redis.

- `audio`: PCM and WAV conversions, resampling, Ogg/Opus and container decoding.
- `vad`: endpointing (where an utterance starts and ends) on 16 kHz PCM.
- `commands`: the closed spoken command set (yes, no, next, stop, repeat,
  ordinals) in en/ja/vi/id, and its JSGF grammar for the English fast path.
- `models`: where the packaged models are (never a hub).
- `recognition`: Whisper for free speech, the pocketsphinx grammar for commands.
- `synthesis`: espeak-ng (and a packaged Piper voice for English), sentence by sentence.
- `dialogue`: the spoken confirmation gate and barge-in.
- `session`: one conversation: audio in, transcripts, reply text and speech out.
- `scoring`: word and character error rates.
"""
