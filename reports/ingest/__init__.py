"""Source files in: document parsing and import, the GTD codebook and import, bulk
writing, backup and restore."""
