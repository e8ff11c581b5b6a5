#!/usr/bin/env python3
"""A Wharf webhook receiver: checks Wharf-Signature, refuses old or forged requests, prints each event."""
import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

SECRET = os.environ["WHARF_WEBHOOK_SECRET"].encode()
MAX_AGE = 300  # seconds: older signatures are refused as replays
seen = set()   # event ids already handled: deliveries are at least once


def signature_is_valid(header, body):
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    if "t" not in parts or "v1" not in parts or abs(time.time() - int(parts["t"])) > MAX_AGE:
        return False
    expected = hmac.new(SECRET, parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps the connection open: Wharf sends its next batch on it

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not signature_is_valid(self.headers.get("Wharf-Signature", ""), body):
            self.send_response(401)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        lines = []
        for event in json.loads(body)["events"]:
            if event["id"] not in seen:
                seen.add(event["id"])
                target = event["target"]
                lines.append(" ".join([event["action"], target["repository"], target.get("tag", "-"),
                                       target.get("digest", "-"), event["actor"].get("name", "-"), event["id"]]))
        if lines:  # one write for the whole batch: Wharf sends up to Webhooks:MaxBatch (100) events per request
            sys.stdout.write("\n".join(lines) + "\n")
            sys.stdout.flush()
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8000), Receiver)
print("listening on port", server.server_address[1], flush=True)
server.serve_forever()
