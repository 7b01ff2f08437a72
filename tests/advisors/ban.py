"""A local stand-in for the Base Adresse Nationale's geocoder, so that tests never leave the
machine: ``GET /search/?q=…&citycode=…&limit=1`` answers the BAN API's GeoJSON (a
FeatureCollection; each feature's geometry.coordinates are [longitude, latitude], its
properties carry label, score, citycode and type) for the addresses of
``data/ban_addresses.json``, and an empty collection for any other. It can be stopped and
started again on the same port, to play the geocoder going away and coming back."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ADDRESSES = json.loads((Path(__file__).parent / "data" / "ban_addresses.json").read_text())


def _key(text):
    return " ".join(str(text).lower().split())


def feature(entry):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [entry["lon"], entry["lat"]]},
        "properties": {"label": entry["label"], "score": entry["score"],
                       "citycode": entry["citycode"], "type": entry["type"],
                       "id": f"{entry['citycode']}_x", "name": entry["q"]},
    }


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        self.server.requests.append(self.path)
        if url.path != "/search/" or not query.get("q"):
            self.send_response(400)
            self.end_headers()
            return
        wanted, citycode = _key(query["q"][0]), query.get("citycode", [""])[0]
        limit = int(query.get("limit", ["5"])[0])
        found = [feature(e) for e in ADDRESSES
                 if _key(e["q"]) == wanted and (not citycode or e["citycode"] == citycode)]
        body = json.dumps({"type": "FeatureCollection", "version": "draft",
                           "features": found[:limit], "attribution": "BAN",
                           "licence": "ETALAB-2.0", "query": query["q"][0],
                           "limit": limit}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Geocoder:
    """The server, on 127.0.0.1 at a port kept across ``stop()`` and ``start()``."""

    def __init__(self):
        self.port = 0
        self.server = None
        self.requests = []

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.requests = self.requests
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
