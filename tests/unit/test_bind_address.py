"""Only loopback addresses are served unless KAIROS_ALLOW_REMOTE=1."""

from __future__ import annotations

import pytest

from pkm_core.infrastructure.network import check_bind_address, is_loopback
from pkm_core.infrastructure.settings import SettingsError


@pytest.mark.parametrize("address", ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"])
def test_loopback_addresses_are_served(address: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KAIROS_ALLOW_REMOTE", raising=False)
    assert is_loopback(address)
    check_bind_address(address)


@pytest.mark.parametrize("address", ["0.0.0.0", "::", "", None, "10.0.0.2", "example.org"])
def test_other_addresses_are_refused_with_one_sentence(
    address: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KAIROS_ALLOW_REMOTE", raising=False)
    with pytest.raises(SettingsError, match=r"set KAIROS_ALLOW_REMOTE=1 if you really mean it\."):
        check_bind_address(address)


@pytest.mark.parametrize("value", ["true", "yes", "0", ""])
def test_only_the_exact_opt_in_allows_a_remote_address(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAIROS_ALLOW_REMOTE", value)
    with pytest.raises(SettingsError):
        check_bind_address("0.0.0.0")


def test_the_explicit_opt_in_allows_a_remote_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAIROS_ALLOW_REMOTE", "1")
    check_bind_address("0.0.0.0")
