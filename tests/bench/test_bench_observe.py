"""The observe benchmark on a tiny month (2 days of 600 calls): the files it writes are read by
`leastforce observe` in a child process, which counts exactly the observed user's calls."""

from __future__ import annotations

import json
from pathlib import Path

from bench.observe import SHARE, cached_logs, measure_observe


def test_observe_bench_counts_the_users_calls(tmp_path: Path) -> None:
    state = cached_logs(2, 600, tmp_path)
    info = json.loads((state / "done.json").read_text())
    assert info["rows"] == 1200 and info["user_rows"] == 2 * 600 // SHARE
    assert cached_logs(2, 600, tmp_path) == state  # generated once
    figures = measure_observe(1, log=lambda _line: None, days=2, per_day=600, root=tmp_path)
    assert figures["observe_rows"] == 1200 and figures["observe_user_rows"] == 24
    assert 0 < figures["observe_s"] < 60 and 0 < figures["observe_peak_rss_mb"] < 300
