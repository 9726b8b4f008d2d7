"""Reports: the Markdown summary, and the HTML page rendered by headless Chromium (tables,
decoded plots, a screenshot that is not blank)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import matplotlib.image
import pytest

from evals.report import write_reports
from evals.results import EvalConfig
from evals.runner import EvalRequest, run_suite
from evals.testing import FAST_PLANNER

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@pytest.fixture(scope="module")
def chain_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("chain")
    config = EvalConfig(suite="fake-chain3-v0", planner_config=FAST_PLANNER, video=True)
    return out, run_suite(EvalRequest(config=config, episodes=3, out=out))


def test_summary_names_the_headline_numbers_and_failures(chain_run: tuple[Path, dict]) -> None:
    out, payload = chain_run
    text = (out / "summary.md").read_text()
    assert "# fake-chain3-v0" in text and "success: **66.7%** (2/3" in text
    assert "average chain length: **2.00** of 3" in text
    assert "## Failures (1)" in text and "seed 2" in text
    assert payload["rerun_command"] in text


def test_report_can_be_redrawn_from_results_json(chain_run: tuple[Path, dict]) -> None:
    out, payload = chain_run
    (out / "report.html").unlink()
    paths = write_reports(out, payload)
    assert paths["html"].exists() and set(paths) >= {"chain_length", "skills", "summary", "results"}


def _chromium(out: Path, *args: str) -> subprocess.CompletedProcess:
    profile = out / "chromium-profile"
    cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args, (out / "report.html").as_uri()]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=True)


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("AGENTRT_REQUIRE_CHROMIUM"),
    reason="chromium is not installed (apt-get install -y chromium); CI sets AGENTRT_REQUIRE_CHROMIUM",
)
def test_html_report_renders_in_headless_chromium(chain_run: tuple[Path, dict], tmp_path: Path) -> None:
    out, payload = chain_run
    dom = _chromium(out, "--virtual-time-budget=5000", "--dump-dom").stdout
    assert re.search(r'<body[^>]*data-images="ok"', dom), "an embedded plot failed to decode"
    count = int(re.search(r'data-image-count="(\d+)"', dom).group(1))
    assert count == 2  # chain lengths and per-skill bars
    for table in ("episodes", "skills", "chain-table", "planning", "config"):
        assert f'<table class="{table}"' in dom, table
    rows = re.findall(r"<tr>\s*<td class=\"num\">\d+</td><td class=\"num\">(\d+)</td>", dom)
    assert rows == ["0", "1", "2"]
    assert dom.count('href="videos/seed-') == 3

    shot = tmp_path / "shot.png"
    _chromium(out, "--window-size=1280,1000", f"--screenshot={shot}")
    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[:2] == (1000, 1280)
    assert pixels[..., :3].std() > 0.05, "the screenshot is blank"


def test_plots_tolerate_intervals_a_rounding_error_inside_the_rate(tmp_path: Path) -> None:
    from evals.plots import skill_success, success_by_tag

    group = {"episodes": 10, "successes": 10, "success_rate": 1.0, "success_ci95": [0.72, 0.9999999999999999]}
    agg = {"by_k": {"1": group}, "skills": {"pick": {**group, "attempts": 10}}}
    assert success_by_tag(agg, "k", tmp_path / "k.png").stat().st_size > 0
    assert skill_success(agg, tmp_path / "s.png").stat().st_size > 0
