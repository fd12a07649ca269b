"""Models of the payments app; filled in by its own issue."""
