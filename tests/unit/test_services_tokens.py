"""The token helper: what the database keeps of a random secret, and how secrets compare."""

from __future__ import annotations

from dailypapers.services.tokens import hash_token, new_token, same_token


def test_tokens_are_stored_as_sha256() -> None:
    assert hash_token("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_new_tokens_are_256_random_bits_and_never_repeat() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(len(token) == 43 for token in tokens)


def test_a_token_matches_only_itself() -> None:
    assert same_token("abc", "abc")
    assert not same_token("abc", "abd")
    assert not same_token("abc", "ab\udcff")  # undecodable input is a mismatch, not an error
