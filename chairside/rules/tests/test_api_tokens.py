from __future__ import annotations

from chairside.rules.common.api_tokens import bearer, matches, new_token, parse_token, token_digest


class TestApiTokens:
    def test_a_new_token_reads_back_and_matches_only_its_digest(self) -> None:
        token = new_token()
        assert parse_token(token.text) == (token.prefix, token.secret)
        assert matches(token.secret, token.digest)
        assert not matches(token.secret + "x", token.digest)
        assert token.secret not in token.digest and len(token.digest) == 64
        assert new_token().text != token.text

    def test_text_that_is_not_a_token_is_refused(self) -> None:
        for text in ("", "cs_123_abc", "Bearer x", "cs_zzzzzzzz_" + "a" * 43, "xx_" + "0" * 60):
            assert parse_token(text) is None

    def test_it_reads_a_bearer_header(self) -> None:
        assert bearer("Bearer cs_abc") == "cs_abc"
        assert bearer("bearer   cs_abc ") == "cs_abc"
        assert bearer("Basic dXNlcg==") is None
        assert bearer("Bearer ") is None

    def test_the_digest_is_sha256_hex(self) -> None:
        assert token_digest("abc") == (
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        )
