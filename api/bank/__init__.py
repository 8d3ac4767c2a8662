"""The CCash-compatible bank API (v1 and v2 paths), served on the node's port."""
