"""Kairos core: everything that is not UI (domain, application, infrastructure)."""
