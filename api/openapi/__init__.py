"""The OpenAPI 3.1 description of every route the node serves, and how it is assembled."""
