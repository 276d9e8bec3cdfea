//! Byte buffers a thread keeps from one file to the next. A scan reads thousands of
//! files of a few KiB; a fresh buffer for each is an allocation too large for the
//! allocator's fast path.

use std::cell::Cell;

/// Buffers larger than this are dropped rather than kept.
const LARGEST_KEPT: usize = 1 << 20;

/// One kept buffer, in a `thread_local!`.
pub(crate) struct Spare(Cell<Vec<u8>>);

impl Spare {
    pub(crate) const fn new() -> Self {
        Self(Cell::new(Vec::new()))
    }

    /// The kept buffer (empty), or a new one.
    pub(crate) fn take(&self) -> Vec<u8> {
        self.0.take()
    }

    /// Keeps `buffer`, emptied, for the next file, unless it grew too large.
    pub(crate) fn keep(&self, mut buffer: Vec<u8>) {
        if buffer.capacity() <= LARGEST_KEPT {
            buffer.clear();
            self.0.set(buffer);
        }
    }
}
