"""The Dockerfile and docker-compose.yml, checked without a Docker engine (none runs here).

The Dockerfile's build steps run in a plain venv, as the image would run them: its COPYs into
a scratch WORKDIR, its RUNs there (but the one that creates the system user, which needs
root and a throwaway system), then the installed `ibax-node` starts and the image's
HEALTHCHECK command must pass against it. The compose file is parsed with PyYAML.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import time
import tomllib
import venv
from pathlib import Path

import pytest
import yaml

from tests.node.test_cli import free_port

ROOT = Path(__file__).resolve().parents[2]
Instruction = tuple[str, str]


def instructions(path: Path) -> list[Instruction]:
    """(KEYWORD, arguments) of each instruction, continuation lines joined, comments dropped."""
    found: list[Instruction] = []
    pending = ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        whole = pending + stripped
        pending = ""
        keyword, _, args = whole.partition(" ")
        found.append((keyword.upper(), args.strip()))
    return found


def env_values(steps: list[Instruction]) -> dict[str, str]:
    values: dict[str, str] = {}
    for keyword, args in steps:
        if keyword == "ENV":
            for item in shlex.split(args):
                name, _, value = item.partition("=")
                values[name] = value
    return values


def exec_form(args: str) -> list[str]:
    """A JSON-array (exec form) argument, as Docker reads it."""
    value = json.loads(args)
    assert isinstance(value, list)
    return [str(v) for v in value]


def shipped_packages() -> list[str]:
    """The top-level packages pyproject.toml ships that exist in this tree."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["packages"]["find"]["include"]
    return sorted(
        p.name
        for p in ROOT.iterdir()
        if (p / "__init__.py").exists() and any(fnmatch.fnmatch(p.name, pat) for pat in patterns)
    )


STEPS = instructions(ROOT / "Dockerfile")


def test_dockerfile_layers_user_volume_and_healthcheck() -> None:
    keywords = [k for k, _ in STEPS]
    assert re.fullmatch(r"python:3\.\d+-slim", dict(STEPS)["FROM"])
    copies = [args for k, args in STEPS if k == "COPY"]
    # Dependencies get their own layer: pyproject.toml alone, then pip, then the code.
    assert copies[0].split()[0] == "pyproject.toml"
    first_copy = keywords.index("COPY")
    second_copy = keywords.index("COPY", first_copy + 1)
    deps = [args for k, args in STEPS[first_copy:second_copy] if k == "RUN"]
    assert deps and "pip install" in deps[0] and "requirements" in deps[0]
    copied = {args.split()[0] for args in copies}
    missing = set(shipped_packages()) - copied
    assert not missing, f"the image would lack packages {sorted(missing)}: add COPY lines"
    assert "README.md" in copied  # pyproject.toml names it
    user = [args for k, args in STEPS if k == "USER"]
    assert user and user[-1] not in ("root", "0")
    assert keywords.index("USER") < keywords.index("ENTRYPOINT")
    env = env_values(STEPS)
    volume = exec_form(dict(STEPS)["VOLUME"])
    assert env["IBAX_DATA_DIR"] in volume
    assert env["IBAX_HOST"] == "0.0.0.0"
    assert dict(STEPS)["EXPOSE"] == env["IBAX_PORT"]
    check = dict(STEPS)["HEALTHCHECK"]
    assert f"127.0.0.1:{env['IBAX_PORT']}/readyz" in check
    assert exec_form(dict(STEPS)["ENTRYPOINT"]) == ["ibax-node"]
    assert exec_form(dict(STEPS)["CMD"]) == ["run"]


def test_dockerignore_lets_in_what_the_dockerfile_copies() -> None:
    lines = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*"  # nothing else (venvs, data dirs, .git) reaches the build context
    allowed = {line[1:] for line in lines if line.startswith("!")}
    copied = {args.split()[0] for k, args in STEPS if k == "COPY"}
    assert copied <= allowed


def test_compose_builds_the_image_with_volume_port_and_healthcheck() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    node = compose["services"]["node"]
    assert node["build"] == "."
    assert "command" not in node  # the image's own entrypoint; nothing installed at start
    assert any(v.split(":")[1] == "/data" for v in node["volumes"])
    named = node["volumes"][0].split(":")[0]
    assert named in compose["volumes"]
    assert "7079:7079" in node["ports"]
    assert any("/readyz" in part for part in node["healthcheck"]["test"])
    assert node["environment"]["IBAX_DB"].startswith("postgresql+asyncpg://")
    assert node["depends_on"]["db"]["condition"] == "service_healthy"
    assert "healthcheck" in compose["services"]["db"]


def test_the_image_steps_install_a_node_that_passes_its_healthcheck(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_dir = env_dir / "bin"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env["VIRTUAL_ENV"] = str(env_dir)
    env.pop("PYTHONPATH", None)
    workdir = tmp_path / "image"
    workdir.mkdir()
    for keyword, args in STEPS:
        if keyword == "USER":
            break  # what follows runs the image, not its build
        if keyword == "ENV":
            env.update(env_values([(keyword, args)]))
        elif keyword == "WORKDIR":
            workdir = tmp_path / "image" / args.lstrip("/")
            workdir.mkdir(parents=True, exist_ok=True)
        elif keyword == "COPY":
            source, target = args.split()
            destination = workdir / target
            if (ROOT / source).is_dir():
                shutil.copytree(
                    ROOT / source, destination, ignore=shutil.ignore_patterns("__pycache__")
                )
            else:
                shutil.copy(ROOT / source, destination)
        elif keyword == "RUN":
            if "useradd" in args:
                continue  # creates the system user: needs root on a throwaway system
            done = subprocess.run(
                ["sh", "-c", args],
                cwd=workdir,
                env=env,
                capture_output=True,
                text=True,
                timeout=900,
            )
            assert done.returncode == 0, f"RUN {args}\n{done.stdout[-2000:]}{done.stderr[-2000:]}"

    node = bin_dir / "ibax-node"
    helped = subprocess.run([str(node), "--help"], capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0 and "usage: ibax-node" in helped.stdout

    # Run it as the image does (its ENV, another port), from outside the source tree so the
    # installed package is what runs, and ask its own HEALTHCHECK command.
    image_env = env_values(STEPS)
    port = free_port()
    run_env = {**env, **image_env, "IBAX_DATA_DIR": str(tmp_path / "data")}
    run_env.update(IBAX_HOST="127.0.0.1", IBAX_PORT=str(port))
    check = exec_form(dict(STEPS)["HEALTHCHECK"].split("CMD", 1)[1].strip())
    check = [str(bin_dir / "python"), *check[1:]]
    check[-1] = check[-1].replace(f":{image_env['IBAX_PORT']}/", f":{port}/")
    log = tmp_path / "node.log"
    with (
        log.open("wb") as out,
        subprocess.Popen(
            [str(node), "run"], cwd=tmp_path, env=run_env, stdout=out, stderr=out
        ) as proc,
    ):
        try:
            deadline = time.monotonic() + 60
            while True:
                assert proc.poll() is None, log.read_text()
                probe = subprocess.run(check, cwd=tmp_path, capture_output=True, timeout=30)
                if probe.returncode == 0:
                    break
                if time.monotonic() > deadline:
                    pytest.fail(f"the healthcheck never passed:\n{log.read_text()[-3000:]}")
                time.sleep(0.5)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    assert (tmp_path / "data" / "node.db").exists()
    site = subprocess.run(
        [str(bin_dir / "python"), "-c", "import node, sys; print(node.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert str(env_dir) in site.stdout, "the venv's installed copy ran, not this tree"
