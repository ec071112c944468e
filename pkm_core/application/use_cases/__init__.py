"""Use cases: plain functions taking a Unit of Work; each opens exactly one `with uow:`."""
