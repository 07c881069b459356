"""The local web page and HTTP API, served by the gateway itself (no CDN, no internet)."""
