"""Business rules over the CRUD layer. Every service takes a `Session` or an `AsyncSession`."""
