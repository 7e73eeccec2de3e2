"""dailypapers: a self-hostable Daily Papers service.

Layers (see DESIGN.md; enforced by import-linter):
cli -> app -> web | api -> services -> storage | search | ingest | mail -> domain -> config, errors
"""

__version__ = "0.1.0"
