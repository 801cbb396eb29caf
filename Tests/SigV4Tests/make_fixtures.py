#!/usr/bin/env python3
"""Writes BotocoreFixtures.swift: real signed Route 53 requests, captured on the wire; and
SignerFixtures.swift: what botocore's SigV4Auth signs for given inputs, for SigV4Signer to match.

A loopback HTTP server records each request exactly as it arrives (request line, headers in
order, body) and answers with a non-retryable Route 53 error, so every client call sends one
request. The clients are botocore (boto3's engine) and the AWS CLI, both run in this process with
botocore's clock pinned, and Terraform's AWS provider (aws-sdk-go-v2) when terraform and a local
provider mirror are available; Terraform signs with the real clock, so its fixtures carry the
time they were made.

Run from anywhere: python3 Tests/SigV4Tests/make_fixtures.py [--signer-only]
Needs: botocore and awscli (pip install awscli); optionally terraform and
/opt/tf-plugins/registry.terraform.io/hashicorp/aws/<version>.
"""
import calendar
import datetime
import hashlib
import http.server
import io
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from contextlib import redirect_stderr, redirect_stdout
from unittest import mock

import awscli
import botocore
import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.session
from awscli.clidriver import create_clidriver

HERE = pathlib.Path(__file__).resolve().parent
OUTPUT = HERE / "BotocoreFixtures.swift"
SIGNER_OUTPUT = HERE / "SignerFixtures.swift"
ACCESS_KEY = "AKIDNEARCASTEXAMPLE"
SECRET_KEY = "nearcast/Secret+Key/EXAMPLE0123456789abcd"
SIGNED_AT = datetime.datetime(2026, 11, 24, 12, 36, 0)  # naive UTC, as botocore's clock returns
PLUGIN_DIR = pathlib.Path("/opt/tf-plugins")
ERROR_BODY = (
    b'<?xml version="1.0"?>\n<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">'
    b"<Error><Type>Sender</Type><Code>InvalidInput</Code><Message>captured</Message></Error>"
    b"<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
)

# Terraform looks a zone up before it reads a record: that lookup gets this zone and is not recorded.
CANNED = {
    ("GET", "/2013-04-01/hostedzone/ZTF"): (
        b'<?xml version="1.0"?>\n<GetHostedZoneResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">'
        b"<HostedZone><Id>/hostedzone/ZTF</Id><Name>example.com.</Name><CallerReference>tf</CallerReference>"
        b"<Config><PrivateZone>false</PrivateZone></Config><ResourceRecordSetCount>2</ResourceRecordSetCount>"
        b"</HostedZone><DelegationSet><NameServers><NameServer>ns1.example.com</NameServer></NameServers>"
        b"</DelegationSet></GetHostedZoneResponse>"
    ),
}

captured = []  # (method, target, [(name, value)], body bytes)


class Capture(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_one_request(self):
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline:
            self.close_connection = True
            return
        if not self.parse_request():
            return
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else b""
        answer = CANNED.get((self.command, self.path))
        if answer is None:
            captured.append((self.command, self.path, list(self.headers.items()), body))
        self.send_response(400 if answer is None else 200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(answer or ERROR_BODY)))
        self.end_headers()
        self.wfile.write(answer or ERROR_BODY)

    def log_message(self, *args):
        pass


def start_server():
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 8053), Capture)
    except OSError:
        print("port 8053 busy; using another port (Host headers will differ)", file=sys.stderr)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Capture)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def take(name, signed_at):
    """Turns the one request captured since the last call into a fixture."""
    assert len(captured) == 1, f"{name}: expected one request, got {len(captured)}"
    method, target, headers, body = captured.pop()
    return dict(name=name, signed_at=signed_at, method=method, target=target, headers=headers, body=body)


