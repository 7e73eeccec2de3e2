"""Every HTML page's JSON twin holds every value the page shows (DESIGN: "Everything a page
shows is also available as JSON"; STYLE: "How a page is made").

One parametrised test walks every HTML page of the site, logged out and logged in (a user
who upvoted a paper, commented on it, got a reply and keeps it in a public collection), on
the demo data. For each page it takes the words the page shows in `<body>` (text, and the
values of visible form fields) and removes the words the templates write themselves (their
literal text and the quoted strings in their tags). Every word left came from data, so it
must be in the JSON twin: among the words of its values, or of those values as the
templates' filters write them (dates as "Friday, 21 August 2026", counts as "1,234" or
"1.2k", authors shortened with "et al."). A page that shows something its JSON lacks (a
template that fetches data itself, a context variable outside the view model) fails here,
naming the page and the words.

The site's name (a setting, written by the header and footer of every page) is the page's
frame rather than its content, and is not asked of the twins; an error's twin is the error.
The check is by word, so it can miss a value whose words all happen to appear elsewhere in
the twin (a small number, a common word); it can't wrongly fail a page whose twin is whole.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from dailypapers.app import create_app
from dailypapers.config import Settings
from dailypapers.domain.digests import DigestPrefs, FeedbackLink
from dailypapers.mail.messages import TEMPLATES_DIR as MAIL_TEMPLATES_DIR
from dailypapers.services.bootstrap import Services, bootstrap
from dailypapers.services.tokens import hash_token
from dailypapers.web.rendering import (
    TEMPLATES_DIR,
    compact_number,
    long_day,
    short_authors,
    short_day,
    thousands,
)
from tests.databases import demo_at, sqlite_copy
from tests.web.support import FIXED_NOW, fixed_clock

PAPER = "2608.19880"  # the top paper of the demo's last day
OTHER = "2608.18580"
MATH_PAPER = "2606.02641"  # its abstract holds a formula, \(B_j(s) = ...α_j^{\max}(s)\)
PASSWORD = "correct horse battery"
CHEAP_ARGON2 = {"argon2_time_cost": 1, "argon2_memory_cost_kib": 8, "argon2_parallelism": 1}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_WORD = re.compile(r"[^\W_]+")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


# --- what a page shows ---------------------------------------------------------------------
class _Shown(HTMLParser):
    """The text in `<body>` (or another element) and the values of its visible form fields."""

    _HIDDEN_TAGS = frozenset({"script", "style", "template"})
    _SHOWN_INPUTS = frozenset({"text", "search", "email", "date", "number", "url", ""})

    def __init__(self, within: str) -> None:
        super().__init__(convert_charrefs=True)
        self.within = within
        self.depth = 0  # inside `within`
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == self.within:
            self.depth += 1
        if tag in self._HIDDEN_TAGS:
            self.hidden += 1
        if self.depth and tag == "input":
            fields = dict(attrs)
            if (fields.get("type") or "").lower() in self._SHOWN_INPUTS and fields.get("value"):
                self.parts.append(fields["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == self.within:
            self.depth -= 1
        if tag in self._HIDDEN_TAGS:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.hidden:
            self.parts.append(data)


def shown_words(html: str, within: str = "body") -> set[str]:
    parser = _Shown(within)
    parser.feed(html)
    return words(" ".join(parser.parts))


def words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


# --- what the templates write themselves ---------------------------------------------------
_TAG = re.compile(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", re.S)
_QUOTED = re.compile(r"\"([^\"]*)\"|'([^']*)'")


def template_words() -> set[str]:
    """The words of the templates' literal text and of the quoted strings in their tags (the
    site's, and the mail's: the digest preview page shows a digest as it is mailed)."""
    found: set[str] = set()
    for path in [*TEMPLATES_DIR.rglob("*.html"), *MAIL_TEMPLATES_DIR.rglob("*.html")]:
        source = path.read_text()
        for tag in _TAG.findall(source):
            if not tag.startswith("{#"):
                for a, b in _QUOTED.findall(tag):
                    found |= words(a or b)
        found |= words(_TAG.sub(" ", source))
    return found


# --- what the JSON twin holds --------------------------------------------------------------
def _renderings(value: Any) -> Iterator[str]:
    """A value, and the value as each template filter that applies to it writes it."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int):
        yield from (str(value), thousands(value), compact_number(value), f"{value:02d}")
    elif isinstance(value, float):
        yield from (str(value), f"{value:.2f}")
    elif isinstance(value, str):
        yield value
        if _ISO_DAY.match(value):
            with contextlib.suppress(ValueError):
                yield from (long_day(value), short_day(value))


