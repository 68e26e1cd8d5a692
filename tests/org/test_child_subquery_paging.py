"""Child subqueries page as Salesforce documents ("Subquery results are like regular query results in that
you might need to use queryMore() to retrieve all the records if there are many children"), and leastforce
follows every nested nextRecordsUrl, so verify and snapshot see every row.
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_results.htm
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from leastforce.errors import OrgError
from leastforce.org import records as rec
from leastforce.org.read.one_user import ReadScope
from leastforce.org.source import open_org
from support.org_setup import Admin

USER = "integration@acme.example"
QUERY = "SELECT Id, (SELECT SetupEntityId FROM SetupEntityAccessItems) FROM PermissionSet WHERE Id = '{id}'"


def _set_with_classes(org: Any, count: int) -> tuple[str, str]:
    """A user assigned a permission set that grants ``count`` Apex classes: (user id, set id)."""
    admin = Admin.of(org)
    user = admin.user(USER, "Minimum Access - Salesforce")
    set_id = admin.permission_set("Many_Classes", permissions=["ApiEnabled"])
    admin.assign(user, set_id=set_id)
    class_ids = org.store.bulk_insert(
        "ApexClass", ({"Name": f"Cls{i:05d}", "Body": "", "Status": "Active"} for i in range(count))
    )
    org.store.bulk_insert(
        "SetupEntityAccess",
        ({"ParentId": set_id, "SetupEntityId": cid, "SetupEntityType": "ApexClass"} for cid in class_ids),
    )
    return user, set_id


def test_a_long_child_result_pages_with_its_own_next_records_url(emulator: Any, https: Any) -> None:
    _, set_id = _set_with_classes(emulator, 450)
    url = f"{emulator.instance_url}/services/data/v62.0/query"
    headers = {"Authorization": f"Bearer {emulator.admin_token}"}
    body = https.get(url, params={"q": QUERY.format(id=set_id)}, headers=headers).json()
    block = body["records"][0]["SetupEntityAccessItems"]
    assert (block["totalSize"], block["done"], len(block["records"])) == (450, False, 200)
    assert list(block) == ["totalSize", "done", "nextRecordsUrl", "records"]
    assert block["nextRecordsUrl"].startswith("/services/data/v62.0/query/01g")
    more = https.get(emulator.instance_url + block["nextRecordsUrl"], headers=headers).json()
    assert (more["totalSize"], more["done"], len(more["records"])) == (450, True, 250)
    seen = {r["SetupEntityId"] for r in block["records"] + more["records"]}
    assert len(seen) == 450


def test_the_child_page_size_is_configurable_and_short_results_stay_whole(emulator: Any, https: Any) -> None:
    _, set_id = _set_with_classes(emulator, 30)
    headers = {"Authorization": f"Bearer {emulator.admin_token}"}
    url = f"{emulator.instance_url}/services/data/v64.0/query"
    whole = https.get(url, params={"q": QUERY.format(id=set_id)}, headers=headers).json()
    assert whole["records"][0]["SetupEntityAccessItems"]["done"] is True
    emulator.store.child_batch_size = 7
    block = https.get(url, params={"q": QUERY.format(id=set_id)}, headers=headers).json()["records"][0][
        "SetupEntityAccessItems"
    ]
    assert (block["done"], len(block["records"])) == (False, 7)


def test_the_client_follows_nested_pages(emulator: Any) -> None:
    _, set_id = _set_with_classes(emulator, 5_000)
    emulator.store.child_batch_size = 200
    client = Admin.of(emulator).client
    before = emulator.request_count()
    [row] = client.query(QUERY.format(id=set_id))
    # one query, then the child pages: 200 on the first, 2,000 on each next one
    assert emulator.request_count() - before == 1 + 3
    block = row["SetupEntityAccessItems"]
    assert block["done"] is True and "nextRecordsUrl" not in block
    assert len({r["SetupEntityId"] for r in rec.children(row, "SetupEntityAccessItems")}) == 5_000


def test_verify_and_snapshot_see_every_child_row(org_env: Any) -> None:
    _, set_id = _set_with_classes(org_env, 5_000)
    source = open_org(None, os.environ)
    one_user, _ = source.user_snapshot(USER, ReadScope(entity_names=True))
    entities = one_user.permission_sets[set_id].setup_entities
    assert len(entities) == 5_000
    assert {e.name for e in entities} >= {"Cls00000", "Cls04999"}
    whole, _ = source.org_snapshot()
    assert len(whole.permission_sets[set_id].setup_entities) == 5_000


def test_an_unfollowed_child_page_is_refused_not_silently_short() -> None:
    row = {"Items": {"totalSize": 3, "done": False, "nextRecordsUrl": "/q/01g-1", "records": [{"Id": "a"}]}}
    with pytest.raises(OrgError, match=r"incomplete \(1 of 3 rows\)"):
        rec.children(row, "Items")


def test_at_the_l_benchmark_size_no_child_row_is_lost(org_env: Any) -> None:
    """L has 20,000 users and 2,000 permission sets (bench/sizes.py): one set granting 20,000 entities
    pages its child result across 11 calls, and verify's read and the snapshot still hold every row
    (about 5 s, so it runs always)."""
    from bench.sizes import SIZES

    count = SIZES["L"].users
    _, set_id = _set_with_classes(org_env, count)
    source = open_org(None, os.environ)
    one_user, _ = source.user_snapshot(USER, ReadScope(entity_names=True))
    assert len(one_user.permission_sets[set_id].setup_entities) == count
    whole, _ = source.org_snapshot()
    assert len(whole.permission_sets[set_id].setup_entities) == count
