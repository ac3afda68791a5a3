//! The future-event list: a binary heap ordered by (time, sequence number).
//!
//! Events at the same microsecond come out in the order they were scheduled, never in a
//! random or platform-dependent order, so a replication is a pure function of its seed.
//! Time and sequence are packed into one `u128` key: one comparison per heap step.
//! Cancelled events are not removed; their handlers recognise them as stale (lazy
//! cancellation), which is cheaper than searching the heap.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::model::Micros;

struct Entry<E> {
    key: u128,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl<E> Eq for Entry<E> {}

impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Entry<E> {
    /// Reversed: `BinaryHeap` is a max-heap and the earliest key must come first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// Pending events of one replication.
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    seq: u64,
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(1024),
            seq: 0,
        }
    }

    /// Schedules `event` at `time`, after every event already scheduled for that time.
    #[inline]
    pub fn push(&mut self, time: Micros, event: E) {
        let key = (u128::from(time) << 64) | u128::from(self.seq);
        self.seq += 1;
        self.heap.push(Entry { key, event });
    }

    /// A key for an event kept outside the heap, ordered as if it had been pushed now.
    #[inline]
    pub fn key(&mut self, time: Micros) -> u128 {
        let key = (u128::from(time) << 64) | u128::from(self.seq);
        self.seq += 1;
        key
    }

    /// The earliest key in the heap (`u128::MAX` if empty).
    #[inline]
    pub fn peek_key(&self) -> u128 {
        self.heap.peek().map_or(u128::MAX, |e| e.key)
    }

    /// The earliest event and its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(Micros, E)> {
        self.heap.pop().map(|e| ((e.key >> 64) as Micros, e.event))
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Events pending (stale ones included).
    pub fn len(&self) -> usize {
        self.heap.len()
    }
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_times_come_out_in_scheduling_order() {
        let mut q = EventQueue::new();
        q.push(5, 'a');
        q.push(3, 'b');
        q.push(5, 'c');
        q.push(3, 'd');
        let order: Vec<char> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['b', 'd', 'a', 'c']);
    }
}
