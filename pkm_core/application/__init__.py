"""Use cases and the ports (interfaces) they need; no SQL, no streamlit."""
