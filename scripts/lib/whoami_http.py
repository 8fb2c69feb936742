#!/usr/bin/env python3
"""A tiny HTTP server for the demo: answers every GET with who served it and the source
address it saw. Usage: whoami_http.py NAME BIND_IP PORT

It uses socketserver.TCPServer directly (not http.server.HTTPServer, whose server_bind does
a reverse DNS lookup that would try to leave the namespace and stall)."""
import http.server
import socketserver
import sys

name, ip, port = sys.argv[1], sys.argv[2], int(sys.argv[3])


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"served by {name} ({ip}:{port}); the request came from {self.client_address[0]}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True


with Server((ip, port), Handler) as s:
    s.serve_forever()
