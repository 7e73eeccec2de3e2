"""Presenters: the one shape of each object the site shows, as plain JSON-ready dicts.

Routes assemble, presenters shape, templates only render (STYLE, "How a page is made"). A
page route loads everything its page shows through the services, hands the domain objects
(and the viewer's state: which papers they upvoted, which comments are theirs) to these pure
functions, and renders the result or returns it as the page's JSON twin. The CLI's `--json`,
the Atom feeds and the digest mails reuse the same functions, so a paper, a search hit, a
vote or a comment has the same keys wherever it appears.

One module per object:
    papers       a paper card (lists), a paper page, the links every paper has
    listing_items a paper as featured on a day (day/week/month/trending pages, profiles)
    search_hits  a search hit with its rationale (and its highlighted title and snippet)
    votes        a paper's vote state (the viewer's upvote, local and imported counts)
    comments     a comment, a discussion's threads
    collections  a collection (a reading list)
    users        the viewer and a user's profile
    digests      a paper in a digest mail
    atom_entries a paper as an Atom entry

Keys are snake_case. The Hugging Face-compatible shape (`api/hf_shape.py`, camelCase) is the
one deliberate second shape, for clients of HF's API.

Layering: presenters import only `domain`, `config` and `errors` (and markupsafe, to mark
escaped highlight HTML safe), so every outer layer (web, api, cli, services, mail) may use
them; import-linter checks it (pyproject.toml).
"""
