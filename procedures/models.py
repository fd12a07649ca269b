"""Models of the procedures app; filled in by its own issue."""
