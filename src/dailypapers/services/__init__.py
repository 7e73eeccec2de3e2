"""Use cases: the only thing web, api and cli call. Wiring happens in `bootstrap`."""
