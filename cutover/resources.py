"""Where the tool's own files are: the schema, the migrations and the built-in mappings.

A wheel carries them inside the package (``cutover/_bundled/``, see pyproject.toml); a
source checkout or an editable install finds them at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Return the folder of a bundled resource: ``schemas``, ``migrations``, ``mappings`` or ``sample_data``."""
    bundled = _PACKAGE_DIR / "_bundled" / name
    if bundled.is_dir():
        return bundled
    return _PACKAGE_DIR.parent / name
