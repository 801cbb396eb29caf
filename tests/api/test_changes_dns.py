"""GetChange and DNS: a change is INSYNC once the DNS listeners serve it; measured over ~20 changes, and
right after INSYNC real DNS queries (with and without ECS) see exactly the new data."""

import statistics
import time

import dns.rcode

from .api_helpers import (
    AP_CLIENT, EU_CLIENT, OTHER_CLIENT, REGION_A, addresses, apply, assert_error, create, delete, error_of,
    get_ecs, latency, rrset, upsert,
)


def poll_insync(r53, change_id, timeout=5.0):
    t0 = time.monotonic()
    polls = 0
    while True:
        polls += 1
        st = r53.get_change(Id=change_id)["ChangeInfo"]["Status"]
        if st == "INSYNC":
            return time.monotonic() - t0, polls
        assert st == "PENDING", st
        assert time.monotonic() - t0 < timeout, f"{change_id} still PENDING after {timeout}s"
        time.sleep(0.001)


def test_insync_means_served(api, r53, zone, capsys):
    z = zone["name"]
    submit_to_insync, after_response, immediate = [], [], 0
    for i in range(20):
        name = f"c{i}.{z}"
        if i % 2 == 0:
            changes = [create(latency(name, "A", reg, [f"198.51.{k}.{i}"])) for k, reg in enumerate(REGION_A)]
        else:
            changes = [create(rrset(name, "A", [f"203.0.113.{i}"], ttl=30))]
        t0 = time.monotonic()
        ci = apply(r53, zone["id"], *changes)
        t1 = time.monotonic()
        if ci["Status"] == "INSYNC":
            immediate += 1
        else:
            poll_insync(r53, ci["Id"])
        t2 = time.monotonic()
        submit_to_insync.append(t2 - t0)
        after_response.append(t2 - t1)
        # immediately: DNS serves the change, with and without ECS
        if i % 2 == 0:
            regions = list(REGION_A)
            want_eu = f"198.51.{regions.index('eu-west-1')}.{i}"
            want_ap = f"198.51.{regions.index('ap-southeast-1')}.{i}"
            want_us = f"198.51.{regions.index('us-east-1')}.{i}"
            r = api.dns(name, ecs=(EU_CLIENT, 24))
            assert addresses(r) == {want_eu}, f"change {i}: {r}"
            assert get_ecs(r).scopelen == 16
            assert addresses(api.dns(name, ecs=(AP_CLIENT, 24))) == {want_ap}
            assert addresses(api.dns(name, ecs=(OTHER_CLIENT, 24))) == {want_us}
            assert addresses(api.dns(name)) == {want_us}
            assert addresses(api.query(name, tcp=True, ecs=(EU_CLIENT, 24))) == {want_eu}
        else:
            assert addresses(api.dns(name)) == {f"203.0.113.{i}"}, f"change {i}"
            r = api.dns(name, ecs=(EU_CLIENT, 24))
            assert addresses(r) == {f"203.0.113.{i}"}
            assert get_ecs(r).scopelen == 0
    p50 = statistics.median(submit_to_insync) * 1000
    mx = max(submit_to_insync) * 1000
    with capsys.disabled():
        print(f"\n[INSYNC] {len(submit_to_insync)} changes, from sending ChangeResourceRecordSets to INSYNC: "
              f"p50 {p50:.1f} ms, max {mx:.1f} ms; from its response to INSYNC: "
              f"p50 {statistics.median(after_response) * 1000:.1f} ms, max {max(after_response) * 1000:.1f} ms; "
              f"INSYNC already in the response: {immediate}/{len(submit_to_insync)}")
    assert max(submit_to_insync) < 1.0, f"slowest change took {mx:.0f} ms to be INSYNC"


def test_upsert_and_delete_are_served_when_insync(api, r53, zone):
    name = f"flip.{zone['name']}"
    ci = apply(r53, zone["id"], create(rrset(name, "A", ["192.0.2.1"])))
    poll_insync(r53, ci["Id"])
    assert addresses(api.dns(name)) == {"192.0.2.1"}
    for k in range(2, 7):
        ci = apply(r53, zone["id"], upsert(rrset(name, "A", [f"192.0.2.{k}"])))
        poll_insync(r53, ci["Id"])
        assert addresses(api.dns(name)) == {f"192.0.2.{k}"}, "old data served after INSYNC"
        assert addresses(api.dns(name, ecs=(AP_CLIENT, 24))) == {f"192.0.2.{k}"}
    ci = apply(r53, zone["id"], delete(rrset(name, "A", ["192.0.2.6"])))
    poll_insync(r53, ci["Id"])
    r = api.dns(name)
    assert r.rcode() == dns.rcode.NXDOMAIN and not r.answer


def test_change_info_shape(api, r53, zone):
    ci = apply(r53, zone["id"], create(rrset(f"shape.{zone['name']}", "A", ["192.0.2.1"])), comment="with comment")
    poll_insync(r53, ci["Id"])
    got = r53.get_change(Id=ci["Id"])["ChangeInfo"]
    assert got["Id"] == ci["Id"]
    assert got["Status"] == "INSYNC"
    assert got["SubmittedAt"] == ci["SubmittedAt"]
    assert got["Comment"] == "with comment"
    # the bare id works too
    assert r53.get_change(Id=ci["Id"].rsplit("/", 1)[-1])["ChangeInfo"]["Id"] == ci["Id"]


def test_create_zone_change_becomes_insync(api, r53):
    z = api.new_zone(r53)
    t, _ = poll_insync(r53, z["response"]["ChangeInfo"]["Id"])
    assert t < 1.0
    assert api.dns(z["name"], "SOA").rcode() == dns.rcode.NOERROR


def test_get_change_unknown(api, r53):
    err = error_of(r53.get_change, Id="CNOSUCHCHANGE00000001")
    assert_error(err, "NoSuchChange", 404, "Could not find resource with ID: CNOSUCHCHANGE00000001")


def test_failed_batch_creates_no_change(api, r53, zone):
    """A rejected batch is not served even for an instant (DNS checked right after the error)."""
    name = f"never.{zone['name']}"
    for _ in range(5):
        err = error_of(r53.change_resource_record_sets, HostedZoneId=zone["id"], ChangeBatch={"Changes": [
            create(rrset(name, "A", ["192.0.2.1"])),
            delete(rrset(f"missing.{zone['name']}", "A", ["192.0.2.1"]))]})
        assert err.code == "InvalidChangeBatch"
        assert api.dns(name).rcode() == dns.rcode.NXDOMAIN
