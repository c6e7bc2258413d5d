"""Schema revisions, oldest first: 0001 is the schema Tandem created before migrations existed."""
