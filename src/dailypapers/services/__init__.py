"""Use cases: the only thing web, api and cli call. Each feature is wired by its
`build_<feature>` in `services/wiring/`; `bootstrap` composes them."""
