"""Marketplace rules as plain functions: no gRPC, no database.

- `applications`: the application status machine.
- `jobs`: the job lifecycle and what a job needs before it is published.
- `eligibility`: whether a worker may legally take a job, and why.
"""
