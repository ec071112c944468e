"""PostgreSQL persistence: ORM models, repositories, the two Units of Work, migrations."""
