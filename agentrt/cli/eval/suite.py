"""``agentrt eval``: run a suite in parallel into a results directory; compare, list, report.

    agentrt eval --suite kitchen-tidy-v0 --episodes 50 --workers 2 --out evals/tidy
    agentrt eval compare evals/tidy-a evals/tidy-b
    agentrt eval list
    agentrt eval report evals/tidy        # redraw the reports from results.json

Exit codes (:mod:`agentrt.core.exit_codes`): 0 the evaluation ran (whatever its success rate)
or the comparison was made; 2 rejected input (unknown suite, planner or describer, a bad
config, a directory holding another evaluation, skills that do not exist yet), with a one-line
reason on stderr; 3 internal error (``AGENTRT_DEBUG=1`` shows the traceback); 130 interrupted
(finished episodes are kept; the same command resumes).

The functions here are mounted on the ``eval`` group by :mod:`agentrt.cli.eval.app`.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console

from agentrt.console import fail, stdout_to_stderr
from agentrt.core.exit_codes import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED
from agentrt.core.registry import SUITES, RegistryError
from agentrt.skill_sets import SkillSetUnavailable
from evals.results import EvalConfig
from evals.runner import EvalRequest, EvalStats, check_request, run_suite
from evals.store import ResultsDirError

_COMMAND = "agentrt eval"


def eval_command(
    ctx: typer.Context,
    suite: Annotated[str | None, typer.Option(help="Registered suite id (see `agentrt eval list`).")] = None,
    episodes: Annotated[int, typer.Option(min=1, help="Episodes; episode i uses seed SEED_START + i.")] = 10,
    out: Annotated[
        Path | None, typer.Option(help="Results directory (resumed if it holds this evaluation).")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Simulator workers; more than 1 runs Ray actors.")] = 1,
    seed_start: Annotated[int, typer.Option(min=0, help="Seed of the first episode.")] = 0,
    planner: Annotated[str, typer.Option(help="Registered task planner.")] = "symbolic",
    planner_config: Annotated[
        str | None, typer.Option(help="Planner settings: a JSON object, or a .json/.yaml file.")
    ] = None,
    describer: Annotated[str, typer.Option(help="Registered scene describer.")] = "oracle",
    describer_config: Annotated[
        str | None, typer.Option(help="Describer settings: a JSON object, or a .json/.yaml file.")
    ] = None,
    skills: Annotated[
        str, typer.Option(help="Skill set: scripted, or learned (the VLA checkpoints shipped for the scene).")
    ] = "scripted",
    max_replans: Annotated[int, typer.Option(min=0, help="Replans allowed per instruction.")] = 3,
    constitution: Annotated[
        bool,
        typer.Option(
            "--constitution/--no-constitution", help="Review each instruction with the constitution."
        ),
    ] = False,
    video: Annotated[
        bool, typer.Option("--video/--no-video", help="Record each episode's head camera (MP4).")
    ] = True,
    address: Annotated[str | None, typer.Option(help="Join this Ray cluster (e.g. 'auto').")] = None,
    episode_timeout: Annotated[
        float, typer.Option(min=1.0, help="Seconds before a worker counts as hung.")
    ] = 1800.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly one JSON object on stdout.")] = False,
) -> None:
    """Run SUITE for EPISODES episodes into OUT; write results.json, summary.md, plots and report.html."""
    if ctx.invoked_subcommand is not None:
        return
    if suite is None or out is None:
        raise fail(
            _COMMAND,
            EXIT_BAD_INPUT,
            "give --suite ID and --out DIR (or a subcommand: skill, controller, compare, list, report)",
        )
    console = Console(stderr=True)
    try:
        config = EvalConfig(
            suite=suite,
            describer=describer,
            describer_config=_settings(describer_config, "--describer-config"),
            planner=planner,
            planner_config=_settings(planner_config, "--planner-config"),
            skills=skills,
            max_replans=max_replans,
            constitution=constitution,
            video=video,
        )
        request = EvalRequest(
            config=config,
            episodes=episodes,
            seed_start=seed_start,
            out=out,
            workers=workers,
            address=address,
            episode_timeout_s=episode_timeout,
        )
        with stdout_to_stderr():
            suite_obj = check_request(request)
    except ValidationError as exc:
        raise fail(_COMMAND, EXIT_BAD_INPUT, _first_error(exc)) from None
    except (RegistryError, SkillSetUnavailable, ValueError) as exc:
        raise fail(_COMMAND, EXIT_BAD_INPUT, str(exc)) from None

    progress = _progress(
        console, suite_obj.suite_id, suite_obj.group_by, live=console.is_terminal and not as_json
    )
    command = shlex.join(
        ["agentrt", "eval", *sys.argv[1:]] if Path(sys.argv[0]).name == "agentrt" else sys.argv
    )
    try:
        with progress, stdout_to_stderr():
            payload = run_suite(request, on_progress=progress, command=command)
    except KeyboardInterrupt:
        console.print(f"interrupted: finished episodes are saved in {out}; the same command resumes")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except (ResultsDirError, OSError) as exc:
        raise fail(_COMMAND, EXIT_BAD_INPUT, str(exc)) from None
    except Exception as exc:
        if os.environ.get("AGENTRT_DEBUG"):
            raise
        raise fail(_COMMAND, EXIT_INTERNAL, f"internal error: {type(exc).__name__}: {exc}") from None
    _report(console, payload, out, as_json)


def _report(console: Console, payload: dict[str, Any], out: Path, as_json: bool) -> None:
    agg = payload["aggregate"]
    if as_json:
        typer.echo(
            json.dumps({"suite": payload["suite"], "out": str(out), "aggregate": agg, "run": payload["run"]})
        )
        return
    lo, hi = agg["success_ci95"]
    line = f"{payload['suite']}: success {agg['success_rate']:.1%} [{lo:.1%}, {hi:.1%}]"
    line += f" over {agg['episodes']} episodes"
    if "avg_chain_length" in agg:
        line += f"; average chain length {agg['avg_chain_length']:.2f}"
    console.print(line)
    for tag in payload["suite_info"]["group_by"]:
        parts = [
            f"{tag}={v} {g['success_rate']:.0%} (n={g['episodes']})" for v, g in agg[f"by_{tag}"].items()
        ]
        console.print("  " + ", ".join(parts))
    run = payload["run"]
    console.print(
        f"ran {run['episodes_run']} ({run['episodes_resumed']} resumed) in {run['elapsed_s']:.0f} s,"
        f" {run['episodes_per_hour']:.0f} episodes/hour; report: {out / 'report.html'}"
    )


class _LineProgress:
    """One line per finished episode, for logs (when stderr is not a terminal)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.seen = 0

    def __enter__(self) -> _LineProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __call__(self, stats: EvalStats) -> None:
        for r in stats.results[self.seen :]:
            if self.seen >= stats.resumed:
                outcome = "success" if r.success else r.status
                tags = "".join(f" {k}={v}" for k, v in r.tags.items())
                self.console.print(
                    f"[{stats.done}/{stats.target}] seed {r.seed}{tags} {outcome} chain {r.chain_length}"
                    f" ({r.wall_time_s:.0f} s); {stats.successes}/{stats.done} so far",
                    highlight=False,
                )
            self.seen += 1


