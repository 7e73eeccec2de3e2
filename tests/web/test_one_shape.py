"""One shape per object: a search hit, a vote and a comment have the same keys wherever the
site gives them out (a page's JSON twin, a form's JSON answer, the API, the CLI's --json).
Hugging Face's shape (`/api/papers/...`, `/api/daily_papers`) is the one deliberate second
shape and is not compared here."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient

from dailypapers.cli import cli
from dailypapers.services.bootstrap import Services
from tests.web.conftest import MakeClient
from tests.web.support import hf_row, write_jsonl

QUERY = "chain-of-thought rationale distillation"
PAPER = "2608.00001"
CHEAP_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_cost_kib": 8, "argon2_parallelism": 1}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_a_search_hit_has_one_shape_on_the_page_the_api_and_the_cli(
    demo_client: TestClient, demo_services: Services
) -> None:
    page = demo_client.get("/search", params={"q": QUERY, "limit": 3, "format": "json"}).json()
    api = demo_client.get("/api/search", params={"q": QUERY, "limit": 3}).json()
    data_dir = str(demo_services.settings.data_dir)
    run = CliRunner().invoke(
        cli, ["--data-dir", data_dir, "search", QUERY, "--limit", "3", "--json"]
    )
    assert run.exit_code == 0, run.output
    printed = json.loads(run.stdout)

    hits = {"page": page["items"], "api": api["hits"], "cli": printed["hits"]}
    assert all(len(found) == 3 for found in hits.values())
    first = {where: found[0] for where, found in hits.items()}
    assert first["page"].keys() == first["api"].keys() == first["cli"].keys()
    assert first["page"]["rationale"] == first["api"]["rationale"] == first["cli"]["rationale"]
    assert [h["id"] for h in hits["page"]] == [h["id"] for h in hits["api"]]
    assert [h["id"] for h in hits["api"]] == [h["id"] for h in hits["cli"]]
    assert isinstance(first["cli"]["rationale"]["sentence_text"], str)  # text, as on the page


def test_a_vote_and_a_comment_have_one_shape_in_forms_and_the_api(
    tmp_path: Path, make_client: MakeClient
) -> None:
    papers = write_jsonl(tmp_path / "p.jsonl.gz", [hf_row(PAPER, "2026-08-21", upvotes=5)])
    client, services = make_client(papers, **CHEAP_ARGON2)
    user = services.community.accounts.create_user(
        "ada", "ada@example.org", "x" * 12, verified=True
    )
    secret, _ = services.community.auth.create_api_token(user, "test")
    bearer = {"authorization": f"Bearer {secret}"}
    token = _CSRF.search(client.get("/signup").text)
    assert token
    signed = client.post(
        "/login", data={"login": "ada", "password": "x" * 12, "csrf_token": token[1]}
    )
    assert signed.status_code in (200, 303)
    token = _CSRF.search(client.get("/settings").text)
    assert token
    as_script = {"x-csrf-token": token[1], "accept": "application/json"}

    form_vote = client.post(f"/papers/{PAPER}/upvote", data={"vote": "1"}, headers=as_script)
    api_vote = client.post(f"/api/papers/{PAPER}/upvote", headers=bearer)
    page = client.get(f"/papers/{PAPER}", params={"format": "json"}).json()
    assert form_vote.json() == api_vote.json() == page["community"]["votes"]
    assert api_vote.json()["upvoted"] is True and api_vote.json()["local_upvotes"] == 1

    form_comment = client.post(
        f"/papers/{PAPER}/comments", data={"body": "From the *form*"}, headers=as_script
    ).json()
    api_comment = client.post(
        f"/api/papers/{PAPER}/comments", json={"comment": "From the *API*"}, headers=bearer
    ).json()
    page = client.get(f"/papers/{PAPER}", params={"format": "json"}).json()
    listed = client.get(f"/api/papers/{PAPER}/comments").json()
    shaped = [form_comment, api_comment, page["community"]["threads"][0], listed[0]]
    assert all(c.keys() - {"replies"} == form_comment.keys() for c in shaped)
    assert [c["body"] for c in listed] == ["From the *form*", "From the *API*"]
    assert form_comment["author"] == api_comment["author"] == "ada"
