"""Demo data for a local platform: employers, jobs, workers and applications.

`dataset.py` is the data, as plain Python; `load.py` loads it through the
Python SDK over gRPC, exactly as a partner system would. `make up` loads it
automatically; `make demo` (`python -m devstack.demo`) loads it into any running platform. Every demo
account uses the password in `dataset.DEMO_PASSWORD`.
"""
