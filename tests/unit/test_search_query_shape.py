"""Query shapes for query-aware fusion (search/query_shape.py)."""

from __future__ import annotations

import pytest

from dailypapers.domain.search import parse_query
from dailypapers.search.query_shape import query_shape


@pytest.mark.parametrize(
    ("query", "shape"),
    [
        ("speculative decoding", "short"),
        ("test-time scaling", "short"),
        ("diffusion transformer video generation temporal consistency", "keywords"),
        ("large language models text embeddings unembedding matrix", "keywords"),
        ("Scaling laws for neural language models", "sentence"),
        ("vitamin D deficiency is linked to depression in adults", "sentence"),
        ('"video generation" temporal consistency benchmark', "sentence"),
        ("video generation temporal consistency -gan", "sentence"),
        ("Cold exposure increases BAT recruitment.", "sentence"),
        ("Testing automated information systems.", "sentence"),
        ("LOW PASS LATTICE FILTERS", "keywords"),
        ('"chain of thought"', "phrase"),
        ('"Chain-of-Thought reasoning"', "phrase"),
        ('"video diffusion" "world models"', "phrase"),
        ('"video diffusion" models', "short"),
        ('author:"Wei Wang"', "short"),
    ],
)
def test_query_shapes(query: str, shape: str) -> None:
    assert query_shape(query, parse_query(query), 3) == shape