def _progress(console: Console, suite: str, group_by: tuple[str, ...], live: bool) -> Any:
    if live:
        from evals.progress import LiveProgress

        return LiveProgress(suite, group_by, console=console)
    return _LineProgress(console)


def _settings(text: str | None, option: str) -> dict[str, Any]:
    """A JSON object given inline, or read from a .json/.yaml file."""
    if text is None:
        return {}
    source = text
    if not text.lstrip().startswith("{"):
        path = Path(text)
        if not path.is_file():
            raise ValueError(f"{option} must be a JSON object or a .json/.yaml file, got {text!r}")
        source = path.read_text()
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(source)
            if not isinstance(data, dict):
                raise ValueError(f"{option}: {path} does not hold a mapping")
            return data
    try:
        data = json.loads(source)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{option} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{option} must be a JSON object")
    return data


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ()))
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg


def compare_command(
    dirs: Annotated[list[Path], typer.Argument(help="Two or more results directories.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as one JSON object.")] = False,
    out: Annotated[
        Path | None, typer.Option(help="Also write comparison.json and comparison.md here.")
    ] = None,
) -> None:
    """Put evaluations side by side: success, chain length, per-skill, planning and time."""
    from evals.compare import compare, markdown, rich_table

    if len(dirs) < 2:
        raise fail(f"{_COMMAND} compare", EXIT_BAD_INPUT, "give at least two results directories")
    try:
        comparison = compare(dirs)
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            (out / "comparison.json").write_text(json.dumps(comparison, indent=1))
            (out / "comparison.md").write_text(markdown(comparison))
    except (ResultsDirError, OSError) as exc:
        raise fail(f"{_COMMAND} compare", EXIT_BAD_INPUT, str(exc)) from None
    if as_json:
        typer.echo(json.dumps(comparison))
        return
    console = Console()
    if not comparison["same_suite"]:
        console.print("[yellow]note:[/] the runs are of different suites")
    console.print(rich_table(comparison))
    if "paired" in comparison:
        p, (a, b) = comparison["paired"], (r["label"] for r in comparison["runs"])
        console.print(
            f"over {p['shared_seeds']} shared seeds: both solved {p['both']}, only {a} {p['only_a']},"
            f" only {b} {p['only_b']}, neither {p['neither']}",
            highlight=False,
        )


def list_command() -> None:
    """List registered suites."""
    from rich.table import Table

    table = Table("suite", "scene", "chain", "description")
    for name, cls in SUITES.items():
        table.add_row(name, cls.scene, str(cls.chain_length or "-"), cls.description)
    Console().print(table)


def report_command(
    directory: Annotated[Path, typer.Argument(help="A results directory holding results.json.")],
) -> None:
    """Redraw summary.md, the plots and report.html from DIRECTORY/results.json."""
    from evals.report import write_reports
    from evals.store import load_results

    try:
        paths = write_reports(directory, load_results(directory))
    except (ResultsDirError, OSError) as exc:
        raise fail(f"{_COMMAND} report", EXIT_BAD_INPUT, str(exc)) from None
    Console().print(f"wrote {paths['html']}")


__all__ = ["compare_command", "eval_command", "list_command", "report_command"]
