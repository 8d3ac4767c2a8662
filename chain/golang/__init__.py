"""Go compatibility, once: the byte-exact Go behaviours hashes, API answers and contracts share."""
