"""Helpers for the Route 53 API end-to-end suite.

Every test drives a real `nearcast serve` (started by `ApiServer`, a subclass of
the DNS suite's `Server`) with the real boto3, the real AWS CLI, raw signed HTTP
requests (botocore's SigV4 signer + requests) and real DNS queries (dnspython).

The server gets a config with a latency map and no zones (hosted zones come from
the API):
    10.1.0.0/16 -> eu-west-1 closest, 10.2.0.0/16 -> ap-southeast-1 closest,
    every other client -> default_regions [us-east-1].
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode

import boto3
import botocore.auth
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

E2E = Path(__file__).resolve().parents[1] / "e2e"
if str(E2E) not in sys.path:
    sys.path.insert(0, str(E2E))

from e2e_helpers import (  # noqa: E402
    NEARCAST_BIN, REPO, Server, addresses, free_port, get_ecs, make_query, wait_for,
)

__all__ = ["NEARCAST_BIN", "REPO", "Server", "addresses", "free_port", "get_ecs", "make_query", "wait_for"]

ACCESS_KEY = "AKIDNEARCASTTEST"
SECRET_KEY = "nearcast-test-secret-key"
NAME_SERVERS = ["ns1.nearcast-test.net.", "ns2.nearcast-test.net."]
XMLNS = "https://route53.amazonaws.com/doc/2013-04-01/"

# region -> the A value the tests give that region's latency set
REGION_A = {"us-east-1": "192.0.2.1", "eu-west-1": "192.0.2.2", "ap-southeast-1": "192.0.2.3"}
EU_CLIENT = "10.1.7.0"      # inside 10.1.0.0/16: eu-west-1 first
AP_CLIENT = "10.2.7.0"      # inside 10.2.0.0/16: ap-southeast-1 first
OTHER_CLIENT = "192.0.2.0"  # in no prefix: default_regions -> us-east-1

CONFIG = """\
# Route 53 API test configuration: no zones, a latency map
tcp_idle_timeout_ms: 2000
default_regions: [us-east-1]
latency_map: latency.csv
api:
  name_servers: [ns1.nearcast-test.net., ns2.nearcast-test.net.]
{extra}"""

LATENCY_CSV = """\
prefix,region,rtt_ms
10.1.0.0/16,eu-west-1,5
10.1.0.0/16,us-east-1,80
10.1.0.0/16,ap-southeast-1,190
10.2.0.0/16,ap-southeast-1,6
10.2.0.0/16,us-east-1,150
10.2.0.0/16,eu-west-1,170
"""

# Route 53's exact texts (see /work/notes/route53-errors.md)
MSG_SIGNATURE = ("The request signature we calculated does not match the signature you provided. "
                 "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
MSG_BAD_TOKEN = "The security token included in the request is invalid."
MSG_ZONE_EXISTS = "A hosted zone has already been created with the specified caller reference."
MSG_NOT_EMPTY = ("The specified hosted zone contains non-required resource record sets and so cannot be deleted.")


def write_config(directory: Path, extra: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "latency.csv").write_text(LATENCY_CSV)
    cfg = directory / "nearcast.yaml"
    cfg.write_text(CONFIG.format(extra=extra))
    return cfg


class ApiServer(Server):
    """`nearcast serve --config <cfg> --data-dir <dir> --api-listen 127.0.0.1:<port>`.

    credentials: "env" (NEARCAST_ACCESS_KEY_ID/SECRET), or None (nothing: the
    server generates a key pair).  data_dir=False leaves --data-dir out (the
    config's default, `nearcast-data` beside the config file)."""

    def __init__(self, workdir: Path, *, data_dir=None, credentials="env", config_extra: str = "", env=None):
        workdir.mkdir(parents=True, exist_ok=True)
        cfg = write_config(workdir, config_extra)
        args = ["--config", str(cfg)]
        if data_dir is False:
            self.data_dir = workdir / "nearcast-data"
        else:
            self.data_dir = Path(data_dir) if data_dir else workdir / "data"
            self.data_dir.mkdir(parents=True, exist_ok=True)
            args += ["--data-dir", str(self.data_dir)]
        for k in ("NEARCAST_ACCESS_KEY_ID", "NEARCAST_SECRET_ACCESS_KEY"):
            os.environ.pop(k, None)
        e = dict(env or {})
        if credentials == "env":
            e.update({"NEARCAST_ACCESS_KEY_ID": ACCESS_KEY, "NEARCAST_SECRET_ACCESS_KEY": SECRET_KEY})
        super().__init__(workdir, args, v6=False, api=True, env=e)
        self.endpoint = f"http://127.0.0.1:{self.api_port}"

    def kill9(self):
        self.proc.kill()
        self.proc.wait(timeout=10)
        for f in (self._err, self._out):
            with contextlib.suppress(Exception):
                f.close()

    # -- convenience
    def new_zone(self, r53, name=None, comment=None, caller=None) -> dict:
        name = name or f"z{uuid.uuid4().hex[:10]}.nearcast-test.com."
        kw = {"HostedZoneConfig": {"Comment": comment}} if comment is not None else {}
        resp = r53.create_hosted_zone(Name=name, CallerReference=caller or str(uuid.uuid4()), **kw)
        hz = resp["HostedZone"]
        return {"id": bare_id(hz["Id"]), "Id": hz["Id"], "name": hz["Name"], "response": resp}

    def dns(self, name, rdtype="A", ecs=None, **kw):
        """A DNS query over UDP, optionally with an EDNS Client Subnet ("10.1.7.0", 24)."""
        return self.query(name, rdtype, ecs=ecs, **kw)


def make_client(server, validate=True, key=ACCESS_KEY, secret=SECRET_KEY, region="us-east-1"):
    return boto3.session.Session().client(
        "route53", endpoint_url=server.endpoint, region_name=region,
        aws_access_key_id=key, aws_secret_access_key=secret,
        config=Config(retries={"total_max_attempts": 1}, parameter_validation=validate,
                      connect_timeout=5, read_timeout=30))


def bare_id(i: str) -> str:
    return i.rsplit("/", 1)[-1]


# --------------------------------------------------------------------------
# record sets and changes
# --------------------------------------------------------------------------

def rrset(name, rtype, values=None, ttl=60, set_id=None, region=None, alias=None, **extra) -> dict:
    s = {"Name": name, "Type": rtype}
    if set_id is not None:
        s["SetIdentifier"] = set_id
    if region is not None:
        s["Region"] = region
    if alias is not None:
        s["AliasTarget"] = alias
    else:
        if ttl is not None:
            s["TTL"] = ttl
        if values is not None:
            s["ResourceRecords"] = [{"Value": v} for v in values]
    s.update(extra)
    return s


def latency(name, rtype, region, values, ttl=60, set_id=None) -> dict:
    return rrset(name, rtype, values, ttl=ttl, set_id=set_id or region, region=region)


def create(s):
    return {"Action": "CREATE", "ResourceRecordSet": s}


def delete(s):
    return {"Action": "DELETE", "ResourceRecordSet": s}


def upsert(s):
    return {"Action": "UPSERT", "ResourceRecordSet": s}


def apply(r53, zone_id, *changes, comment=None) -> dict:
    batch = {"Changes": list(changes)}
    if comment is not None:
        batch["Comment"] = comment
    return r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch=batch)["ChangeInfo"]