def botocore_fixtures(endpoint):
    fixtures = []
    session = botocore.session.get_session()

    def client(region="us-east-1", token=None):
        c = session.create_client(
            "route53", region_name=region, endpoint_url=endpoint,
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, aws_session_token=token)
        return c

    def call(name, method, client_=None, **params):
        try:
            getattr(client_ or client(), method)(**params)
        except botocore.exceptions.ClientError:
            pass
        fixtures.append(take(name, SIGNED_AT))

    call("botocore CreateHostedZone", "create_hosted_zone", Name="example.com.", CallerReference="nearcast-1",
         HostedZoneConfig={"Comment": "Zone für Tests & <more>", "PrivateZone": False})
    call("botocore ListResourceRecordSets", "list_resource_record_sets", HostedZoneId="Z123",
         StartRecordName="\\052.example.com.", StartRecordType="A", MaxItems="2")
    call("botocore ListResourceRecordSets, UTF-8 and space in the name", "list_resource_record_sets",
         HostedZoneId="Z123", StartRecordName="ü ex*ample.com.", MaxItems="100")
    call("botocore GetChange", "get_change", Id="/change/C123")
    call("botocore GetHostedZone, escaped id in the path", "get_hosted_zone", Id="Z1 2+3")
    call("botocore DeleteHostedZone", "delete_hosted_zone", Id="Z123")
    call("botocore ChangeTagsForResource", "change_tags_for_resource", ResourceType="hostedzone",
         ResourceId="Z123", AddTags=[{"Key": "team", "Value": "dns ops"}], RemoveTagKeys=["old"])
    call("botocore ChangeResourceRecordSets", "change_resource_record_sets", HostedZoneId="Z123", ChangeBatch={
        "Comment": "add a wildcard",
        "Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
            "Name": "\\052.example.com.", "Type": "TXT", "TTL": 300,
            "ResourceRecords": [{"Value": '"v=spf1 -all"'}]}}]})
    call("botocore ListHostedZonesByName", "list_hosted_zones_by_name", DNSName="example.com.", MaxItems="1")
    call("botocore ListHostedZones, eu-west-1 scope", "list_hosted_zones", client_=client(region="eu-west-1"))
    call("botocore ListHostedZones, session token", "list_hosted_zones", client_=client(token="FQoGZXIvYXdzEXAMPLE//token="))

    # botocore signs with a Date header (and no X-Amz-Date) when the request already has one.
    c = client()
    c.meta.events.register("before-sign.route53.GetHostedZoneCount",
                           lambda request, **_: request.headers.__setitem__("Date", "placeholder"))
    call("botocore GetHostedZoneCount, Date header", "get_hosted_zone_count", client_=c)

    # A presigned URL: nothing is sent, so the request is built from the URL as a client would send it.
    url = client().generate_presigned_url("get_change", Params={"Id": "C123"}, ExpiresIn=900)
    target = url[len(endpoint):]
    fixtures.append(dict(name="botocore presigned GetChange", signed_at=SIGNED_AT, method="GET", target=target,
                         headers=[("Host", endpoint.split("//")[1])], body=b""))
    return fixtures


def cli_fixtures(endpoint):
    fixtures = []
    env = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_PAGER": ""}
    runs = [
        ("aws-cli list-resource-record-sets", ["route53", "list-resource-record-sets", "--hosted-zone-id", "Z123",
                                                "--start-record-name", "\\052.example.com.", "--start-record-type", "A",
                                                "--max-items", "2", "--no-paginate"]),
        ("aws-cli change-resource-record-sets", ["route53", "change-resource-record-sets", "--hosted-zone-id", "Z123",
                                                  "--change-batch", '{"Changes":[{"Action":"DELETE","ResourceRecordSet":'
                                                  '{"Name":"www.example.com.","Type":"A","TTL":60,'
                                                  '"ResourceRecords":[{"Value":"192.0.2.1"}]}}]}']),
        ("aws-cli create-hosted-zone", ["route53", "create-hosted-zone", "--name", "example.org",
                                        "--caller-reference", "cli-1"]),
    ]
    with mock.patch.dict(os.environ, env):
        for name, args in runs:
            with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
                create_clidriver().main(args + ["--endpoint-url", endpoint])
            fixtures.append(take(name, SIGNED_AT))
    return fixtures


