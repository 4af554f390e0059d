"""The credential engine's rules as plain Python: no gRPC, database or Redis.

`contexts` (offline JSON-LD loading), `keys` (P-256 / Ed25519 keys as
Multikey), `dids` (did:key and did:web documents and resolution),
`dataintegrity` (ecdsa-rdfc-2019 and eddsa-rdfc-2022 proofs), `sdjwt` (SD-JWT
VC issuance, presentation and verification), `statuslist` (Bitstring Status
Lists), `catalog` (credential types and their JSON Schemas), `merkle`
(RFC 6962 Merkle trees and inclusion proofs), `verification` (the check list
a verifier runs).
"""
