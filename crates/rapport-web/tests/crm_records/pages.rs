//! The record pages (filled in with the UI).
