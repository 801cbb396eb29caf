"""Terraform's AWS provider manages Nearcast as it manages Route 53.

Uses the machine's Terraform (`terraform` on PATH) and the hashicorp/aws
provider from the local mirror /opt/tf-plugins (or TF_PLUGIN_MIRROR); no
network. One full cycle: apply (zone with tags, latency records in two
regions, an alias to them), DNS answers per client network, a plan with no
drift, destroy.
"""

import os
import shutil
import subprocess
from pathlib import Path

from .api_helpers import ACCESS_KEY, SECRET_KEY, ApiServer

MIRROR = os.environ.get("TF_PLUGIN_MIRROR", "/opt/tf-plugins")

MAIN_TF = """
terraform {{
  required_providers {{ aws = {{ source = "hashicorp/aws" }} }}
}}
provider "aws" {{
  region                      = "us-east-1"
  access_key                  = "{key}"
  secret_key                  = "{secret}"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {{ route53 = "{endpoint}" }}
}}
resource "aws_route53_zone" "main" {{
  name = "tf.nearcast-test.com"
  tags = {{ team = "sre" }}
}}
resource "aws_route53_record" "www" {{
  for_each       = {{ "eu-west-1" = "192.0.2.31", "ap-southeast-1" = "192.0.2.32" }}
  zone_id        = aws_route53_zone.main.zone_id
  name           = "www.tf.nearcast-test.com"
  type           = "A"
  ttl            = 60
  set_identifier = each.key
  latency_routing_policy {{ region = each.key }}
  records        = [each.value]
}}
resource "aws_route53_record" "app" {{
  depends_on = [aws_route53_record.www]
  zone_id    = aws_route53_zone.main.zone_id
  name       = "app.tf.nearcast-test.com"
  type       = "A"
  alias {{
    zone_id                = aws_route53_zone.main.zone_id
    name                   = "www.tf.nearcast-test.com"
    evaluate_target_health = false
  }}
}}
"""


def terraform(workdir: Path, *args, check=True) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(workdir / "terraformrc"), "TF_IN_AUTOMATION": "1",
           "CHECKPOINT_DISABLE": "1"}
    result = subprocess.run(["terraform", *args, "-no-color"], cwd=workdir, env=env, capture_output=True,
                            text=True, timeout=600)
    if check:
        assert result.returncode == 0, f"terraform {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def test_terraform_apply_plan_destroy(tmp_path):
    assert shutil.which("terraform"), "terraform is not on PATH"
    assert Path(MIRROR, "registry.terraform.io/hashicorp/aws").is_dir(), f"no hashicorp/aws provider under {MIRROR}"
    server = ApiServer(tmp_path / "server")
    try:
        work = tmp_path / "tf"
        work.mkdir()
        (work / "terraformrc").write_text(f"""
provider_installation {{
  filesystem_mirror {{
    path    = "{MIRROR}"
    include = ["registry.terraform.io/hashicorp/aws"]
  }}
  direct {{ exclude = ["registry.terraform.io/hashicorp/aws"] }}
}}
""")
        (work / "main.tf").write_text(MAIN_TF.format(key=ACCESS_KEY, secret=SECRET_KEY, endpoint=server.endpoint))
        terraform(work, "init", "-input=false")
        terraform(work, "apply", "-auto-approve", "-input=false")

        # The records Terraform made are served, chosen by the client's network, also through the alias.
        for name in ("www.tf.nearcast-test.com.", "app.tf.nearcast-test.com."):
            europe = server.dns(name, "A", ecs=("10.1.7.0", 24))
            asia = server.dns(name, "A", ecs=("10.2.7.0", 24))
            assert [rr.address for rrset in europe.answer for rr in rrset] == ["192.0.2.31"], europe
            assert [rr.address for rrset in asia.answer for rr in rrset] == ["192.0.2.32"], asia

        # Reading everything back shows no drift (tags, latency policies, alias).
        plan = terraform(work, "plan", "-detailed-exitcode", "-input=false", check=False)
        assert plan.returncode == 0, f"plan found drift or failed:\n{plan.stdout[-3000:]}\n{plan.stderr[-2000:]}"

        terraform(work, "destroy", "-auto-approve", "-input=false")
        gone = server.dns("www.tf.nearcast-test.com.", "A")
        assert gone.rcode() == 5, f"after destroy the zone must no longer be served (REFUSED):\n{gone}"
    finally:
        server.stop()