def list_all(r53, zone_id, page=None) -> list:
    """Every record set, following NextRecordName/Type/Identifier."""
    out, kw = [], {}
    if page:
        kw["MaxItems"] = str(page)
    for _ in range(10000):
        r = r53.list_resource_record_sets(HostedZoneId=zone_id, **kw)
        out += r["ResourceRecordSets"]
        if not r["IsTruncated"]:
            return out
        kw = {"StartRecordName": r["NextRecordName"], "StartRecordType": r["NextRecordType"]}
        if page:
            kw["MaxItems"] = str(page)
        if "NextRecordIdentifier" in r:
            kw["StartRecordIdentifier"] = r["NextRecordIdentifier"]
    raise AssertionError("paging never ended")


def non_apex(sets, zone_name):
    return [s for s in sets if not (s["Name"] == zone_name and s["Type"] in ("SOA", "NS"))]


def values(s) -> list:
    return sorted(r["Value"] for r in s.get("ResourceRecords", []))


def find(sets, name, rtype, set_id=None):
    for s in sets:
        if s["Name"] == name and s["Type"] == rtype and s.get("SetIdentifier") == set_id:
            return s
    return None


def wait_insync(r53, change_id, timeout=5.0) -> float:
    """Polls GetChange until INSYNC; returns the seconds it took from the first poll."""
    t0 = time.monotonic()
    while True:
        st = r53.get_change(Id=change_id)["ChangeInfo"]["Status"]
        if st == "INSYNC":
            return time.monotonic() - t0
        assert st == "PENDING", f"bad change status {st!r}"
        if time.monotonic() - t0 > timeout:
            raise AssertionError(f"change {change_id} not INSYNC after {timeout}s")
        time.sleep(0.002)


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------

class Err:
    def __init__(self, code, message, status, raw=None):
        self.code, self.message, self.status, self.raw = code, message, status, raw

    def __repr__(self):
        return f"Err({self.status} {self.code}: {self.message!r})"


def error_of(fn, *args, **kw) -> Err:
    """Calls a boto3 operation that must fail with a ClientError; returns its code, message and status."""
    try:
        fn(*args, **kw)
    except ClientError as e:
        return Err(e.response["Error"].get("Code"), e.response["Error"].get("Message"),
                   e.response["ResponseMetadata"]["HTTPStatusCode"], e.response)
    raise AssertionError(f"{getattr(fn, '__name__', fn)} succeeded; an error was expected")


