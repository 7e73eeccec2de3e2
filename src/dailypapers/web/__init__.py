"""Server-rendered HTML pages (Jinja2), each with a JSON twin, and the static files."""
