"""How a file the tool wrote is named to the user: relative to the current folder where it can be."""

from __future__ import annotations

import os
from pathlib import Path


def shown(path: Path) -> str:
    """``path`` relative to the current folder, or whole where it has none (another drive)."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
