"""A small fault-injecting HTTP reverse proxy on 127.0.0.1, for putting between a storage SDK and
a local storage server (moto's S3 server, the GCS emulator, Azurite).

Every request is forwarded to the upstream server unchanged (the `Host` header too, so signed
requests and URLs the server builds from it keep pointing at the proxy). The whole upstream
response is read, and then, for requests a test has armed a fault for, damaged on its way back:

- `truncate`: the upstream headers (with the full `Content-Length`) and only half the body, then
  the connection is closed, as a dropped connection looks to the client
- `short`: half the body with a `Content-Length` that matches it, so that only a checksum can
  tell the body is incomplete
- `flip`: the whole body with one byte changed
- `error500`: a `500 Internal Server Error` (an S3-style XML error body)
- `hang`: nothing at all: the request is read and no answer comes until the proxy is closed

`proxy.arm(fault, times=..., match=...)` damages the next `times` responses (all of them with
`times=None`) of the requests `match(method, path)` accepts.
"""

import http.client
import http.server
import threading
import urllib.parse
from typing import Callable, Dict, List, Optional, Tuple

FAULTS = ("truncate", "short", "flip", "error500", "hang")

#: headers that describe one hop, not the message: never forwarded
_HOP_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)

Match = Callable[[str, str], bool]


def _any_request(method: str, path: str) -> bool:
    return True


class _Fault:
    def __init__(self, kind: str, times: Optional[int], match: Match):
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; one of {FAULTS}")
        self.kind = kind
        self.left = times
        self.match = match


class FaultProxy:
    """A reverse proxy to `upstream` (an `http://host:port` URL) that damages armed responses.

    Args:
        - upstream (str): the server's base URL

    Attributes:
        - url (str): the proxy's base URL (`http://127.0.0.1:PORT`)
        - requests (List[Tuple[str, str]]): every request seen, as (method, path)
        - injected (List[Tuple[str, str, str]]): every fault applied, as (fault, method, path)
    """

    def __init__(self, upstream: str):
        parsed = urllib.parse.urlsplit(upstream)
        self._upstream = (parsed.hostname or "127.0.0.1", parsed.port or 80)
        self._faults: List[_Fault] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self.requests: List[Tuple[str, str]] = []
        self.injected: List[Tuple[str, str, str]] = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def _relay(self) -> None:
                proxy._relay(self)

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = _relay

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    # --- arming -----------------------------------------------------------------------------
    def arm(self, fault: str, times: Optional[int] = 1, match: Match = _any_request) -> None:
        """Damage the next `times` matching responses (every one with `times=None`).

        Args:
            - fault (str): one of `FAULTS`
            - times (int, optional): how many responses; None for all of them
            - match (Callable[[str, str], bool], optional): which requests, by method and path
                (the path includes the query string)
        """
        with self._lock:
            self._faults.append(_Fault(fault, times, match))

    def disarm(self) -> None:
        """Forget every armed fault: from now on responses pass unchanged."""
        with self._lock:
            self._faults.clear()

    def close(self) -> None:
        """Stop serving and release the requests held by `hang`."""
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()

    def _take_fault(self, method: str, path: str) -> Optional[str]:
        with self._lock:
            self.requests.append((method, path))
            for fault in self._faults:
                if fault.left != 0 and fault.match(method, path):
                    if fault.left is not None:
                        fault.left -= 1
                    self.injected.append((fault.kind, method, path))
                    return fault.kind
        return None

    # --- relaying ---------------------------------------------------------------------------
    @staticmethod
    def _request_body(handler: http.server.BaseHTTPRequestHandler) -> bytes:
        if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(handler.rfile.read(size))
                handler.rfile.readline()
        length = int(handler.headers.get("Content-Length") or 0)
        return handler.rfile.read(length) if length else b""

    def _relay(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        method, path = handler.command, handler.path
        body = self._request_body(handler)
        fault = self._take_fault(method, path)
        if fault == "hang":
            self._closing.wait(timeout=120)
            handler.close_connection = True
            return
        if fault == "error500":
            payload = b"<Error><Code>InternalError</Code><Message>injected</Message></Error>"
            handler.send_response(500)
            handler.send_header("Content-Type", "application/xml")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
            return
        status, reason, headers, data = self._forward(method, path, handler.headers.items(), body)
        declared = len(data)
        if fault in ("truncate", "short"):
            data = data[: len(data) // 2]
            if fault == "short":
                declared = len(data)
        elif fault == "flip" and data:
            middle = len(data) // 2
            data = data[:middle] + bytes([data[middle] ^ 0x5A]) + data[middle + 1 :]
        handler.send_response(status, reason)
        for name, value in headers:
            handler.send_header(name, value)
        if method != "HEAD" or declared:
            handler.send_header("Content-Length", str(declared))
        handler.end_headers()
        if method != "HEAD":
            handler.wfile.write(data)
        if fault == "truncate":
            handler.wfile.flush()
            handler.close_connection = True

    def _forward(
        self, method: str, path: str, headers: List[Tuple[str, str]], body: bytes
    ) -> Tuple[int, str, List[Tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(*self._upstream, timeout=60)
        try:
            sent: Dict[str, str] = {}
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                if name.lower() not in _HOP_HEADERS:
                    connection.putheader(name, value)
                    sent[name.lower()] = value
            if body or method in ("PUT", "POST", "PATCH"):
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body or None)
            response = connection.getresponse()
            data = response.read()
            kept = [(n, v) for n, v in response.getheaders() if n.lower() not in _HOP_HEADERS]
            if method == "HEAD":
                length = response.getheader("Content-Length")
                if length:
                    kept.append(("Content-Length", length))
            return response.status, response.reason, kept, data
        finally:
            connection.close()
