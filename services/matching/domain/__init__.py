"""Matching's domain logic: plain Python, no gRPC, database or Redis.

- `facts`: what matching knows of a worker and a job (its own projection's shape).
- `eligibility`: the hard rules, with reasons and fixes in English and Japanese.
- `geo`, `wages`: prefecture centroids and distances; wages per month.
- `scoring`: the score components, their weighted total and reasons.
- `weights`: hand-set weights and weights learned from feedback (versioned).
- `retrieval`: the vector index interface, exact and faiss HNSW backends.
- `allocation`: cohort allocation (optimal and stable) and blocking pairs.
- `exposure`: demand spreading and the application simulation.
- `quality`: the generated quality set and its NDCG@10 report.
"""
