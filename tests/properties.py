"""How hard the property tests (hypothesis) try.

The default run tries a quarter of each test's examples, so that ``make test`` keeps within its
ten minutes on two cores; ``CUTOVER_THOROUGH=1 make test`` tries them all (before a release, or
after changing a columnar kernel). A failure hypothesis once found is tried first either way:
it keeps its examples in ``.hypothesis/``.
"""

from __future__ import annotations

import os


def examples(full: int) -> int:
    """The examples to try of a test written for ``full``."""
    return full if os.environ.get("CUTOVER_THOROUGH") == "1" else max(50, full // 4)
