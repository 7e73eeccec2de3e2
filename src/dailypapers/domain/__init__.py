"""Plain dataclasses and pure functions: no SQL, HTTP, clock reads or settings lookups."""
