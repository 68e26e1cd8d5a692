"""Reading a LogFile in chunks: records are found by the user id's bytes whatever the chunk boundaries,
a quoted value may hold line breaks, and a malformed record is reported with its file line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from leastforce.checks.observe.period import LogFile
from leastforce.errors import InputError
from leastforce.org.read.event_logs import read_usages

ME = "005000000000001"
OTHER = "005000000000002"
HEADER = b'"EVENT_TYPE","REQUEST_ID","USER_ID","HTTP_METHOD","API_RESOURCE","ENTITY_NAME","STATUS_CODE","API_FAMILY"\n'


def row(user: str, entity: str, status: int = 200, request: str = "r") -> bytes:
    return (
        f'"ApiTotalUsage","{request}","{user}","GET","/v64.0/query","{entity}","{status}","REST"\n'.encode()
    )


class Chunked:
    """A client serving one body in chunks of ``size`` bytes."""

    def __init__(self, body: bytes, size: int) -> None:
        self.body, self.size = body, size

    def stream_bytes(self, path: str) -> Iterator[bytes]:
        for start in range(0, len(self.body), self.size):
            yield self.body[start : start + self.size]


FILE = LogFile("0AT1", "ApiTotalUsage", "Daily", "2026-01-01T00:00:00.000+0000", 0)


@pytest.mark.parametrize("size", [1, 7, 64, 1 << 20])
def test_rows_are_found_across_chunk_boundaries(size: int) -> None:
    body = HEADER + b"".join(
        row(ME if n % 3 == 0 else OTHER, "Account" if n % 2 else "Contact") for n in range(30)
    )
    tallies = read_usages(Chunked(body, size), (FILE,), (ME + "AAA", OTHER))  # type: ignore[arg-type]
    assert tallies[ME].calls == 10 and tallies[OTHER].calls == 20


@pytest.mark.parametrize("size", [1, 5, 1 << 20])
def test_a_quoted_line_break_stays_in_its_record(size: int) -> None:
    header = b'"EVENT_TYPE","REQUEST_ID","USER_ID","QUERY_IDENTIFIER","QUERY_TYPE"\n'
    query = b'"UniqueQuery","q1","' + ME.encode() + b'","SELECT Id\nFROM Account","soql"\n'
    other = (
        b'"UniqueQuery","q2","'
        + OTHER.encode()
        + b'","SELECT Id\n,""'
        + ME.encode()
        + b'"" FROM Lead","soql"\n'
    )
    files = (LogFile("0AT2", "UniqueQuery", "Daily", "2026-01-01", 0), FILE)

    class Two(Chunked):
        def stream_bytes(self, path: str) -> Iterator[bytes]:
            body = header + other + query if "0AT2" in path else HEADER + row(ME, "", request="q1")
            for start in range(0, len(body), self.size):
                yield body[start : start + self.size]

    tallies = read_usages(Two(b"", size), files, (ME,))  # type: ignore[arg-type]
    [(_, seen)] = tallies[ME].freeze().used.items()
    assert seen.fields == ("Id",)  # joined through REQUEST_ID to the SOQL text over two lines


def test_a_short_record_names_the_file_and_line() -> None:
    body = HEADER + row(OTHER, "Account") + b'"ApiTotalUsage","r","' + ME.encode() + b'","GET"\n'
    with pytest.raises(InputError, match=r"log file 0AT1 .* line 3 has 4 values, the header 8"):
        read_usages(Chunked(body, 16), (FILE,), (ME,))  # type: ignore[arg-type]
