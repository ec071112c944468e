"""The Kairos browser app (Streamlit): thin pages over pkm_core use cases."""
