"""Small parsers for values that arrive in addresses and forms, so that hostile input
(other digits than 0-9, numbers beyond what a database column holds, NUL bytes) is
refused as input instead of failing in the database."""

# The largest id a 64-bit integer column holds (SQLite and PostgreSQL bigint).
MAX_ID = 2**63 - 1


def parse_id(raw: object) -> int | None:
    """A positive id written with ASCII digits 0-9 that fits a database column, else None.

    ``str.isdigit`` is true for "²" and "①", which ``int`` refuses; ids beyond 64 bits
    overflow SQLite's integers."""
    if not isinstance(raw, str):
        return None
    raw = raw.strip()
    if not raw or len(raw) > 19 or not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def has_nul(value: str) -> bool:
    """Whether a value carries a NUL byte, which PostgreSQL cannot store or compare."""
    return "\x00" in value
