"""A paper's vote state: the one shape the upvote button's script, the write API and the
paper page read. `upvoted` is the viewer's own vote; `upvotes` = `external_upvotes` (imported
from Hugging Face) + `local_upvotes` (cast here)."""

from __future__ import annotations

from typing import Any

from dailypapers.domain.community import VoteState


def vote_state(state: VoteState) -> dict[str, Any]:
    return {
        "id": state.arxiv_id,
        "upvoted": state.voted,
        "upvotes": state.upvotes,
        "local_upvotes": state.local_upvotes,
        "external_upvotes": state.external_upvotes,
    }
