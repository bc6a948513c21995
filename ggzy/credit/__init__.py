"""信用 — credit records (versioned, never edited), their restrictions, and the checks trading calls."""