def assert_error(err: Err, code, status, message=None, startswith=None, contains=None):
    assert err.code == code, f"code: got {err!r}, want {code}"
    assert err.status == status, f"status: got {err!r}, want {status}"
    if message is not None:
        assert err.message == message, f"message:\n got  {err.message!r}\n want {message!r}"
    if startswith is not None:
        assert err.message.startswith(startswith), f"message:\n got  {err.message!r}\n want prefix {startswith!r}"
    if contains is not None:
        assert contains in err.message, f"message:\n got  {err.message!r}\n want to contain {contains!r}"


def batch_error(r53, zone_id, *changes) -> Err:
    return error_of(r53.change_resource_record_sets, HostedZoneId=zone_id, ChangeBatch={"Changes": list(changes)})


# --------------------------------------------------------------------------
# raw HTTP
# --------------------------------------------------------------------------

class Raw:
    def __init__(self, r: requests.Response):
        self.status = r.status_code
        self.headers = r.headers
        self.text = r.text
        self.code = self.message = None
        self.root = None
        try:
            self.root = ET.fromstring(r.content)
        except ET.ParseError:
            return
        for el in self.root.iter():
            tag = el.tag.split("}")[-1]
            if tag == "Code" and self.code is None:
                self.code = el.text
            elif tag == "Message" and self.message is None:
                self.message = el.text or ""
        if self.code is None and self.root.tag.split("}")[-1].endswith("Exception"):
            self.code = self.root.tag.split("}")[-1]

    def __repr__(self):
        return f"Raw({self.status} {self.code}: {self.message!r}; body={self.text[:300]!r})"


@contextlib.contextmanager
def signing_clock(dt: datetime.datetime):
    """Makes botocore sign as if the time were `dt`."""
    saved = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda: dt
    try:
        yield
    finally:
        botocore.auth.get_current_datetime = saved


def raw_request(server, method, path, body=b"", query=None, headers=None, sign=True, key=ACCESS_KEY,
                secret=SECRET_KEY, region="us-east-1", service="route53", tamper_body=None) -> Raw:
    """Sends one HTTP request to the API, SigV4-signed unless sign=False. `tamper_body` replaces
    the body after signing."""
    if isinstance(body, str):
        body = body.encode()
    url = server.endpoint + path + ("?" + urlencode(query) if query else "")
    req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    if sign:
        SigV4Auth(Credentials(key, secret), service, region).add_auth(req)
    prepared = req.prepare()
    hdrs = dict(prepared.headers)
    sent = body if tamper_body is None else tamper_body
    hdrs.pop("Content-Length", None)
    r = requests.request(method, prepared.url, data=sent, headers=hdrs, timeout=30)
    return Raw(r)


def xml_body(root: str, inner: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{XMLNS}">{inner}</{root}>'


def change_xml(action, name, rtype, ttl="60", values=("192.0.2.10",), extra="") -> str:
    rrs = "".join(f"<ResourceRecord><Value>{v}</Value></ResourceRecord>" for v in values)
    ttl_xml = f"<TTL>{ttl}</TTL>" if ttl is not None else ""
    return (f"<Change><Action>{action}</Action><ResourceRecordSet><Name>{name}</Name><Type>{rtype}</Type>"
            f"{extra}{ttl_xml}<ResourceRecords>{rrs}</ResourceRecords></ResourceRecordSet></Change>")


def batch_xml(*changes, comment=None) -> str:
    c = f"<Comment>{comment}</Comment>" if comment else ""
    return xml_body("ChangeResourceRecordSetsRequest", f"<ChangeBatch>{c}<Changes>{''.join(changes)}</Changes></ChangeBatch>")


# --------------------------------------------------------------------------
# AWS CLI
# --------------------------------------------------------------------------

class CliResult:
    def __init__(self, p: subprocess.CompletedProcess):
        self.rc = p.returncode
        self.stdout = p.stdout
        self.stderr = p.stderr
        self.json = None
        if p.returncode == 0 and p.stdout.strip():
            self.json = json.loads(p.stdout)

    def __repr__(self):
        return f"CliResult(rc={self.rc}, stdout={self.stdout[:500]!r}, stderr={self.stderr[-800:]!r})"


def cli_env(extra=None, creds=True) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") or k == "AWS_CA_BUNDLE"}
    env.update({"AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": "", "AWS_CONFIG_FILE": "/nonexistent/aws-config",
                "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials", "AWS_EC2_METADATA_DISABLED": "true"})
    if creds:
        env.update({"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY})
    env.update(extra or {})
    return env


def run_aws(server, *args, env=None, creds=True, timeout=60) -> CliResult:
    cmd = ["aws", "route53", *args, "--endpoint-url", server.endpoint, "--output", "json"]
    p = subprocess.run(cmd, capture_output=True, text=True, env=cli_env(env, creds), timeout=timeout)
    return CliResult(p)
