"""The app listens on this machine only, unless the person explicitly allows otherwise.

Used by `kairos run` before it starts Streamlit and by the app itself at start-up (for a
plain `streamlit run` with some other configuration): a non-loopback address, or none
(every interface), is refused unless `KAIROS_ALLOW_REMOTE=1`.
"""

from __future__ import annotations

import ipaddress
import os

from pkm_core.infrastructure.settings import SettingsError

ALLOW_REMOTE = "KAIROS_ALLOW_REMOTE"
LOOPBACK = "127.0.0.1"


def is_loopback(address: str | None) -> bool:
    host = (address or "").strip().strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def remote_allowed() -> bool:
    return os.environ.get(ALLOW_REMOTE, "").strip() == "1"


def check_bind_address(address: str | None) -> None:
    """Raise SettingsError (one sentence) for an address other machines could reach."""
    if is_loopback(address) or remote_allowed():
        return
    shown = f"“{address}”" if address else "every network interface"
    raise SettingsError(
        f"Kairos refuses to listen on {shown}: other machines could read your notes. "
        f"Use {LOOPBACK}, or set {ALLOW_REMOTE}=1 if you really mean it."
    )
