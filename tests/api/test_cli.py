"""The real AWS CLI (`aws route53 ... --endpoint-url`) against nearcast, and generated credentials."""

import configparser
import json
import os
import stat
import subprocess
import uuid

import dns.rcode

from .api_helpers import (
    AP_CLIENT, EU_CLIENT, NAME_SERVERS, REGION_A, ApiServer, addresses, make_client, run_aws,
)


def test_aws_cli_version():
    p = subprocess.run(["aws", "--version"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and "aws-cli/" in (p.stdout + p.stderr)


def test_cli_workflow(api, aws, tmp_path):
    name = f"cli-{uuid.uuid4().hex[:8]}.example.org."
    r = aws("create-hosted-zone", "--name", name, "--caller-reference", str(uuid.uuid4()),
            "--hosted-zone-config", "Comment=from the cli")
    assert r.rc == 0, r
    zone_id = r.json["HostedZone"]["Id"].rsplit("/", 1)[-1]
    assert r.json["HostedZone"]["Name"] == name
    assert r.json["DelegationSet"]["NameServers"] == NAME_SERVERS
    assert r.json["Location"].endswith(f"/hostedzone/{zone_id}")

    batch = {"Comment": "latency", "Changes": [
        {"Action": "CREATE", "ResourceRecordSet": {"Name": f"www.{name}", "Type": "A", "SetIdentifier": reg,
                                                   "Region": reg, "TTL": 60, "ResourceRecords": [{"Value": ip}]}}
        for reg, ip in REGION_A.items()]}
    f = tmp_path / "batch.json"
    f.write_text(json.dumps(batch))
    r = aws("change-resource-record-sets", "--hosted-zone-id", zone_id, "--change-batch", f"file://{f}")
    assert r.rc == 0, r
    change_id = r.json["ChangeInfo"]["Id"]
    assert r.json["ChangeInfo"]["Comment"] == "latency"

    r = aws("wait", "resource-record-sets-changed", "--id", change_id)
    assert r.rc == 0, r
    r = aws("get-change", "--id", change_id)
    assert r.rc == 0 and r.json["ChangeInfo"]["Status"] == "INSYNC", r
    assert addresses(api.dns(f"www.{name}", ecs=(EU_CLIENT, 24))) == {REGION_A["eu-west-1"]}
    assert addresses(api.dns(f"www.{name}", ecs=(AP_CLIENT, 24))) == {REGION_A["ap-southeast-1"]}

    # the CLI paginates by itself (--page-size forces several requests)
    r = aws("list-resource-record-sets", "--hosted-zone-id", zone_id, "--page-size", "2")
    assert r.rc == 0, r
    got = [(s["Name"], s["Type"], s.get("SetIdentifier")) for s in r.json["ResourceRecordSets"]]
    assert got == [(name, "NS", None), (name, "SOA", None), (f"www.{name}", "A", "ap-southeast-1"),
                   (f"www.{name}", "A", "eu-west-1"), (f"www.{name}", "A", "us-east-1")]
    r = aws("list-resource-record-sets", "--hosted-zone-id", zone_id,
            "--query", "ResourceRecordSets[?Type=='A'].Region", "--output", "json")
    assert r.rc == 0 and r.json == ["ap-southeast-1", "eu-west-1", "us-east-1"], r

    r = aws("test-dns-answer", "--hosted-zone-id", zone_id, "--record-name", f"www.{name}", "--record-type", "A",
            "--resolver-ip", "10.2.3.4")
    assert r.rc == 0 and r.json["RecordData"] == [REGION_A["ap-southeast-1"]], r

    r = aws("change-tags-for-resource", "--resource-type", "hostedzone", "--resource-id", zone_id,
            "--add-tags", "Key=owner,Value=cli")
    assert r.rc == 0, r
    r = aws("list-tags-for-resource", "--resource-type", "hostedzone", "--resource-id", zone_id)
    assert r.json["ResourceTagSet"]["Tags"] == [{"Key": "owner", "Value": "cli"}], r

    r = aws("list-hosted-zones-by-name", "--dns-name", name, "--max-items", "1")
    assert r.rc == 0 and r.json["HostedZones"][0]["Name"] == name, r
    r = aws("get-hosted-zone-count")
    assert r.rc == 0 and r.json["HostedZoneCount"] >= 1

    # errors: a failure exit code (254 in CLI v2, 255 in v1) and Route 53's message on stderr
    r = aws("change-resource-record-sets", "--hosted-zone-id", zone_id, "--change-batch", f"file://{f}")
    assert r.rc in (254, 255), r
    assert "(InvalidChangeBatch)" in r.stderr
    assert (f"Tried to create resource record set [name='www.{name}', type='A', set-identifier='us-east-1'] "
            f"but it already exists") in r.stderr
    r = aws("delete-hosted-zone", "--id", zone_id)
    assert r.rc in (254, 255) and "(HostedZoneNotEmpty)" in r.stderr, r

    delete = {"Changes": [dict(c, Action="DELETE") for c in batch["Changes"]]}
    f.write_text(json.dumps(delete))
    r = aws("change-resource-record-sets", "--hosted-zone-id", zone_id, "--change-batch", f"file://{f}")
    assert r.rc == 0, r
    r = aws("delete-hosted-zone", "--id", zone_id)
    assert r.rc == 0, r
    r = aws("get-hosted-zone", "--id", zone_id)
    assert r.rc in (254, 255) and "(NoSuchHostedZone)" in r.stderr and f"No hosted zone found with ID: {zone_id}" in r.stderr
    assert api.dns(f"www.{name}").rcode() == dns.rcode.REFUSED


def test_cli_wrong_secret(api, aws):
    r = aws("list-hosted-zones", env={"AWS_SECRET_ACCESS_KEY": "wrong"})
    assert r.rc in (254, 255) and "(SignatureDoesNotMatch)" in r.stderr, r


def test_generated_credentials(tmp_path):
    """No credentials anywhere: the server writes <data_dir>/credentials (profile [nearcast]); with
    --config and no --data-dir the data dir is nearcast-data beside the config file."""
    s = ApiServer(tmp_path / "gen", data_dir=False, credentials=None)
    try:
        cred = s.data_dir / "credentials"
        assert cred.exists(), f"no {cred}; stderr:\n{s.stderr()[-2000:]}"
        assert (s.data_dir / "nearcast.sqlite").exists()
        mode = stat.S_IMODE(os.stat(cred).st_mode)
        assert mode & 0o077 == 0, f"credentials file is readable by others: {oct(mode)}"
        cp = configparser.ConfigParser()
        cp.read(cred)
        assert cp.has_section("nearcast")
        key, secret = cp["nearcast"]["aws_access_key_id"], cp["nearcast"]["aws_secret_access_key"]
        assert key and secret
        env = {"AWS_SHARED_CREDENTIALS_FILE": str(cred), "AWS_PROFILE": "nearcast"}
        r = run_aws(s, "list-hosted-zones", env=env, creds=False)
        assert r.rc == 0 and r.json["HostedZones"] == [], r
        r = run_aws(s, "create-hosted-zone", "--name", "gen.example.org", "--caller-reference", "gen-1",
                    env=env, creds=False)
        assert r.rc == 0, r
        # an unknown key is still refused
        r = run_aws(s, "list-hosted-zones", env={"AWS_ACCESS_KEY_ID": "AKIDOTHER", "AWS_SECRET_ACCESS_KEY": secret})
        assert r.rc in (254, 255) and "(InvalidClientTokenId)" in r.stderr, r
        s.stop()
        # a restart keeps the same key pair (it is in the store) and the zone
        s = ApiServer(tmp_path / "gen", data_dir=False, credentials=None)
        cp2 = configparser.ConfigParser()
        cp2.read(cred)
        assert cp2["nearcast"]["aws_access_key_id"] == key
        c = make_client(s, key=key, secret=secret)
        assert [z["Name"] for z in c.list_hosted_zones()["HostedZones"]] == ["gen.example.org."]
    finally:
        s.stop()

