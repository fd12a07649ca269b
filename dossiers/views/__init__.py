"""Views of the dossiers app, one module per side: filing (citizen, drafts) and citizen (following)."""
