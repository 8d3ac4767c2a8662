"""The block explorer: server-rendered pages (Jinja2) at /explorer, kept live over the events."""
