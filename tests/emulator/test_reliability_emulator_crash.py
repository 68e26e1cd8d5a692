"""Crash safety of the emulator: SIGKILL `leastforce emulator serve` while a burst of writes is in flight,
restart it on the same state directory, and check that every acknowledged write is there, nothing is
half-written, and the org answers normally.

Writers run concurrently: single creates, updates of one counter record, all-or-none collections of five
records, and permission sets created with an ObjectPermissions child and then deleted (the cascade removes
the child in the same transaction). After the kill an in-flight write may or may not have landed, but:
- every create that got its 201 (or collection that got its SaveResults) is there;
- a collection is all there or not at all;
- the counter holds the last acknowledged value or the one in flight, never less;
- no ObjectPermissions row points at a missing permission set; SQLite's integrity check passes.
"""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from support.serve import start_serve

API = "/services/data/v64.0"
COLLECTION = 5


def session(info: dict[str, Any]) -> requests.Session:
    http = requests.Session()
    http.verify = info["caBundle"]
    http.trust_env = False
    http.headers["Authorization"] = f"Bearer {info['accessToken']}"
    return http


@dataclass
class Acks:
    """What the server acknowledged before it died (filled by the writer threads)."""

    accounts: dict[str, str] = field(default_factory=dict)  # Name -> Id
    collections: dict[str, list[str]] = field(default_factory=dict)  # tag -> Ids
    counter_acked: int = 0
    counter_in_flight: int = 0
    sets_alive: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        with self.lock:
            return len(self.accounts) + len(self.collections) + self.counter_acked


def _loop(stop: threading.Event, body: Callable[[int], None]) -> None:
    n = 0
    while not stop.is_set():
        try:
            body(n)
        except (requests.RequestException, ValueError):
            return  # the server is gone: whatever was in flight is unknown
        n += 1


def writers(info: dict[str, Any], acks: Acks, stop: threading.Event, tag: str) -> list[threading.Thread]:
    url = info["instanceUrl"] + API
    counter_id = info["counterId"]
    shared = [session(info) for _ in range(3)]  # one keep-alive connection per writer thread

    def create(worker: int) -> Callable[[int], None]:
        http = session(info)

        def body(n: int) -> None:
            name = f"{tag}-w{worker}-{n}"
            answer = http.post(f"{url}/sobjects/Account", json={"Name": name}, timeout=30)
            if answer.status_code == 201:
                with acks.lock:
                    acks.accounts[name] = answer.json()["id"]

        return body

    def collection(n: int, http: requests.Session = shared[0]) -> None:
        group = f"{tag}-c{n}"
        records = [
            {"attributes": {"type": "Account"}, "Name": f"{group}-{k}", "Site": group}
            for k in range(COLLECTION)
        ]
        answer = http.post(
            f"{url}/composite/sobjects", json={"allOrNone": True, "records": records}, timeout=30
        )
        results = answer.json() if answer.status_code == 200 else []
        if results and all(r["success"] for r in results):
            with acks.lock:
                acks.collections[group] = [r["id"] for r in results]

    def counter(n: int, http: requests.Session = shared[1]) -> None:
        acks.counter_in_flight = acks.counter_acked + 1
        answer = http.patch(
            f"{url}/sobjects/Account/{counter_id}",
            json={"NumberOfEmployees": acks.counter_in_flight},
            timeout=30,
        )
        if answer.status_code == 204:
            acks.counter_acked = acks.counter_in_flight

    def permission_sets(n: int, http: requests.Session = shared[2]) -> None:
        made = http.post(
            f"{url}/sobjects/PermissionSet",
            json={"Name": f"{tag}_ps_{n}", "Label": f"{tag} ps {n}"},
            timeout=30,
        )
        if made.status_code != 201:
            return
        ps_id = made.json()["id"]
        if n % 2:  # kept: must survive the crash
            acks.sets_alive.add(ps_id)
        http.post(
            f"{url}/sobjects/ObjectPermissions",
            json={"ParentId": ps_id, "SobjectType": "Account", "PermissionsRead": True},
            timeout=30,
        )
        if n % 2 == 0:  # deleted (the outcome is unknown if the kill comes first): the cascade takes the
            # child along in the same transaction, so no ObjectPermissions row may outlive its set
            http.delete(f"{url}/sobjects/PermissionSet/{ps_id}", timeout=30)

    bodies = [create(w) for w in range(3)] + [collection, counter, permission_sets]
    return [threading.Thread(target=_loop, args=(stop, b), daemon=True) for b in bodies]


