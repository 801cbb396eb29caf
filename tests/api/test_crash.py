"""Durability: kill -9 the server while batches are being applied; after a restart on the same data dir,
every acknowledged batch is there in full, no batch is there in part, and DNS serves exactly that."""

import random
import threading
import time

import dns.rcode
import requests
from botocore.exceptions import ClientError

from .api_helpers import ApiServer, apply, create, list_all, make_client, non_apex, rrset, wait_insync

RECORDS_PER_BATCH = 6
ROUNDS = 5


def batch_changes(zone_name, i):
    return [create(rrset(f"b{i}-{j}.{zone_name}", "TXT", [f'"batch {i} record {j}"'], ttl=60))
            for j in range(RECORDS_PER_BATCH)]


def writer(api, zone, start, acked, attempted, stop):
    c = make_client(api)
    i = start
    while not stop.is_set():
        attempted.append(i)
        try:
            apply(c, zone["id"], *batch_changes(zone["name"], i))
        except (ClientError, requests.exceptions.RequestException, Exception):  # noqa: BLE001 - the server is dying
            return
        acked.append(i)
        i += 1


def present_batches(sets, zone_name):
    """batch number -> set of record numbers present"""
    out = {}
    for s in non_apex(sets, zone_name):
        label = s["Name"][: -len(zone_name) - 1]
        assert label.startswith("b") and "-" in label, s["Name"]
        i, j = (int(x) for x in label[1:].split("-"))
        assert s["Type"] == "TXT" and [r["Value"] for r in s["ResourceRecords"]] == [f'"batch {i} record {j}"']
        out.setdefault(i, set()).add(j)
    return out


def test_kill9_while_applying_batches(tmp_path, capsys):
    rnd = random.Random()
    data = tmp_path / "data"
    api = ApiServer(tmp_path / "run0", data_dir=data)
    r53 = make_client(api)
    zone = api.new_zone(r53)
    all_acked = []
    next_batch = 0
    try:
        for rnd_i in range(ROUNDS):
            acked, attempted, stop = [], [], threading.Event()
            t = threading.Thread(target=writer, args=(api, zone, next_batch, acked, attempted, stop), daemon=True)
            t.start()
            time.sleep(rnd.uniform(0.2, 1.5))
            api.kill9()
            stop.set()
            t.join(timeout=30)
            assert not t.is_alive()
            all_acked += acked
            next_batch = (attempted[-1] + 1) if attempted else next_batch
            api = ApiServer(tmp_path / f"run{rnd_i + 1}", data_dir=data)
            r53 = make_client(api)
            present = present_batches(list_all(r53, zone["id"]), zone["name"])
            missing = [i for i in all_acked if present.get(i) != set(range(RECORDS_PER_BATCH))]
            assert not missing, f"round {rnd_i}: acknowledged batches lost or partial: {missing[:10]}"
            partial = {i: sorted(js) for i, js in present.items() if js != set(range(RECORDS_PER_BATCH))}
            assert not partial, f"round {rnd_i}: partially applied batches: {partial}"
            unacked_present = set(present) - set(all_acked)
            assert unacked_present <= set(attempted[-1:]), \
                f"batches present that were never sent: {sorted(unacked_present - set(attempted[-1:]))}"
            all_acked += sorted(unacked_present)   # the batch in flight committed: it must stay from now on
        with capsys.disabled():
            print(f"\n[crash] {ROUNDS} kill -9 rounds, {len(all_acked)} batches kept in full, {next_batch} sent")
        assert len(all_acked) >= ROUNDS, f"too few batches acknowledged ({len(all_acked)}) to mean anything"
        # DNS serves what was kept, after the restart
        for i in rnd.sample(all_acked, min(10, len(all_acked))):
            for j in (0, RECORDS_PER_BATCH - 1):
                r = api.dns(f"b{i}-{j}.{zone['name']}", "TXT")
                assert r.rcode() == dns.rcode.NOERROR
                assert [b"".join(rd.strings) for rrs in r.answer for rd in rrs] == [f"batch {i} record {j}".encode()]
        assert api.dns(f"b{next_batch + 100}-0.{zone['name']}", "TXT").rcode() == dns.rcode.NXDOMAIN
        # and the store still accepts changes
        ci = apply(r53, zone["id"], create(rrset(f"after.{zone['name']}", "A", ["192.0.2.1"])))
        wait_insync(r53, ci["Id"])
        assert api.dns(f"after.{zone['name']}").answer
    finally:
        if api.alive():
            api.stop()


def test_restart_serves_what_was_acknowledged(tmp_path):
    """A clean restart keeps zones, records, tags, comments and change ids."""
    data = tmp_path / "data"
    api = ApiServer(tmp_path / "a", data_dir=data)
    r53 = make_client(api)
    z = api.new_zone(r53, comment="kept")
    ci = apply(r53, z["id"], create(rrset(f"www.{z['name']}", "A", ["192.0.2.8"])))
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=z["id"], AddTags=[{"Key": "k", "Value": "v"}])
    before = list_all(r53, z["id"])
    api.kill9()
    api = ApiServer(tmp_path / "b", data_dir=data)
    try:
        r53 = make_client(api)
        assert list_all(r53, z["id"]) == before
        assert r53.get_hosted_zone(Id=z["id"])["HostedZone"]["Config"]["Comment"] == "kept"
        assert r53.get_change(Id=ci["Id"])["ChangeInfo"]["Status"] == "INSYNC"
        tags = r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=z["id"])["ResourceTagSet"]["Tags"]
        assert tags == [{"Key": "k", "Value": "v"}]
        r = api.dns(f"www.{z['name']}")
        assert {rd.address for rrs in r.answer for rd in rrs} == {"192.0.2.8"}
    finally:
        api.stop()
