"""One module per entity: plain functions over a sync `Session`, written once.

The async face runs the very same functions: `await session.run_sync(fn, *args)`.
Functions flush but never commit: the caller's unit of work (`Database.session()`)
decides, so a failure anywhere leaves nothing half-written.
"""
