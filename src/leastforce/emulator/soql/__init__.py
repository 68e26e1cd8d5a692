"""The emulator's SOQL engine: `parse_soql` text into a `Query`, `execute` it over a `RowSource`.

Pure: no I/O. Storage implements `RowSource`; the HTTP layer turns `QueryResult` into the REST
`{"totalSize", "done", "records"}` body (batching into pages) and `SoqlError` into
`[{"message", "errorCode"}]` with HTTP 400; Bulk API 2.0 writes `execute_table`'s `QueryTable` as CSV.
"""

from leastforce.emulator.soql.errors import ErrorCode, SoqlError
from leastforce.emulator.soql.evaluate import execute, execute_table
from leastforce.emulator.soql.parser import parse_soql
from leastforce.emulator.soql.source import FieldMeta, Filter, QueryResult, QueryTable, RowSource
from leastforce.emulator.soql.syntax import Query

__all__ = [
    "ErrorCode",
    "FieldMeta",
    "Filter",
    "Query",
    "QueryResult",
    "QueryTable",
    "RowSource",
    "SoqlError",
    "execute",
    "execute_table",
    "parse_soql",
]
