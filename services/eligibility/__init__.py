"""Work eligibility: one implementation, shared by marketplace and matching.

- `facts`: the worker and job facts the rules read.
- `rules`: the hard rules (Japanese status-of-residence law as far as a job
  board can check it, JLPT, employment type and hours, location or
  relocation, availability, licences) with reasons and fixes in English and
  Japanese.
- `contracts`: facts from marketplace's WorkerProfile and Job messages.
- `geo`, `wages`: prefecture reference points and distances; wages per month.
"""
