"""The runner's own error: it carries the exit code of what stopped the run."""
from __future__ import annotations

from workbench.core.errors import EXIT_DATA, WorkbenchError


class RunFailed(WorkbenchError):
    """The run stopped; the previous outputs are intact. Message is Russian, one line; the exit
    code is that of the error that stopped it (2 data, 3 quality gate, 4 environment, 1 bug)."""

    def __init__(self, message: str, exit_code: int = EXIT_DATA) -> None:
        super().__init__(message)
        self.exit_code = exit_code
