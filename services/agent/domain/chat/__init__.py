"""The assistant: intents, slots, replies and the engines that act through the platform's tools.

- `intents`: nearest-neighbour intent classification over labelled example utterances (e5).
- `slots`: rule-based slot filling (job references, prefectures, trades, yes/no).
- `replies`: templated replies in en, ja, vi and id.
- `tools`: what the assistant may do, as an interface the service implements with the caller's token.
- `safety`: instructions hidden in data or messages never trigger a tool.
- `engine`: the offline engine; `llm`: the optional OpenAI-compatible engine behind the same interface.
"""
