"""The llm package's exception types, in one module that imports none of ours.

Backends, retries, cassettes and the GGUF server raise them; the local models, the
describer and the command lines catch them, without importing each other to do so.
"""

from __future__ import annotations

import signal


class BackendConfigError(ValueError):
    """The backend cannot be built from its settings (missing key, model or path)."""


class LanguageModelError(RuntimeError):
    """The model could not be reached or refused the request; ``str()`` is one line."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class CassetteError(AssertionError):
    """A replayed request does not match the cassette, or the cassette ran out."""


class ServerCrashed(RuntimeError):
    """The server process exited while it was expected to serve.

    Attributes:
        returncode: the process's exit status (negative: killed by that signal, -11 is SIGSEGV).
        log_tail: the last lines the server wrote.
    """

    def __init__(self, returncode: int, log_tail: str, when: str) -> None:
        self.returncode, self.log_tail = returncode, log_tail
        name = ""
        if returncode < 0:
            try:
                name = f" ({signal.Signals(-returncode).name})"
            except ValueError:
                pass
        super().__init__(
            f"the GGUF server exited with {returncode}{name} {when}; the end of its log:\n{log_tail}"
        )
