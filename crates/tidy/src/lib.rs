//! Project rules checked as ordinary tests (see `tests/tidy.rs`): the dependency rules of
//! ARCHITECTURE.md, module docs on every file, no ignored tests, no placeholders. This crate
//! has no code of its own.
