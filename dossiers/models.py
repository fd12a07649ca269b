"""Models of the dossiers app; filled in by its own issue."""
