"""One module per platform: URL_RE, NAME, parse(capture) -> Snapshot, profile_url(handle), handle_from_url(url)."""
