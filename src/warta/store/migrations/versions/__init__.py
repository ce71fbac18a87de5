"""Migration scripts, oldest first (``r0001_...``)."""
