"""Everything a headless user or a test needs. Nothing in here imports Qt."""
