"""Reading a request body whole, within a limit, whether or not it is sent in chunks.

werkzeug stops a chunked body (no Content-Length) at `max_content_length` without saying so: a
request one byte or a megabyte over the limit read as exactly the limit, so an upload over
`KGPUB_MAX_UPLOAD_BYTES` was stored in part and answered 200. So one byte more than the limit is
asked for, and a body that has it is refused with 413 before anything is done with it. The body is
cached on the request, so form and multipart parsing read the same bytes afterwards.
"""
from __future__ import annotations

from flask import abort, request

from kgpub.server.errors import error_response


def read_body(limit: int) -> bytes:
    """The whole body (at most `limit` bytes); 413, with nothing done, when it is longer."""
    request.max_content_length = limit + 1
    data = request.get_data()
    if len(data) > limit:
        abort(error_response(413, "Content Too Large", f"the request body is longer than {limit} bytes; "
                                                        "nothing was done with it"))
    return data
