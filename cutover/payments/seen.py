"""The payment ids already translated into a target, per agent: a registry sent twice is not paid twice.

Kept as a file in the project's reports folder, ``reports/payments/seen-<target>.tsv``, rather
than a table of the target: a table would be a new entity of the target schema and an Alembic
revision, and every dry run, month-end rollback and training copy would then have to know to
keep it; a file beside the reports the translations write is read and appended to by this
module alone. One file per target (``<target>``: a digest of the target's URL, password masked,
and of the first run of its journal), so rehearsing on a dry run's scratch target never marks a
payment seen for the production one, and a target made anew starts a new file.

One line per translated payment: agent, payment id, registry file, its SHA-256, when. Only
translated payments are recorded: a payment returned (say, to an unknown account) may come
back, corrected, with its id. The file is locked while a translation runs, so two translations
at once cannot both take the same payment.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from cutover.schema.tables import target_metadata
from cutover.target import db

FOLDER = "payments"


@dataclass(frozen=True)
class Seen:
    """Where a payment id was translated before."""

    registry: str
    at: str


def ledger_path(reports_dir: Path, target_url: str, connection: sa.Connection) -> Path:
    """The file of the payment ids translated into this target."""
    run = target_metadata().tables["run"]
    first = connection.execute(sa.select(run.c.run_id).order_by(run.c.started_at, run.c.run_id).limit(1)).scalar()
    digest = hashlib.sha256(f"{db.mask_url(target_url)}\n{first}".encode()).hexdigest()[:16]
    return reports_dir / FOLDER / f"seen-{digest}.tsv"


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the ledger's lock (a process waits for another's translation to end)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory lock; translations there run one at a time by hand
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _cell(text: str) -> str:
    """A value as the ledger's tab-separated lines hold it."""
    return text.replace("\t", " ").replace("\n", " ").replace("\r", " ")


def seen_before(path: Path, agent: str, payment_ids: set[str]) -> dict[str, Seen]:
    """Which of ``payment_ids`` of ``agent`` the ledger has, read line by line (only those kept)."""
    wanted = {_cell(payment_id): payment_id for payment_id in payment_ids}
    agent = _cell(agent)
    found: dict[str, Seen] = {}
    if not path.is_file():
        return found
    with path.open(encoding="utf-8") as ledger:
        for line in ledger:
            if line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 5 and parts[0] == agent and parts[1] in wanted and wanted[parts[1]] not in found:
                found[wanted[parts[1]]] = Seen(parts[2], parts[4])
    return found


def record(path: Path, target_url: str, agent: str, payment_ids: list[str], registry: Path, sha256: str) -> None:
    """Append the ids of ``agent``'s payments just translated from ``registry``."""
    new = not path.is_file()
    at = dt.datetime.now().isoformat(timespec="seconds")
    clean, agent = _cell(registry.name), _cell(agent)
    with path.open("a", encoding="utf-8", newline="\n") as ledger:
        if new:
            ledger.write(f"# payment ids translated into {db.mask_url(target_url)}: agent, payment id, registry, "
                         f"sha256, at\n")
        ledger.writelines(f"{agent}\t{_cell(payment_id)}\t{clean}\t{sha256}\t{at}\n" for payment_id in payment_ids)
        ledger.flush()
