"""The log: what a run did and how long each stage took, for a post-mortem (stdlib ``logging``,
logger ``cutover``).

Every dry run writes ``run.log`` in its report folder; ``--log-file`` adds a file of the
operator's choosing (all commands), and ``--log-format json`` writes one JSON object a line for
log shippers. A log names stages, counts, run ids and verdicts, never a value of the data (names,
addresses, amounts) and never a password: an error's message, which may quote a value, stays in
the journal and summary.json.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOGGER = "cutover"
FORMATS = ("text", "json")


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps({"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "level": record.levelname,
                           "logger": record.name, "message": record.getMessage()}, ensure_ascii=False)


_format = "text"


def _formatter() -> logging.Formatter:
    if _format == "json":
        return JsonLines()
    return logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S")


def configure(log_file: Path | None, log_format: str = "text") -> logging.Handler | None:
    """The command's logging: ``log_file`` (if given) gets every record of the ``cutover`` logger;
    the handler, for :func:`close` when the command ends."""
    global _format
    _format = log_format
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.INFO)
    if log_file is None:
        return None
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(_formatter())
    logger.addHandler(handler)
    return handler


def close(handler: logging.Handler | None) -> None:
    """The command is over: its log file is closed."""
    if handler is not None:
        logging.getLogger(LOGGER).removeHandler(handler)
        handler.close()


@contextmanager
def run_log(report_dir: Path) -> Iterator[Path]:
    """``report_dir/run.log`` gets the ``cutover`` logger's records while the run lasts."""
    logger = logging.getLogger(LOGGER)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)
    report_dir.mkdir(parents=True, exist_ok=True)
    path = report_dir / "run.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(_formatter())
    logger.addHandler(handler)
    try:
        yield path
    finally:
        logger.removeHandler(handler)
        handler.close()
