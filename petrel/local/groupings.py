"""Storm's fields hash under its earlier import path; it lives in ``petrel.semantics.groupings``.

Kept so user tests written as ``from petrel.local.groupings import fields_grouping_index``
go on working.
"""

from petrel.semantics.groupings import fields_grouping_index, java_hash, java_list_hash

__all__ = ["fields_grouping_index", "java_hash", "java_list_hash"]
