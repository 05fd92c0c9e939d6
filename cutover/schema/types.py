"""Column types that keep numbers exact on every database."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Numeric, String
from sqlalchemy.types import TypeDecorator


class ExactDecimal(TypeDecorator):
    """An exact decimal: NUMERIC(p, s) on servers, canonical text on SQLite.

    SQLite has no exact decimal: its NUMERIC stores REAL and sums drift
    (see shared/PITFALLS.md). There the value is stored as text with exactly
    ``scale`` digits after the point, which round-trips exactly.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int):
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.precision = precision
        self.scale = scale

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(self.precision + 2))
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        exact = value if isinstance(value, Decimal) else Decimal(str(value))
        if dialect.name == "sqlite":
            return f"{exact:.{self.scale}f}"
        return exact

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(str(value))

    def __repr__(self) -> str:
        return f"ExactDecimal(precision={self.precision}, scale={self.scale})"
