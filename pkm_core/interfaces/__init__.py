"""The consumers of the core for other programs: the MCP server and the REST API (async
Unit of Work), and the read commands of the `kairos` command line (sync)."""
