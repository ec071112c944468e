"""Adapters: PostgreSQL (SQLAlchemy), the embedded server, the embedding model, settings."""
