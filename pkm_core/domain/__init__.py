"""Entities, value objects and domain errors. No I/O lives here."""
