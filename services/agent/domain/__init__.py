"""The agent's models and rules as plain Python: no gRPC, no database.

- `encoder`: multilingual-e5-small sentence vectors with E5 prefixes and corpus-mean centring.
"""
