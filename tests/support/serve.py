"""`leastforce emulator serve --json` as a child process, for tests that stop, kill and restart it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def start_serve(state: Path, *extra: str) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """Start the emulator on ``state``; returns the process and the ``result`` of what it printed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "leastforce", "emulator", "serve", "--state", str(state), "--json", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    text = ""
    while True:
        line = proc.stdout.readline()
        assert line, f"serve exited early: {proc.stderr.read() if proc.stderr else ''}"
        text += line
        try:
            return proc, json.loads(text)["result"]
        except ValueError:
            continue
