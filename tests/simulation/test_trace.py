"""The latency simulation's --trace: one hour-by-hour trace per network the report counts as missed or switching."""
import os
import re
import subprocess
from pathlib import Path

SIMULATION = os.environ.get("LATENCY_SIMULATION_BIN", "")


def test_the_trace_holds_every_network_the_report_counts(tmp_path):
    assert SIMULATION and Path(SIMULATION).exists(), "set LATENCY_SIMULATION_BIN to a built LatencySimulation"
    report, trace = tmp_path / "report.md", tmp_path / "trace.md"
    # Four days: the event runs from hour 60 to 96, so the trace covers hours 59..95.
    subprocess.run([SIMULATION, "--networks", "300", "--days", "4", "--seed", "5", "--max-provider-networks", "1",
                    "--report", str(report), "--trace", str(trace)], check=True, capture_output=True, timeout=600)
    text = report.read_text()
    missed = re.search(r"of the (\d+) that did not", text)
    missed = int(missed.group(1)) if missed else 0
    switching = int(re.search(r"(\d+) switched more often than their fastest region changed at all", text).group(1))
    blocks = [b.splitlines() for b in trace.read_text().strip().split("\n\n")] if trace.read_text().strip() else []
    headings = [b[0] for b in blocks]
    assert sum("did not follow" in h for h in headings) == missed, headings
    assert sum(" switched " in h for h in headings) == switching, headings
    assert missed > 0 and switching > 0, "this seed must give both kinds to trace:\n" + text
    for block in blocks:
        assert re.match(r"### \d+\.\d+\.\d+\.0/24 \([A-Z]{2}\): ", block[0]), block[0]
        hours = [int(re.match(r"h(\d+) reports \d+: answer ", line).group(1)) for line in block[1:]]
        assert hours == list(range(59, 96)), hours
        assert all(line.count(" | ") == 10 for line in block[1:]), block[1]
