"""The latency simulation's --trace: one hour-by-hour trace per network the report counts as missed or switching."""
import os
import re
import subprocess
from pathlib import Path

SIMULATION = os.environ.get("LATENCY_SIMULATION_BIN", "")
HALF_LIFE_HOURS = 6


def simulate(tmp_path, name, *extra):
    report = tmp_path / f"{name}.md"
    subprocess.run([SIMULATION, "--networks", "300", "--days", "4", "--seed", "5", "--max-provider-networks", "1",
                    "--report", str(report), *extra], check=True, capture_output=True, timeout=600)
    return [line for line in report.read_text().splitlines() if not line.startswith(("Command:", "Map rebuilds:"))]


def test_the_trace_holds_every_network_the_report_counts(tmp_path):
    assert SIMULATION and Path(SIMULATION).exists(), "set LATENCY_SIMULATION_BIN to a built LatencySimulation"
    trace = tmp_path / "trace.md"
    report = simulate(tmp_path, "traced", "--trace", str(trace))
    assert report == simulate(tmp_path, "plain"), "tracing changes nothing the report says"
    text = "\n".join(report)
    missed = int(re.search(r"of the (\d+) that did not", text).group(1))
    switching = int(re.search(r"(\d+) switched more often than their fastest region changed at all", text).group(1))
    assert missed > 0 and switching > 0, "this seed must give both kinds to trace:\n" + text
    blocks = [b.splitlines() for b in trace.read_text().strip().split("\n\n")]
    assert sum("did not follow" in b[0] for b in blocks) == missed, [b[0] for b in blocks]
    assert sum(" switched " in b[0] for b in blocks) == switching, [b[0] for b in blocks]
    for block in blocks:
        assert re.match(r"### \d+\.\d+\.\d+\.0/24 \([A-Z]{2}\): ", block[0]), block[0]
        lines = [re.match(r"h(\d+) reports (\d+): answer (\S+) \d+, fastest (\S+) \d+", line) for line in block[1:]]
        assert [int(m.group(1)) for m in lines] == list(range(59, 96)), block[1:3]  # the event: hours 60..95
        assert all(line.count(" | ") == 10 for line in block[1:]), block[1]  # ten regions
        heading = re.search(r"change of hour (\d+) within the half-life, (\d+) report", block[0])
        if heading:  # the reports it counts are those of the change's hour to a half-life after it
            changed, reports = int(heading.group(1)), int(heading.group(2))
            assert sum(int(m.group(2)) for m in lines if changed <= int(m.group(1)) <= changed + HALF_LIFE_HOURS) == reports
            assert any(m.group(3) != m.group(4) for m in lines if int(m.group(1)) >= changed), "it missed: some hour answers another region"
