from urllib.parse import urlsplit


def origin_of(url):
    """``scheme://host`` of a URL or URL template (Leaflet's ``{s}`` subdomains become ``*``),
    or None for a relative or empty one: what a Content-Security-Policy source lists."""
    parts = urlsplit(url or "")
    if not (parts.scheme and parts.netloc):
        return None
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"