def twin_words(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for item in value.values():
            found |= twin_words(item)
    elif isinstance(value, list):
        if value and all(isinstance(v, str) for v in value):
            found |= words(short_authors(value))
        for item in value:
            found |= twin_words(item)
    else:
        for text in _renderings(value):
            found |= words(text)
    return found


def missing_from_twin(client: TestClient, path: str) -> tuple[set[str], int]:
    """The words page `path` shows that its JSON twin lacks, and the page's status."""
    page = client.get(path, headers={"accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html"), path
    twin = client.get(path, headers={"accept": "application/json"})
    assert twin.headers["content-type"].startswith("application/json"), path
    assert twin.status_code == page.status_code, path
    # An error's twin is `{"error": {"code", "message"}}` with the same HTTP status: it
    # answers for the error (in <main>), not for the page around it (the header's viewer).
    held = twin_words(twin.json()) | {str(twin.status_code)}
    shown = shown_words(page.text, "main" if page.status_code >= 400 else "body")
    return shown - TEMPLATE_WORDS - held, page.status_code


TEMPLATE_WORDS = template_words()


# --- the site, with a community on it ------------------------------------------------------
def _csrf(client: TestClient, path: str) -> str:
    found = _CSRF.search(client.get(path).text)
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def _sign_up(client: TestClient, username: str) -> None:
    data = {"username": username, "email": f"{username}@example.org", "password": PASSWORD}
    response = client.post("/signup", data={**data, "csrf_token": _csrf(client, "/signup")})
    assert response.status_code == 200, response.text
    login = {"login": username, "password": PASSWORD, "csrf_token": _csrf(client, "/login")}
    response = client.post("/login", data=login, follow_redirects=False)
    assert response.status_code == 303, response.text


class Site:
    def __init__(self, services: Services, data_dir: Path) -> None:
        self.services = services
        self.data_dir = data_dir
        self.paths: dict[str, str] = {}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data_dir = tmp_path_factory.mktemp("twins")
    url = sqlite_copy(data_dir / "dailypapers.db", demo_at(FIXED_NOW))
    settings = Settings(data_dir=data_dir, database_url=url, **CHEAP_ARGON2)
    services = bootstrap(settings, clock=fixed_clock)
    services.upgrade_schema()
    app = create_app(services)
    site = Site(services, data_dir)
    with TestClient(app) as ada, TestClient(app) as bob:
        _sign_up(ada, "ada")
        _sign_up(bob, "bob")
        services.community.accounts.set_admin("ada", True)
        token = _csrf(ada, "/settings")
        ada.post(f"/papers/{PAPER}/upvote", data={"vote": "1", "csrf_token": token})
        ada.post(
            f"/papers/{PAPER}/comments",
            data={"body": "The *ablation* in section 4 settles it.", "csrf_token": token},
        )
        comment = services.community.comments.threads(PAPER)[0].comment
        bob_token = _csrf(bob, "/settings")
        bob.post(
            f"/papers/{PAPER}/comments",
            data={
                "body": "Agreed, zebrafish included.",
                "parent_id": str(comment.id),
                "csrf_token": bob_token,
            },
        )
        ada.post(
            "/collections",
            data={
                "name": "Reading group",
                "description": "Thursdays",
                "public": "1",
                "arxiv_id": PAPER,
                "csrf_token": token,
            },
        )
        collection = services.community.collections.of_user(
            services.community.accounts.user("ada"), None
        )[0]
        services.recommendations.follow(
            services.community.accounts.user("ada"), services.papers.get(OTHER).authors[0], True
        )
        store = services.subscriptions.store
        store.insert_active(["reader@example.org"], DigestPrefs(), now=LONG_AGO)
        for purpose, raw in (("manage", "m"), ("unsubscribe", "u"), ("confirm", "c")):
            store.add_token(1, hash_token(raw * 43), purpose, now=LONG_AGO)
        ada_id = services.community.accounts.user("ada").id
        far = datetime(2100, 1, 1, tzinfo=UTC)
        services.feedback_links.store.add(
            [FeedbackLink(hash_token("f" * 43), ada_id, PAPER, -1, far)], now=LONG_AGO
        )
        site.paths = {
            "collection": f"/collections/{collection.id}",
            "comment_edit": f"/comments/{comment.id}/edit",
            "author": "/authors/" + quote(services.papers.get(PAPER).authors[0]),
        }
        yield site
    services.close()


@pytest.fixture(scope="module")
def clients(site: Site) -> Iterator[dict[str, TestClient]]:
    app = create_app(site.services)
    with TestClient(app) as visitor, TestClient(app) as ada:
        response = ada.post(
            "/login",
            data={"login": "ada", "password": PASSWORD, "csrf_token": _csrf(ada, "/login")},
        )
        assert response.status_code in (200, 303)
        yield {"logged out": visitor, "logged in": ada}


PUBLIC_PAGES = [
    "/",
    "/?sort=published&p=1&limit=5",
    "/date/2026-08-21",
    "/date/2026-08-16",  # a Sunday: no papers
    "/week/2026-W34",
    "/month/2026-08",
    "/trending",
    f"/papers/{PAPER}",
    f"/papers/{OTHER}",
    f"/papers/{MATH_PAPER}",
    "/about",
    "/search",
    "/search?q=chain-of-thought+rationale+distillation",
    "/search?q=diffusion&mode=keyword&sort=upvotes&has_code=1",
    "/search?q=zzzzqqqq&mode=keyword",
    "/u/ada",
    "/for-you",
    "{author}",
    "{collection}",
    "/login",
    "/signup",
    "/forgot-password",
    "/reset-password/" + "x" * 43,
    "/verify-email/" + "x" * 43,
    "/unlock-login",
    "/unlock-login/" + "x" * 43,
    "/subscribe",
    "/subscribe?q=sparse+attention",
    "/subscribe/confirm/" + "c" * 43,
    "/subscriptions/" + "m" * 43,
    "/unsubscribe/" + "u" * 43,
    "/digest/preview",
    "/digest/preview?token=" + "m" * 43,
    f"/digest/feedback/down/{'f' * 43}?paper={PAPER}",
    f"/digest/feedback/up/{'f' * 43}?paper={PAPER}",  # the 👎 token as 👍: refused
    "/papers/2608.99999",  # not found: the error page and its JSON error
    "/date/2026-13-45",  # a bad date: 400
]
VIEWER_PAGES = [
    "/collections",
    "/settings",
    "/submit",
    "{comment_edit}",
    "/admin",
    "/for-you/learned",
]


@pytest.mark.parametrize(
    ("who", "path"),
    [("logged out", p) for p in PUBLIC_PAGES]
    + [("logged in", p) for p in PUBLIC_PAGES + VIEWER_PAGES],
)
def test_every_value_a_page_shows_is_in_its_json_twin(
    site: Site, clients: dict[str, TestClient], who: str, path: str
) -> None:
    path = path.format(**site.paths)
    missing, status = missing_from_twin(clients[who], path)
    assert status < 500
    assert not missing, f"{path} ({who}) shows words its JSON twin lacks: {sorted(missing)}"


def test_the_paper_page_twin_has_the_community_block(
    site: Site, clients: dict[str, TestClient]
) -> None:
    """What the templates used to fetch themselves: the viewer's vote, the discussion, the
    viewer's collections."""
    view = clients["logged in"].get(f"/papers/{PAPER}", params={"format": "json"}).json()
    community = view["community"]
    assert view["upvoted"] is True and community["votes"]["upvoted"] is True
    assert community["votes"]["local_upvotes"] == 1
    [thread] = community["threads"]
    assert thread["author"] == "ada" and thread["mine"] is True
    assert [r["author"] for r in thread["replies"]] == ["bob"]
    assert [c["name"] for c in community["collections"]] == ["Reading group"]
    assert community["collections"][0]["contains"] is True
    assert view["viewer"]["username"] == "ada"
    outside = clients["logged out"].get(f"/papers/{PAPER}", params={"format": "json"}).json()
    assert outside["viewer"] is None and outside["community"]["votes"]["upvoted"] is False
    assert outside["community"]["collections"] == []


def test_list_items_say_whether_the_viewer_upvoted_them(clients: dict[str, TestClient]) -> None:
    for path in ("/date/2026-08-21", "/search?q=EnvHarness+static+worlds+agent+learning"):
        twin = clients["logged in"].get(path, headers={"accept": "application/json"})
        items = twin.json()["items"]
        assert {i["id"]: i["upvoted"] for i in items}.get(PAPER) is True, path
        others = [i["upvoted"] for i in items if i["id"] != PAPER]
        assert not any(others), path


def test_a_logged_out_page_without_forms_starts_no_session(
    clients: dict[str, TestClient],
) -> None:
    """The CSRF token is prepared by the route, and only a page with forms for logged-out
    visitors starts a session for them: rendering a page writes nothing."""
    fresh = TestClient(clients["logged out"].app)
    assert "set-cookie" not in fresh.get(f"/papers/{PAPER}").headers
    assert "set-cookie" not in fresh.get("/").headers
    assert "set-cookie" in fresh.get("/login").headers
