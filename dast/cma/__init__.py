"""dast.cma: put rewritten documents back into DatoCMS without losing content.

Read the site schema (:class:`SchemaRepository`), build, clone and inspect
block records, walk the blocks inside field values, treat localized and
non-localized values alike, and build the partial ``PUT /items/:id`` payload
that turns a fetched record into the one you want (with optimistic locking
and a retry loop).

>>> from dast.cma import build_block_record, is_block_of_type
>>> is_block_of_type("QuoteModel", build_block_record("QuoteModel", {"text": "Hi"}))
True
"""

from .errors import (
    BlockRecordError,
    CmaError,
    LocaleMismatchError,
    PayloadError,
    RetryExhausted,
    SchemaError,
    StaleItemVersion,
)
from .field_blocks import (
    AsyncBlockMapper,
    AsyncBlockPredicate,
    AsyncBlockReducer,
    AsyncBlockVisitor,
    BlockMapper,
    BlockPredicate,
    BlockReducer,
    BlockValue,
    BlockVisitor,
    FoundBlock,
    every_blocks,
    every_blocks_async,
    filter_blocks,
    filter_blocks_async,
    find_all_blocks,
    find_all_blocks_async,
    map_blocks,
    map_blocks_async,
    reduce_blocks,
    reduce_blocks_async,
    some_blocks,
    some_blocks_async,
    visit_blocks,
    visit_blocks_async,
)
from .inspector import inspect_item
from .locales import (
    every_normalized_field_value,
    every_normalized_field_value_async,
    filter_normalized_field_values,
    filter_normalized_field_values_async,
    from_normalized_field_value_entries,
    map_normalized_field_values,
    map_normalized_field_values_async,
    some_normalized_field_values,
    some_normalized_field_values_async,
    to_normalized_field_value_entries,
    visit_normalized_field_values,
    visit_normalized_field_values_async,
)
from .payload import UpdatePayload, build_update_payload
from .records import build_block_record, convert_record, duplicate_block_record, is_block_of_type
from .retry import (
    UpdateResult,
    is_stale_version_response,
    raise_for_stale_version,
    update_with_retry,
    update_with_retry_async,
)
from .schema import BLOCK_FIELD_TYPES, FieldSchema, ItemTypeSchema, SchemaRepository
from .shapes import (
    Shape,
    attributes_of,
    item_type_id_of,
    record_shape,
    to_flat,
    to_jsonapi,
    unwrap_record,
)

__all__ = [
    "BLOCK_FIELD_TYPES",
    "AsyncBlockMapper",
    "AsyncBlockPredicate",
    "AsyncBlockReducer",
    "AsyncBlockVisitor",
    "BlockMapper",
    "BlockPredicate",
    "BlockRecordError",
    "BlockReducer",
    "BlockValue",
    "BlockVisitor",
    "CmaError",
    "FieldSchema",
    "FoundBlock",
    "ItemTypeSchema",
    "LocaleMismatchError",
    "PayloadError",
    "RetryExhausted",
    "SchemaError",
    "SchemaRepository",
    "Shape",
    "StaleItemVersion",
    "UpdatePayload",
    "UpdateResult",
    "attributes_of",
    "build_block_record",
    "build_update_payload",
    "convert_record",
    "duplicate_block_record",
    "every_blocks",
    "every_blocks_async",
    "every_normalized_field_value",
    "every_normalized_field_value_async",
    "filter_blocks",
    "filter_blocks_async",
    "filter_normalized_field_values",
    "filter_normalized_field_values_async",
    "find_all_blocks",
    "find_all_blocks_async",
    "from_normalized_field_value_entries",
    "inspect_item",
    "is_block_of_type",
    "is_stale_version_response",
    "item_type_id_of",
    "map_blocks",
    "map_blocks_async",
    "map_normalized_field_values",
    "map_normalized_field_values_async",
    "raise_for_stale_version",
    "record_shape",
    "reduce_blocks",
    "reduce_blocks_async",
    "some_blocks",
    "some_blocks_async",
    "some_normalized_field_values",
    "some_normalized_field_values_async",
    "to_flat",
    "to_jsonapi",
    "to_normalized_field_value_entries",
    "unwrap_record",
    "update_with_retry",
    "update_with_retry_async",
    "visit_blocks",
    "visit_blocks_async",
    "visit_normalized_field_values",
    "visit_normalized_field_values_async",
]
