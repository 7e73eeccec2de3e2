"""The recorded upstream server and the real SMTP server, for the many-process tests."""

from tests.ingest.conftest import server  # noqa: F401
from tests.mail_support import smtp  # noqa: F401
