"""Repository functions: every SQL statement of the node lives below this package."""
