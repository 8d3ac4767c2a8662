"""Operator routes: health, Prometheus metrics, request ids and the API's own documentation."""
