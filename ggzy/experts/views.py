"""Pages of the expert pool."""
