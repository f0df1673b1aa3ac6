"""gunicorn's threaded worker, with requests read by the event loop before a thread takes them.

gunicorn's `gthread` worker hands a connection to a request thread as soon as its first byte
arrives, and the thread then reads the rest. A client that sends its headers one byte a second
holds a thread the whole time: eight of them held every thread of a default server.
Here the worker's event loop (which waits on sockets without using a thread) reads each request
itself: the whole head, and a body up to `BUFFERED_BODY_BYTES` (every public request: the app
takes 256 KiB at most), of known length or chunked, and only then gives the connection, with those
bytes, to a request thread. This is what nginx does in front of an application server; slow
clients cost a socket each, not a thread. A request that has not arrived within
`REQUEST_SECONDS` (`KGPUB_REQUEST_TIMEOUT`, 15) gets `408 Request Timeout` and is closed; a
client with `MAX_ARRIVING_PER_CLIENT` requests still arriving gets `429` for the next. Larger
bodies (the admin's uploads, after the app has checked the token) are read by the thread, each
read waiting at most `IDLE_SECONDS`, as are the writes of the response.

It relies on the gthread worker's structure (gunicorn 27: `accept`, `enqueue_req`,
`on_client_socket_readable`, `murder_pending`, `TConn.init`, the parser's unreader);
tests/test_hostile_server.py holds it to its promise.
"""
from __future__ import annotations

import errno
import os
import re
import selectors
import time
from collections import Counter
from functools import partial

from gunicorn.workers.gthread import TConn, ThreadWorker

REQUEST_SECONDS = float(os.environ.get("KGPUB_REQUEST_TIMEOUT", "15"))  # for the head and a buffered body
IDLE_SECONDS = 60.0  # longest wait for one read or write once a thread has the connection
BUFFERED_BODY_BYTES = 256 * 1024 + 16 * 1024
MAX_HEAD_BYTES = 64 * 1024  # more than gunicorn's own limits: its parser answers what is too large
MAX_ARRIVING_PER_CLIENT = 32  # per worker; behind a proxy requests arrive whole and at once
_CONTENT_LENGTH = re.compile(rb"\r?\ncontent-length[ \t]*:[ \t]*(\d{1,12})[ \t]*\r?\n", re.IGNORECASE)
_CHUNKED = re.compile(rb"\r?\ntransfer-encoding[ \t]*:[^\r\n]*chunked", re.IGNORECASE)


def _answer(status: str, text: str) -> bytes:
    body = text.encode() + b"\n"
    return (f"HTTP/1.1 {status}\r\nConnection: close\r\nContent-Type: text/plain\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


TOO_SLOW = _answer("408 Request Timeout", "the request did not arrive in time; send it again")
TOO_MANY = _answer("429 Too Many Requests", "too many requests from this client are still arriving")


class BufferedConnection(TConn):
    """A connection with the bytes the event loop read for it, given to gunicorn's parser."""

    def __init__(self, *args):
        super().__init__(*args)
        self.received = bytearray()
        self.deadline = 0.0
        self.next_chunk = 0  # in a chunked body: where the next chunk's size line starts

    @property
    def address(self) -> str:
        return self.client[0] if isinstance(self.client, tuple) else str(self.client)

    def init(self) -> None:
        super().init()
        if self.received:
            self.parser.unreader.unread(bytes(self.received))
            self.received, self.next_chunk = bytearray(), 0
        self.sock.settimeout(IDLE_SECONDS)  # gunicorn made it blocking without a limit

    def request_arrived(self) -> bool:
        """Whether the head, and a body the loop reads, are all here (or too long to wait for:
        gunicorn's parser and the app answer those)."""
        data = self.received
        end = data.find(b"\r\n\r\n")
        head_end = end + 4 if end >= 0 else data.find(b"\n\n") + 2
        if head_end < 2:
            return len(data) >= MAX_HEAD_BYTES
        if len(data) - head_end > BUFFERED_BODY_BYTES:
            return True
        head = bytes(data[:head_end])
        if match := _CONTENT_LENGTH.search(head):
            wanted = int(match.group(1))
            return wanted > BUFFERED_BODY_BYTES or len(data) - head_end >= wanted
        if _CHUNKED.search(head):
            return self._chunks_arrived(head_end)
        return True

    def _chunks_arrived(self, head_end: int) -> bool:
        """Follow the chunked body from where it was left: size line, data, CRLF, until the last
        chunk (size 0) and the trailers' blank line."""
        data, at = self.received, max(self.next_chunk, head_end)
        while (line_end := data.find(b"\r\n", at)) >= 0:
            try:
                size = int(bytes(data[at:line_end]).split(b";", 1)[0].strip(), 16)
            except ValueError:
                return True  # not chunked as HTTP says: gunicorn's parser answers 400
            if size == 0:  # the last chunk; then trailer lines, if any, and a blank line
                return data.find(b"\r\n\r\n", line_end) >= 0
            if line_end + 2 + size + 2 > len(data):
                break
            at = self.next_chunk = line_end + 2 + size + 2
        return False


class BufferingWorker(ThreadWorker):
    """The gthread worker, reading each request in its event loop before a thread takes it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.arriving: list[BufferedConnection] = []
        self.arriving_from: Counter[str] = Counter()

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

    def enqueue_req(self, conn) -> None:
        """To a request thread, once the request has arrived. gunicorn also comes here with a
        kept-alive connection whose client sent (part of) its next request along with the last
        one: those bytes go back to the event loop until the rest has come."""
        if conn.parser is not None:
            conn.received[:0] = conn.parser.unreader.take_buffered()
        if conn.received and not conn.request_arrived():
            conn.sock.setblocking(False)
            self.await_request(conn)
            return
        super().enqueue_req(conn)

    def await_request(self, conn: BufferedConnection) -> None:
        if self.arriving_from[conn.address] >= MAX_ARRIVING_PER_CLIENT:
            self._end(conn, TOO_MANY)
            return
        self.arriving_from[conn.address] += 1
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
            self._arrived(conn)
            self._end(conn)
            return
        conn.received += data
        if conn.request_arrived():
            self._arrived(conn)
            conn.data_ready = True
            self.enqueue_req(conn)

    def murder_pending(self) -> None:
        """gunicorn's sweep of idle connections, once a second; also ends requests arriving too slowly."""
        super().murder_pending()
        now = time.monotonic()
        for conn in [c for c in self.arriving if c.deadline <= now]:
            self._arrived(conn)
            self._end(conn, TOO_SLOW)

    def _arrived(self, conn: BufferedConnection) -> None:
        """No longer waited for by the event loop."""
        self.arriving.remove(conn)
        self.arriving_from[conn.address] -= 1
        if not self.arriving_from[conn.address]:
            del self.arriving_from[conn.address]
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass

    def _end(self, conn: BufferedConnection, answer: bytes = b"") -> None:
        if answer:
            try:
                conn.sock.send(answer)
            except OSError:
                pass
        self.nr_conns -= 1
        conn.close()
