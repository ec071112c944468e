"""The embedded server's memory settings, sized from the machine's RAM."""

from __future__ import annotations

from pkm_core.infrastructure.embedded_postgres import server_settings

GIB = 2**30


def test_a_small_machine_keeps_postgresqls_default_shared_buffers() -> None:
    assert server_settings(1 * GIB)["shared_buffers"] == "128MB"


def test_shared_buffers_is_a_sixteenth_of_the_ram_between_the_bounds() -> None:
    assert server_settings(8 * GIB)["shared_buffers"] == "512MB"


def test_shared_buffers_never_exceeds_one_gibibyte_on_a_large_machine() -> None:
    assert server_settings(64 * GIB)["shared_buffers"] == "1024MB"


def test_the_planner_is_told_half_the_ram_is_cache() -> None:
    assert server_settings(8 * GIB)["effective_cache_size"] == "4096MB"
