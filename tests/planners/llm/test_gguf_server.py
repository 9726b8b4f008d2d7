"""The GGUF server's command line and crash report, without loading a model (the real server is
exercised in test_loopback_server.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from agentrt.core.exit_codes import EXIT_BAD_INPUT
from planners.llm.errors import ServerCrashed
from planners.llm.gguf_server import GGUFServer, GGUFServerConfig, main


def test_a_missing_model_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--model", str(tmp_path / "nope.gguf"), "--port", "0"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "no GGUF file at" in err and "--port must be 1-65535" in err
    assert "Traceback" not in err


def test_the_command_line_round_trips_the_config_and_repacking_stays_off(tmp_path: Path) -> None:
    config = GGUFServerConfig(model=tmp_path / "m.gguf", port=8123, threads=1, alias="m")
    argv = config.argv()
    assert "--repack" not in argv and argv[argv.index("--port") + 1] == "8123"
    assert "--repack" in GGUFServerConfig(model=Path("m.gguf"), repack=True).argv()


def test_a_dead_server_process_is_reported_with_its_exit_code_and_log(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    server = GGUFServer(GGUFServerConfig(model=tmp_path / "m.gguf"), log=log)
    assert server.config.port > 0  # a free port was chosen
    log.write_text("loading\nggml: segmentation fault\n")
    # A stand-in process that dies as the AMX repack path did.
    server.process = subprocess.Popen(
        [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"]
    )
    server.process.wait(timeout=30)
    with pytest.raises(ServerCrashed) as crash:
        with server.watch():
            raise ConnectionError("the connection was reset")
    assert crash.value.returncode == -signal.SIGSEGV
    assert "SIGSEGV" in str(crash.value) and "segmentation fault" in crash.value.log_tail
    assert isinstance(crash.value.__context__, ConnectionError)
