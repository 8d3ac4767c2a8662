"""Live events over WebSocket: new blocks, tx statuses and notification counts, Centrifugo-style."""
