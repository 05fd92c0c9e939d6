"""The one exception tree of cutover.

Every error a user can act on derives from :class:`CutoverError` and carries the exit
code the command line returns for it. The CLI catches this class in one place; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3  # a bug: anything but a CutoverError (the CLI asks for --debug and a report)
EXIT_INTERRUPTED = 130  # Ctrl-C (SIGINT), as a shell reports a process a SIGINT ended: 128 + 2


class CutoverError(Exception):
    """An error the user can fix: bad usage, configuration or input (exit code 2)."""

    exit_code = EXIT_BAD_INPUT


class ConfigError(CutoverError):
    """``cutover.toml`` or the environment is wrong."""


class MappingError(CutoverError):
    """A mapping file is invalid: names the file, the key and what was expected."""


class SchemaError(CutoverError):
    """The target schema definition is invalid."""


class ExtractError(CutoverError):
    """A source file or table cannot be read: names the file, the row and the problem."""


class TargetError(CutoverError):
    """The target database cannot be reached or brought to the expected schema."""
