"""Log records without join codes.

A join code is the only key to an assessment's participant pages, and the participant URLs
carry it (/delta/<code>/…). Django logs the path of every 4xx and 5xx response
("Not Found: /delta/K7QM2XHP9R/" on django.request, "Forbidden (CSRF token missing.): …" on
django.security.csrf) and the development server logs every request line (django.server), so
whoever reads the logs would read codes. `RedactJoinCodes`, attached to those loggers in
settings.LOGGING, replaces the code with "[code]" and leaves the rest of the line as it was:
"Not Found: /delta/[code]/princip/9/".
"""

import logging
import re
from collections.abc import Mapping

# The path segment after /delta/, up to the next slash, query, quote or space. Django escapes
# non-ASCII in logged paths ("\\xe5"), so a backslash is part of the segment.
_CODE_IN_PATH = re.compile(r"(/delta/)[^/\s?#\"']+")
PLACEHOLDER = "[code]"


def redact(text: str) -> str:
    """`text` with the code of every participant path replaced by "[code]"."""
    return _CODE_IN_PATH.sub(rf"\g<1>{PLACEHOLDER}", text)


def _redacted(value: object) -> object:
    return redact(value) if isinstance(value, str) else value


class RedactJoinCodes(logging.Filter):
    """Rewrites the record's message and arguments; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _redacted(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {key: _redacted(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redacted(value) for value in record.args)
        return True