def query_all(http: requests.Session, url: str, soql: str) -> list[dict[str, Any]]:
    answer = http.get(f"{url}/query", params={"q": soql}, timeout=60)
    assert answer.status_code == 200, answer.text
    page = answer.json()
    records = list(page["records"])
    while not page["done"]:
        page = http.get(url.split("/services")[0] + page["nextRecordsUrl"], timeout=60).json()
        records += page["records"]
    return records


def check_after_restart(info: dict[str, Any], acks: Acks, tag: str) -> None:
    url = info["instanceUrl"] + API
    http = session(info)
    rows = query_all(http, url, f"SELECT Id, Name, Site FROM Account WHERE Name LIKE '{tag}-%'")
    by_name = {r["Name"]: r["Id"] for r in rows}
    lost = {name for name, rid in acks.accounts.items() if by_name.get(name) != rid}
    assert lost == set(), f"acknowledged creates lost after SIGKILL: {sorted(lost)[:5]}"
    sizes: dict[str, int] = {}
    for row in rows:
        if row["Site"]:
            sizes[row["Site"]] = sizes.get(row["Site"], 0) + 1
    assert set(sizes.values()) <= {COLLECTION}, f"half-written collections: {sizes}"
    assert set(acks.collections) <= set(sizes), "an acknowledged collection is missing"
    counter = http.get(f"{url}/sobjects/Account/{info['counterId']}", timeout=30).json()["NumberOfEmployees"]
    assert counter in (acks.counter_acked, acks.counter_in_flight), (counter, acks.counter_acked)
    sets = {r["Id"] for r in query_all(http, url, "SELECT Id FROM PermissionSet")}
    assert acks.sets_alive <= sets
    parents = {r["ParentId"] for r in query_all(http, url, "SELECT ParentId FROM ObjectPermissions")}
    assert parents <= sets, f"ObjectPermissions without their permission set: {parents - sets}"
    # and the org answers normally: reads, writes, limits
    assert http.get(f"{url}/limits", timeout=30).status_code == 200
    assert http.post(f"{url}/sobjects/Account", json={"Name": f"{tag}-after"}, timeout=30).status_code == 201


def test_sigkill_mid_write_loses_no_acknowledged_write(tmp_path: Path) -> None:
    state = tmp_path / "org"
    proc, info = start_serve(state)
    try:
        made = session(info).post(info["instanceUrl"] + API + "/sobjects/Account", json={"Name": "counter"})
        info["counterId"] = made.json()["id"]
        for round_number in range(2):  # kill twice: recovery from a recovered state works too
            tag = f"crash{round_number}"
            acks, stop = Acks(), threading.Event()
            threads = writers(info, acks, stop, tag)
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 30
            while acks.count() < 60 + 40 * round_number and time.monotonic() < deadline:
                time.sleep(0.01)
            proc.send_signal(signal.SIGKILL)  # mid-burst: every writer has a request in flight
            proc.wait(timeout=30)
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            assert acks.accounts and acks.collections and acks.counter_acked, "the burst did not get going"
            counter_id = info["counterId"]
            proc, info = start_serve(state)
            info["counterId"] = counter_id
            check_after_restart(info, acks, tag)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    with sqlite3.connect(state / "org.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
