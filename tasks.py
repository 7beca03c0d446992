#!/usr/bin/env python3
"""The Quickstart's two commands, with nothing but python3 and pip on the machine.

    python3 tasks.py run    # make .venv, install pinned dependencies, run the flow on seeds/ into warehouse/
    python3 tasks.py test   # same install, with test dependencies, then the test suite

Extra arguments go to the command: `python3 tasks.py run my/source --warehouse out/`, `python3 tasks.py test -k gold`.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"


def _install() -> None:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + (ROOT / "constraints.txt").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("tasks.py: creating .venv", flush=True)
        venv.create(VENV, with_pip=True)
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    print("tasks.py: installing pinned dependencies (constraints.txt)", flush=True)
    subprocess.run(pip + ["install", "--upgrade", "pip"], check=True)
    subprocess.run(pip + ["install", "-c", str(ROOT / "constraints.txt"), "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "install"}:
        print(__doc__)
        return 2
    _install()
    command, rest = argv[0], argv[1:]
    if command == "install":
        return 0
    if command == "run":
        return subprocess.run([str(BIN / "newsclean"), "run", *rest], cwd=ROOT).returncode
    return subprocess.run([str(BIN / "python"), "-m", "pytest", *rest], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
