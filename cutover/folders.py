"""Where a source file may be: inside the project's source folder, or a folder the project lets in.

A mapping names its files relative to ``[project] source_dir``, but nothing stops it writing
``file = "../../../etc/passwd"``, an absolute path, or a name that is a symbolic link to
``/etc/shadow``. Every source file is therefore resolved (symbolic links followed) and read
only if it lies inside the source folder, or inside one of the folders
``[sources] allow_outside`` in cutover.toml names. The check comes before anything is read or
even looked up, so a refused name tells nothing about the file it points at.

The folders let in travel with the source folder itself: :class:`SourceFolder` is the path of
``source_dir`` carrying them, so every extractor, which is handed the source folder, sees them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from cutover.errors import ConfigError

# PosixPath or WindowsPath: Python 3.11 cannot subclass Path itself.
_ConcretePath = type(Path())


class SourceFolder(_ConcretePath):
    """The project's source folder, and the folders outside it sources may be read from.

    It is a path like any other (``source_dir / "LIC.DBF"``); paths made from it are plain
    paths and let nothing in.

    Examples
    --------
    >>> folder = SourceFolder.of(Path("/x/legacy"), [Path("/mnt/export")])
    >>> folder == Path("/x/legacy"), folder.allowed_outside
    (True, (PosixPath('/mnt/export'),))
    """

    allowed_outside: tuple[Path, ...] = ()

    @classmethod
    def of(cls, folder: Path, allowed_outside: Iterable[Path] = ()) -> SourceFolder:
        """``folder``, letting in ``allowed_outside`` (each resolved, symbolic links followed)."""
        made = cls(folder)
        made.allowed_outside = tuple(Path(other).resolve() for other in allowed_outside)
        return made

    def with_segments(self, *segments) -> Path:  # Python 3.12+: a path made from this one is a plain path
        return Path(*segments)

    def __reduce__(self):  # a copy or a pickle keeps the folders let in
        return SourceFolder.of, (str(self), self.allowed_outside)


def confined(source_dir: Path, name: str) -> Path:
    """The file ``name`` of a source, resolved, once it is known to lie where sources may be.

    Parameters
    ----------
    source_dir
        The project's source folder (a :class:`SourceFolder` also names the folders outside it
        the project lets in; a plain path lets in none).
    name
        The source's ``file`` as system.toml spells it: relative to ``source_dir``, or absolute.

    Raises
    ------
    ConfigError
        The file resolves outside the source folder and every folder let in (exit code 2),
        naming the setting, where it leads and how to let it in.
    """
    allowed = getattr(source_dir, "allowed_outside", ())
    root = Path(source_dir).resolve()
    resolved = (root / name).resolve()
    if resolved.is_relative_to(root) or any(resolved.is_relative_to(folder) for folder in allowed):
        return resolved
    let_in = f" or in the folders [sources] allow_outside lets in ({', '.join(str(f) for f in allowed)})" \
        if allowed else ""
    raise ConfigError(
        f"file = {name!r} in the mapping's system.toml resolves to {resolved}, outside the source folder {root} "
        f"([project] source_dir){let_in}; put the file in the source folder, or let its folder in with "
        f"[sources] allow_outside = [\"{resolved.parent}\"] in cutover.toml"
    )
