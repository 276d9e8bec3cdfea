//! Content met before. A scan reads thousands of files that repeat the same few CA
//! certificates; recognising their bytes is much cheaper than decoding and parsing
//! them again. Results never depend on what is remembered.

use std::collections::HashMap;
use std::hash::BuildHasher as _;
use std::sync::{Arc, RwLock};

/// A map for the lookups a scan makes for every bundle (content met before, digests,
/// certificate pairs): about 70 of them per bundle. foldhash is seeded per process like
/// the standard SipHash, so crafted keys cannot be aimed at one bucket in advance, and
/// hashes a 32-byte key in a fraction of SipHash's instructions (under callgrind, 6 k
/// fewer instructions per bundle).
pub type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// How many trailing bytes, with the length, pick the bucket. The end of a
/// certificate (its DER or its base64) is signature bits: for real content, no two
/// differ only elsewhere, so hashing these few bytes stands for hashing the whole.
const TAIL: usize = 32;

/// At most this many entries share a bucket. Crafted content could put any number
/// of different strings in one bucket; capping it keeps every lookup a handful of
/// comparisons (the extra strings are simply not remembered).
const BUCKET: usize = 4;

type TailKey = (usize, [u8; TAIL]);

/// The strings of one bucket, each with its value.
type Bucket<V> = Vec<(Box<[u8]>, V)>;

fn tail_key(bytes: &[u8]) -> TailKey {
    let mut tail = [0; TAIL];
    let from = bytes.len().saturating_sub(TAIL);
    for (slot, byte) in tail.iter_mut().zip(bytes.get(from..).unwrap_or_default()) {
        *slot = *byte;
    }
    (bytes.len(), tail)
}

/// Values for byte strings, found by their length and last bytes and then compared
/// whole. Bounded in entries and per bucket, so memory stays flat however much is
/// offered.
#[derive(Debug)]
pub struct ByContent<V> {
    buckets: FastMap<TailKey, Bucket<V>>,
    len: usize,
    capacity: usize,
}

impl<V> ByContent<V> {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            buckets: FastMap::default(),
            len: 0,
            capacity,
        }
    }

    pub fn get(&self, bytes: &[u8]) -> Option<&V> {
        self.buckets
            .get(&tail_key(bytes))?
            .iter()
            .find(|(k, _)| **k == *bytes)
            .map(|(_, v)| v)
    }

    /// Remembers `value` for `bytes`, unless they are already known or there is no
    /// room left (in all, or in their bucket).
    pub fn insert(&mut self, bytes: &[u8], value: V) {
        if self.len >= self.capacity {
            return;
        }
        let bucket = self.buckets.entry(tail_key(bytes)).or_default();
        if bucket.len() < BUCKET && !bucket.iter().any(|(k, _)| **k == *bytes) {
            bucket.push((bytes.into(), value));
            self.len += 1;
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// How many decoded PEM bodies are kept: thousands of CA certificates, a few MiB.
const BODIES: usize = 4096;
/// Slots of the table of bodies met once: 32 KiB, whatever the number of files.
const MET_ONCE: usize = 4096;

/// Decoded PEM bodies of certificates met in at least two places. A body met once
/// (nearly always a leaf) leaves only a hash of its length and tail, in a table of
/// fixed size where a later body may take its slot, so a scan of any number of leaves
/// keeps no more than the CA certificates they share. A CA certificate whose slot was
/// taken before its second meeting is kept at a later pair of meetings: the table
/// decides only what is kept, never a result.
#[derive(Debug)]
pub struct PemBodies {
    inner: RwLock<Bodies>,
}

#[derive(Debug)]
struct Bodies {
    decoded: ByContent<Arc<[u8]>>,
    /// For each slot, the hash of the last body met once there (0: none).
    met_once: Box<[u64]>,
    hasher: foldhash::fast::RandomState,
}

impl Default for PemBodies {
    fn default() -> Self {
        Self {
            inner: RwLock::new(Bodies {
                decoded: ByContent::with_capacity(BODIES),
                met_once: vec![0; MET_ONCE].into_boxed_slice(),
                hasher: foldhash::fast::RandomState::default(),
            }),
        }
    }
}

impl PemBodies {
    /// The DER of a body decoded before, shared: not copied for each file.
    pub(crate) fn get(&self, body: &[u8]) -> Option<Arc<[u8]>> {
        self.inner.read().ok()?.decoded.get(body).cloned()
    }

    /// Notes that `body` decodes to `der`: kept from the second time it is met.
    pub(crate) fn met(&self, body: &[u8], der: &[u8]) {
        let Ok(mut inner) = self.inner.write() else {
            return;
        };
        // Never 0, which marks an empty slot.
        let hash = inner.hasher.hash_one(tail_key(body)) | 1;
        let slot = usize::try_from(hash % MET_ONCE as u64).unwrap_or_default();
        let Some(kept) = inner.met_once.get_mut(slot) else {
            return;
        };
        if *kept == hash {
            *kept = 0;
            inner.decoded.insert(body, Arc::from(der));
        } else {
            *kept = hash;
        }
    }

    /// How many bodies are kept decoded.
    pub fn len(&self) -> usize {
        self.inner.read().map_or(0, |i| i.decoded.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_found_whole_and_buckets_stay_small() {
        let mut map = ByContent::with_capacity(100);
        // Same length and tail, different start: one bucket, told apart whole.
        let strings: Vec<Vec<u8>> = (0..10u8)
            .map(|i| [vec![i; 8], vec![7; TAIL]].concat())
            .collect();
        for (i, s) in strings.iter().enumerate() {
            map.insert(s, i);
        }
        assert_eq!(map.len(), BUCKET, "the bucket is capped");
        for (i, s) in strings.iter().enumerate().take(BUCKET) {
            assert_eq!(map.get(s), Some(&i));
        }
        assert_eq!(map.get(&strings[BUCKET]), None);
        assert_eq!(map.get(b"short"), None);
        map.insert(b"short", 99);
        assert_eq!(map.get(b"short"), Some(&99));
        map.insert(b"short", 100);
        assert_eq!(map.get(b"short"), Some(&99), "the first value stays");
    }

    #[test]
    fn maps_stop_growing_at_their_capacity() {
        let mut map = ByContent::with_capacity(3);
        for i in 0..10u8 {
            map.insert(&[i; 40], i);
        }
        assert_eq!(map.len(), 3);
        assert_eq!(map.get(&[9; 40]), None);
    }

    #[test]
    fn bodies_are_kept_from_their_second_meeting() {
        let bodies = PemBodies::default();
        bodies.met(b"MIIB leaf body", b"leaf");
        assert_eq!(bodies.get(b"MIIB leaf body"), None, "met once: not kept");
        bodies.met(b"MIIB ca body", b"ca");
        bodies.met(b"MIIB ca body", b"ca");
        assert_eq!(bodies.get(b"MIIB ca body").as_deref(), Some(&b"ca"[..]));
        assert_eq!(bodies.len(), 1);
    }

    #[test]
    fn bodies_met_once_are_not_kept_however_many() {
        let bodies = PemBodies::default();
        for i in 0..20_000 {
            bodies.met(format!("MIIB leaf body {i}").as_bytes(), b"leaf");
        }
        assert!(bodies.is_empty());
        // The table still tells a second meeting.
        bodies.met(b"MIIB ca body", b"ca");
        bodies.met(b"MIIB ca body", b"ca");
        assert_eq!(bodies.len(), 1);
    }
}