TERRAFORM_CONFIG = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "%(access_key)s"
  secret_key                  = "%(secret_key)s"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  max_retries                 = 1
  endpoints {
    route53 = "%(endpoint)s"
  }
}
"""

TERRAFORM_RUNS = [
    ("terraform data aws_route53_zone", 'data "aws_route53_zone" "z" {\n  name = "example.com."\n}\n', "plan"),
    ("terraform aws_route53_record import", 'import {\n  to = aws_route53_record.r\n  id = "ZTF_*.example.com_TXT"\n}\n'
                                            'resource "aws_route53_record" "r" {\n  zone_id = "ZTF"\n'
                                            '  name = "*.example.com"\n  type = "TXT"\n  ttl = 60\n  records = ["x"]\n}\n',
     "plan"),
    ("terraform aws_route53_zone create", 'resource "aws_route53_zone" "z" {\n  name = "example.net"\n'
                                          '  comment = "made by terraform"\n}\n', "apply"),
]


def terraform_fixtures(endpoint):
    terraform = shutil.which("terraform")
    if not terraform or not PLUGIN_DIR.is_dir():
        print("terraform or its provider mirror is missing: no Terraform fixtures", file=sys.stderr)
        return []
    fixtures = []
    env = dict(os.environ, TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", TF_CLI_CONFIG_FILE="/dev/null")
    for name, body, command in TERRAFORM_RUNS:
        with tempfile.TemporaryDirectory() as work:
            config = TERRAFORM_CONFIG % dict(access_key=ACCESS_KEY, secret_key=SECRET_KEY, endpoint=endpoint)
            pathlib.Path(work, "main.tf").write_text(config + body)
            subprocess.run([terraform, "init", "-input=false", f"-plugin-dir={PLUGIN_DIR}"], cwd=work, env=env,
                           check=True, capture_output=True)
            args = [terraform, command, "-input=false", "-no-color"] + (["-auto-approve"] if command == "apply" else [])
            subprocess.run(args, cwd=work, env=env, capture_output=True, timeout=300)
        headers = dict((k.lower(), v) for k, v in captured[-1][2]) if captured else {}
        signed_at = datetime.datetime.strptime(headers["x-amz-date"], "%Y%m%dT%H%M%SZ")
        fixtures.append(take(name, signed_at))
    return fixtures


def normalize_unsigned(fixture):
    """Pins headers that change from run to run and that the signature does not cover."""
    auth = next((v for k, v in fixture["headers"] if k.lower() == "authorization"), "")
    match = re.search(r"SignedHeaders=([^,]*)", auth) or re.search(r"X-Amz-SignedHeaders=([^&]*)", fixture["target"])
    signed = set(match.group(1).replace("%3B", ";").split(";")) if match else set()
    pinned = {"user-agent": lambda v: v.split(" ")[0],
              "amz-sdk-invocation-id": lambda v: "00000000-0000-4000-8000-000000000000"}
    fixture["headers"] = [(k, pinned[k.lower()](v) if k.lower() in pinned and k.lower() not in signed else v)
                          for k, v in fixture["headers"]]
    return fixture


def swift_string(text):
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20 or ord(ch) >= 0x7F:
            out.append("\\u{%x}" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def render(fixtures, sources):
    lines = [
        "// Generated by make_fixtures.py; do not edit by hand.",
        "// Requests captured on the wire from " + ", ".join(sources) + ".",
        "",
        "/// A signed request exactly as a client sent it, and the key that signed it.",
        "struct CapturedRequest: Sendable {",
        "    var name: String",
        "    var accessKeyID: String",
        "    var secretAccessKey: String",
        "    /// When the client signed it, in seconds since 1970.",
        "    var signedAt: Int64",
        "    var method: String",
        "    /// The request target: path and query, as on the request line.",
        "    var target: String",
        "    var headers: [(name: String, value: String)]",
        "    var body: String",
        "}",
        "",
        "let capturedRequests: [CapturedRequest] = [",
    ]
    for f in fixtures:
        lines.append("    CapturedRequest(")
        lines.append(f"        name: {swift_string(f['name'])},")
        lines.append(f"        accessKeyID: {swift_string(ACCESS_KEY)}, secretAccessKey: {swift_string(SECRET_KEY)},")
        lines.append(f"        signedAt: {calendar.timegm(f['signed_at'].timetuple())},")
        lines.append(f"        method: {swift_string(f['method'])},")
        lines.append(f"        target: {swift_string(f['target'])},")
        lines.append("        headers: [")
        for k, v in f["headers"]:
            lines.append(f"            ({swift_string(k)}, {swift_string(v)}),")
        lines.append("        ],")
        lines.append(f"        body: {swift_string(f['body'].decode('utf-8'))}")
        lines.append("    ),")
    lines.append("]")
    return "\n".join(lines) + "\n"


# Inputs for SigV4Signer: (name, region, method, target, host, headers, body). Each request also carries
# X-Amz-Content-SHA256 with the body's hash, which SigV4Signer always sends (botocore signs it when present).
SIGNER_INPUTS = [
    ("GET with a query", "us-east-1", "GET", "/nearcast/latency/probe-targets?region=eu-west-1", "127.0.0.1:8053",
     [], b""),
    ("POST JSON", "us-east-1", "POST", "/nearcast/latency/measurements?source=probe&partial=true", "127.0.0.1:8053",
     [("Content-Type", "application/json")],
     b'[{"time":1795523760,"client":"203.0.113.9","region":"eu-west-1","rtt_ms":12.5,"source":"probe"}]'),
    ("POST CSV, unsorted query, user agent", "us-east-1", "POST",
     "/nearcast/latency/measurements?source=import&partial=false", "localhost:8053",
     [("Content-Type", "text/csv"), ("User-Agent", "nearcast/1.0"), ("X-Extra", "  a   b ")],
     b"time,client,region,rtt_ms\n1795523760,198.51.100.7,eu-west-1,12.3\n"),
    ("escaped path and query, eu-west-1 scope", "eu-west-1", "GET",
     "/nearcast/latency/explain?name=%5C052.example.com.&client=2001%3Adb8%3A%3A1&type=A", "[::1]:8053", [], b""),
    ("Route 53 path with space escape", "us-east-1", "GET", "/2013-04-01/hostedzone/Z1%202", "nearcast.example", [],
     b""),
]


def signer_fixtures():
    fixtures = []
    credentials = botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY)
    for name, region, method, target, host, headers, body in SIGNER_INPUTS:
        scheme = "https" if host == "nearcast.example" else "http"
        request = botocore.awsrequest.AWSRequest(method=method, url=f"{scheme}://{host}{target}", data=body)
        for key, value in headers + [("Host", host),
                                     ("X-Amz-Content-SHA256", hashlib.sha256(body).hexdigest())]:
            request.headers[key] = value
        with mock.patch("botocore.auth.get_current_datetime", lambda *a, **k: SIGNED_AT):
            botocore.auth.SigV4Auth(credentials, "route53", region).add_auth(request)
        fixtures.append(dict(name=name, region=region, method=method, target=target, host=host, headers=headers,
                             body=body, amz_date=request.headers["X-Amz-Date"],
                             authorization=request.headers["Authorization"]))
    return fixtures


def render_signer(fixtures):
    lines = [
        "// Generated by make_fixtures.py; do not edit by hand.",
        f"// Signatures botocore {botocore.__version__}'s SigV4Auth made for these inputs.",
        "",
        "/// Inputs to a signer and the headers botocore added for them.",
        "struct SignerFixture: Sendable {",
        "    var name: String",
        "    var region: String",
        "    var method: String",
        "    var target: String",
        "    var host: String",
        "    var headers: [(name: String, value: String)]",
        "    var body: String",
        "    var signedAt: Int64",
        "    var amzDate: String",
        "    var authorization: String",
        "}",
        "",
        f"let signerAccessKeyID = {swift_string(ACCESS_KEY)}",
        f"let signerSecretAccessKey = {swift_string(SECRET_KEY)}",
        "",
        "let signerFixtures: [SignerFixture] = [",
    ]
    for f in fixtures:
        headers = ", ".join(f"({swift_string(k)}, {swift_string(v)})" for k, v in f["headers"])
        lines += [
            "    SignerFixture(",
            f"        name: {swift_string(f['name'])}, region: {swift_string(f['region'])},",
            f"        method: {swift_string(f['method'])}, target: {swift_string(f['target'])}, host: {swift_string(f['host'])},",
            f"        headers: [{headers}],",
            f"        body: {swift_string(f['body'].decode('utf-8'))},",
            f"        signedAt: {calendar.timegm(SIGNED_AT.timetuple())}, amzDate: {swift_string(f['amz_date'])},",
            f"        authorization: {swift_string(f['authorization'])}",
            "    ),",
        ]
    lines.append("]")
    return "\n".join(lines) + "\n"


def main():
    SIGNER_OUTPUT.write_text(render_signer(signer_fixtures()))
    print(f"wrote {len(SIGNER_INPUTS)} fixtures to {SIGNER_OUTPUT}")
    if "--signer-only" in sys.argv[1:]:
        return
    server, endpoint = start_server()
    try:
        with mock.patch("botocore.auth.get_current_datetime", lambda *a, **k: SIGNED_AT):
            fixtures = botocore_fixtures(endpoint) + cli_fixtures(endpoint)
        sources = [f"botocore {botocore.__version__}", f"aws-cli {awscli.__version__}"]
        terraform = terraform_fixtures(endpoint)
        if terraform:
            version = subprocess.run(["terraform", "version"], capture_output=True, text=True).stdout.split("\n")[0]
            provider = next(PLUGIN_DIR.glob("registry.terraform.io/hashicorp/aws/*")).name
            sources.append(f"{version} with hashicorp/aws {provider}")
        fixtures += terraform
    finally:
        server.shutdown()
    OUTPUT.write_text(render([normalize_unsigned(f) for f in fixtures], sources))
    print(f"wrote {len(fixtures)} fixtures to {OUTPUT}")


if __name__ == "__main__":
    main()
