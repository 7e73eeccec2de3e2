"""The data version moves with every visible write, in the writing transaction, on both
databases (the page cache's guarantee that nothing stale is served rests on it)."""

from __future__ import annotations

import gzip
from itertools import islice
from pathlib import Path

from dailypapers.services.bootstrap import Services


def test_imports_votes_and_comments_bump_the_data_version_and_reads_do_not(
    services: Services, shared_data: Path, tmp_path: Path
) -> None:
    source = shared_data / "hf_daily_papers" / "daily_papers.jsonl.gz"
    rows = tmp_path / "rows.jsonl"
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        rows.write_text("".join(islice(handle, 20)), encoding="utf-8")
    version = services.data_version.current
    start = version()
    services.imports.import_file(rows, "hf-daily")
    imported = version()
    assert imported > start

    paper = next(iter(services.search.search("model", mode="keyword", limit=1).hits)).paper
    assert version() == imported  # reads change nothing

    user = services.community.accounts.create_user(
        "carol", "carol@example.org", "correct horse battery", verified=True
    )
    signed_up = version()
    services.community.votes.set_vote(user, paper.arxiv_id, True)
    voted = version()
    assert voted > signed_up
    services.community.comments.add(user, paper.arxiv_id, "Nice result.")
    assert version() > voted
