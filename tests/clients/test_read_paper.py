"""`HfApi.read_paper(id)`: the paper as Markdown, as Hugging Face's client reads it."""

from __future__ import annotations

import httpx
import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

from tests.clients.conftest import Live


def test_read_paper_returns_the_paper_as_markdown(live: Live) -> None:
    text = HfApi(endpoint=live.base_url).read_paper("2507.17744")

    assert text.startswith("# Yume: An Interactive World Generation Model\n")
    assert "Xiaofeng Mao, Shaoheng Lin" in text
    assert "[2507.17744](https://arxiv.org/abs/2507.17744)" in text
    assert "(https://github.com/stdstu12/YUME)" in text
    assert "(https://stdstu12.github.io/YUME-Project/)" in text
    assert "## Abstract\n\nYume aims to use images" in text
    assert "## AI summary\n\nA framework for generating" in text
    assert "Masked Video Diffusion Transformer" in text.split("## Keywords")[1]


def test_read_paper_of_an_unknown_paper_raises_not_found(live: Live) -> None:
    with pytest.raises(HfHubHTTPError) as caught:
        HfApi(endpoint=live.base_url).read_paper("2101.00001")
    assert caught.value.response.status_code == 404


def test_paper_page_answers_accept_markdown_with_the_same_document(live: Live) -> None:
    markdown = httpx.get(f"{live.base_url}/papers/2507.17744.md", timeout=10)
    negotiated = httpx.get(
        f"{live.base_url}/papers/2507.17744", headers={"Accept": "text/markdown"}, timeout=10
    )
    browser = httpx.get(
        f"{live.base_url}/papers/2507.17744",
        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
        timeout=10,
    )

    assert markdown.headers["content-type"] == "text/markdown; charset=utf-8"
    assert negotiated.headers["content-type"] == "text/markdown; charset=utf-8"
    assert negotiated.text == markdown.text
    assert browser.headers["content-type"].startswith("text/html")


def test_markdown_accepts_a_versioned_id(live: Live) -> None:
    response = httpx.get(f"{live.base_url}/papers/2507.17744v1.md", timeout=10)

    assert response.status_code == 200
    assert response.text.startswith("# Yume")
