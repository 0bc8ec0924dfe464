"""Schemathesis hooks for crm-mind's contract test (loaded through SCHEMATHESIS_HOOKS).

`POST /api/emails/raw` takes a raw email as `message/rfc822`; schemathesis has no serializer
for that media type, so generated values are sent as their UTF-8 bytes.
"""

import schemathesis


@schemathesis.serializer("message/rfc822")
def rfc822(ctx, value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    return str(value).encode()
