"""gunicorn's threaded worker, with requests read by the event loop before a thread takes them.

gunicorn's `gthread` worker hands a connection to a request thread as soon as its first byte
arrives, and the thread then reads the rest. A client that sends its headers one byte a second
holds a thread the whole time: eight of them held every thread of a default server.
Here the worker's event loop (which waits on sockets without using a thread) reads each request
itself: the whole head, and a body of known length up to `BUFFERED_BODY_BYTES` (every public
request: the app takes 1 MiB at most), and only then gives the connection, with those bytes, to
a request thread. This is what nginx does in front of an application server; slow clients cost a
socket each, not a thread. A request that has not arrived within `REQUEST_SECONDS`
(`KGPUB_REQUEST_TIMEOUT`, 20) gets `408 Request Timeout` and is closed. Larger bodies (admin
uploads) are read by the thread, each read waiting at most `IDLE_SECONDS`, as are the writes of
the response.

It relies on the gthread worker's structure (gunicorn 27: `accept`, `on_client_socket_readable`,
`murder_pending`, `TConn.init`); tests/test_hostile_server.py holds it to its promise.
"""
from __future__ import annotations

import errno
import os
import re
import selectors
import time
from functools import partial

from gunicorn.workers.gthread import TConn, ThreadWorker

REQUEST_SECONDS = float(os.environ.get("KGPUB_REQUEST_TIMEOUT", "20"))  # for the head and a buffered body
IDLE_SECONDS = 60.0  # longest wait for one read or write once a thread has the connection
BUFFERED_BODY_BYTES = 1024 * 1024 + 64 * 1024
MAX_HEAD_BYTES = 64 * 1024  # more than gunicorn's own limits: its parser answers what is too large
_CONTENT_LENGTH = re.compile(rb"\r?\ncontent-length[ \t]*:[ \t]*(\d{1,12})[ \t]*\r?\n", re.IGNORECASE)
_CHUNKED = re.compile(rb"\r?\ntransfer-encoding[ \t]*:[^\r\n]*chunked", re.IGNORECASE)
_TIMEOUT_RESPONSE = (b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain\r\n"
                     b"Content-Length: 46\r\n\r\nthe request did not arrive in time; send again\n")


class BufferedConnection(TConn):
    """A connection with the bytes the event loop read for it, given to gunicorn's parser."""

    def __init__(self, *args):
        super().__init__(*args)
        self.received = bytearray()
        self.deadline = 0.0

    def init(self) -> None:
        super().init()
        if self.received:
            self.parser.unreader.unread(bytes(self.received))
            self.received = bytearray()
        self.sock.settimeout(IDLE_SECONDS)  # gunicorn made it blocking without a limit

    def request_arrived(self) -> bool:
        data = bytes(self.received)
        end = data.find(b"\r\n\r\n")
        head_end = end + 4 if end >= 0 else data.find(b"\n\n") + 2
        if head_end < 2:
            return len(data) >= MAX_HEAD_BYTES  # too long: the parser will say so
        head = data[:head_end]
        if match := _CONTENT_LENGTH.search(head):
            wanted = int(match.group(1))
            return wanted > BUFFERED_BODY_BYTES or len(data) - head_end >= wanted
        if _CHUNKED.search(head):
            return data.endswith(b"0\r\n\r\n") or len(data) - head_end > BUFFERED_BODY_BYTES
        return True


class BufferingWorker(ThreadWorker):
    """The gthread worker, reading each request in its event loop before a thread takes it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.arriving: list[BufferedConnection] = []

    def accept(self, listener) -> None:
        try:
            sock, client = listener.accept()
        except OSError as err:
            if err.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        self.await_request(BufferedConnection(self.cfg, sock, client, listener.getsockname()))

    def on_client_socket_readable(self, conn, client) -> None:
        """A kept-alive connection has a next request coming."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        conn.sock.setblocking(False)
        self.await_request(conn)

    def await_request(self, conn: BufferedConnection) -> None:
        conn.deadline = time.monotonic() + REQUEST_SECONDS
        self.arriving.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self.on_request_bytes, conn))

    def on_request_bytes(self, conn: BufferedConnection, sock) -> None:
        try:
            data = sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client went away
            self._forget(conn)
            conn.close()
            return
        conn.received += data
        if conn.request_arrived():
            self._forget(conn, closing=False)
            conn.data_ready = True
            self.enqueue_req(conn)

    def murder_pending(self) -> None:
        """gunicorn's sweep of idle connections, once a second; also ends requests arriving too slowly."""
        super().murder_pending()
        now = time.monotonic()
        for conn in [c for c in self.arriving if c.deadline <= now]:
            self._forget(conn)
            try:
                conn.sock.send(_TIMEOUT_RESPONSE)
            except OSError:
                pass
            conn.close()

    def _forget(self, conn: BufferedConnection, closing: bool = True) -> None:
        self.arriving.remove(conn)
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass
        if closing:
            self.nr_conns -= 1
