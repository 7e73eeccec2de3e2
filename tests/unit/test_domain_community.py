"""The community's pure rules: names, comment markup, threads, who may contribute."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dailypapers.domain.community import (
    Comment,
    User,
    check_email,
    check_username,
    require_contributor,
    thread_comments,
)
from dailypapers.domain.markup import render_comment
from dailypapers.errors import BadRequest, Forbidden, Unauthorized

T = datetime(2026, 8, 21, tzinfo=UTC)


@pytest.mark.parametrize("name", ["al", "Alice_B", "x-1", "a" * 32, "0day"])
def test_usernames_people_pick_are_accepted(name: str) -> None:
    assert check_username(name) == name


@pytest.mark.parametrize("name", ["", "a", "_lead", "two words", "a" * 33, "ü", "a/b", "<b>"])
def test_usernames_that_would_break_urls_or_mentions_are_refused(name: str) -> None:
    with pytest.raises(BadRequest):
        check_username(name)


@pytest.mark.parametrize("email", ["a@b", "not an email", "a@b@c", "x" * 250 + "@b.co", ""])
def test_email_addresses_need_one_at_no_spaces_and_a_dotted_domain(email: str) -> None:
    with pytest.raises(BadRequest):
        check_email(email)


def test_an_account_address_keeps_its_case() -> None:
    assert check_email(" Ada.L@B.co ") == "Ada.L@B.co"


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("[x](javascript:alert(1))", 'href="javascript'),
        ("<a href='javascript:alert(1)'>x</a>", "<a href"),
        ("![pixel](https://tracker.example/p.png)", "<img"),
        ('<img src=x onerror="alert(1)">', "<img"),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", 'href="data'),
        ("# Heading", "<h1"),
        ('<div style="position:fixed">x</div>', "<div"),
    ],
)
def test_comment_markup_renders_nothing_that_runs_or_restyles_the_page(
    text: str, forbidden: str
) -> None:
    assert forbidden not in render_comment(text)


def test_comment_markup_keeps_the_useful_subset() -> None:
    html = render_comment("*a* **b** `c` ~~d~~\n\n> q\n\n- one\n- two\n\n[site](https://x.org)")
    for fragment in [
        "<em>a</em>",
        "<strong>b</strong>",
        "<code>c</code>",
        "<s>d</s>",
        "<blockquote>",
        "<li>one</li>",
    ]:
        assert fragment in html
    assert '<a href="https://x.org" rel="nofollow ugc noopener noreferrer">site</a>' in html


def _comment(id: int, parent: int | None = None, **flags: bool) -> Comment:
    return Comment(id, "2608.00001", 1, "alice", f"c{id}", T, parent_id=parent, **flags)


def test_threads_are_one_level_and_removed_comments_stay_only_as_placeholders() -> None:
    threads = thread_comments(
        [
            _comment(1),
            _comment(2, 1),
            _comment(3, deleted=True),
            _comment(4, 3),
            _comment(5, hidden=True),
            _comment(6, 1, deleted=True),
        ]
    )
    assert [(t.comment.id, [r.id for r in t.replies]) for t in threads] == [(1, [2]), (3, [4])]


def test_only_enabled_and_where_required_verified_users_contribute() -> None:
    user = User(1, "alice", "a@b")
    with pytest.raises(Unauthorized):
        require_contributor(None, verified_email_required=False)
    with pytest.raises(Forbidden):
        require_contributor(User(1, "a", "a@b", disabled=True), verified_email_required=False)
    with pytest.raises(Forbidden):
        require_contributor(user, verified_email_required=True)
    assert require_contributor(user, verified_email_required=False) is user
