"""All SQL lives here: tables, migrations, and stores that return domain objects."""
