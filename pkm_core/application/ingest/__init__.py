"""Import: readers (infrastructure) hand over raw entries; here they are parsed
(`parse_markdown`, `parse_record`), planned (`plan`: names, titles, links) and written in
batches (`pipeline`). The entry point is `pkm_core.application.use_cases.ingest`."""
