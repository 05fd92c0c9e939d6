"""The codes of the target's domain rules, which ``[rules]`` in cutover.toml may give a severity.

The rules themselves check frames and live in :mod:`cutover.pipeline.rules` (``RULES``); the
project's configuration only needs their codes, and reading cutover.toml must not load pandas
and the pipeline for them. ``tests/test_layers.py`` holds the two to the same codes.
"""

from __future__ import annotations

RULE_CODES: frozenset[str] = frozenset({
    "BAL_IDENTITY",  # balance
    "READ_FUTURE", "READ_DECREASE", "READ_ROLLOVER",  # reading
    "VERIFY_MISSING", "VERIFY_EXPIRED",  # meter
})
