"""cutover: move a utility billing customer base from a legacy system into a new one."""

__version__ = "0.1.0"
