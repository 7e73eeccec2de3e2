"""Wiring by feature: each module builds one feature from its settings section.

Every feature has a `build_<feature>(section, ...)` that takes its own settings section, the
stores it shares (from `build_storage`), the clock, and the facades of the features it uses,
and returns the facade its routes and commands use. Each store is built once, in
`build_storage` when several features share it, else in the one feature that owns it.
`services/bootstrap.py` only composes them, in this order:

    storage.py          the database and the stores several features share
    ingest.py           imports, live ingest, dumps (and the one HTTP client)
    search.py           the search engine, search, embeddings, keyphrases
    community.py        accounts, sessions, votes, submissions, comments, collections
    recommendations.py  For you, 👍/👎, followed authors and categories
    mail.py             the mailer, subscriptions, digests, Atom feeds, digest 👍/👎 links
    background.py       the scheduler and the job queue, with their recurring tasks
"""
