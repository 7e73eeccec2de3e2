"""Where the web pages, the API routes and the form actions find the use cases.

`create_app(services)` keeps what `bootstrap` built in `app.state.services`; `services_of`
is the one way a route reaches it (web and api may not import each other, and both may
import services). It reads the request duck-typed, so this layer stays free of HTTP types.
"""

from __future__ import annotations

from typing import Any

from dailypapers.services.bootstrap import Services


def services_of(request: Any) -> Services:
    """The Services of the app this request came to."""
    return request.app.state.services
