//! The future-event list: a binary heap ordered by (time, sequence number).
//!
//! Events at the same microsecond come out in the order they were scheduled, never in a
//! random or platform-dependent order, so a replication is a pure function of its seed.
//! Time and sequence are packed into one `u128` key: one comparison per heap step.
//! Cancelled events are not removed; their handlers recognise them as stale (lazy
//! cancellation), which is cheaper than searching the heap.
//!
//! Regular ticks (the interval boundaries: up to 100,001 of them, all known at the start)
//! are not heap entries: [`EventQueue::schedule_ticks`] gives them the first sequence
//! numbers, as if pushed first, and the queue yields the next tick when its key is below
//! the heap's top. The heap then holds only what is really pending (about one event per
//! busy agent), so each pop sifts through a few levels instead of one per doubling of the
//! intervals; the order is the same, key for key.
//!
//! [`Tournament`] holds keys kept apart from the queue (each call type's pending
//! arrival) under keys taken from the queue's own counter ([`EventQueue::key`]), so that
//! comparing the two tops orders them exactly as if they were one heap.

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

/// Ticks `next..count` at `start + k × step`, with sequence numbers `k`, and the event
/// each stands for.
struct Ticks<E> {
    next: u64,
    count: u64,
    start: Micros,
    step: Micros,
    make: fn(u32) -> E,
}

impl<E> Ticks<E> {
    /// The next tick's key (`u128::MAX` once all are out).
    #[inline]
    fn key(&self) -> u128 {
        if self.next < self.count {
            (u128::from(self.start + self.next * self.step) << 64) | u128::from(self.next)
        } else {
            u128::MAX
        }
    }
}

/// Pending events of one replication.
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    seq: u64,
    ticks: Ticks<E>,
    /// The next tick's key, kept so that looking at the queue's head (once per event)
    /// does not compute it again.
    next_tick: u128,
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(1024),
            seq: 0,
            ticks: Ticks {
                next: 0,
                count: 0,
                start: 0,
                step: 0,
                make: |_| unreachable!("no ticks scheduled"),
            },
            next_tick: u128::MAX,
        }
    }

    /// Schedules `count` ticks, `make(k)` at `start + k × step` for `k = 0..count`,
    /// exactly as `count` pushes in that order would, on a queue nothing was scheduled
    /// on yet. `start + (count − 1) × step` must not overflow.
    pub fn schedule_ticks(&mut self, start: Micros, step: Micros, count: u32, make: fn(u32) -> E) {
        assert!(self.seq == 0 && self.ticks.count == 0, "ticks come first");
        self.ticks = Ticks {
            next: 0,
            count: u64::from(count),
            start,
            step,
            make,
        };
        self.next_tick = self.ticks.key();
        self.seq = u64::from(count);
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

    /// The earliest key pending (`u128::MAX` if none).
    #[inline]
    pub fn peek_key(&self) -> u128 {
        self.heap.peek().map_or(u128::MAX, |e| e.key).min(self.next_tick)
    }

    /// The earliest event and its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(Micros, E)> {
        let tick = self.next_tick;
        if self.heap.peek().is_none_or(|e| tick < e.key) {
            if tick == u128::MAX {
                return None;
            }
            let k = self.ticks.next;
            self.ticks.next += 1;
            self.next_tick = self.ticks.key();
            // k < count ≤ u32::MAX.
            return Some(((tick >> 64) as Micros, (self.ticks.make)(k as u32)));
        }
        self.heap.pop().map(|e| ((e.key >> 64) as Micros, e.event))
    }

    /// Keeps only the events `live` says are (the order of those kept is unchanged: keys
    /// are unique). O(n): for dropping cancelled events when they would matter.
    pub fn retain(&mut self, mut live: impl FnMut(&E) -> bool) {
        self.heap.retain(|e| live(&e.event));
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty() && self.ticks.next >= self.ticks.count
    }

    /// Events pending (stale ones and ticks to come included).
    pub fn len(&self) -> usize {
        self.heap.len() + (self.ticks.count - self.ticks.next) as usize
    }
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

/// One pending key per slot `0..n` (each call type's next arrival), under keys from
/// [`EventQueue::key`] (unique, so the order is total): the earliest in O(1), and the
/// earliest replaced by a later key (a call type's next arrival) in exactly ⌈log₂ n⌉
/// comparisons, along its own path.
///
/// A tournament (loser) tree: each internal node keeps the slot that lost the match
/// played there, the winner of the whole goes on. A new key for the winner replays only
/// the matches on its way up, a compare and a conditional swap each, where a binary
/// heap's sift compares two children at every level and moves 32-byte entries. A slot
/// whose keys have run out holds `u128::MAX`, which loses every match.
pub struct Tournament {
    /// Slots.
    n: usize,
    /// `losers[k]` for internal node `k` in `1..n`: the slot that lost the match there,
    /// with its key (node `k`'s children are `2k` and `2k + 1`; slot `i` is leaf `n + i`).
    losers: Vec<(u128, u32)>,
    /// The slot that won every match on its way up, with its key.
    winner: (u128, u32),
}

impl Tournament {
    /// Slots `0..keys.len()` with their first keys (`u128::MAX`: none).
    pub fn new(keys: Vec<u128>) -> Tournament {
        let n = keys.len();
        assert!(u32::try_from(n).is_ok(), "slots are u32");
        let mut losers = vec![(u128::MAX, 0u32); n.max(1)];
        // Winners of the subtrees, bottom-up: `won[k]` for node k (leaves are slots).
        let mut won = vec![(u128::MAX, 0u32); 2 * n];
        for (i, &key) in keys.iter().enumerate() {
            won[n + i] = (key, i as u32);
        }
        for k in (1..n).rev() {
            let (a, b) = (won[2 * k], won[2 * k + 1]);
            (won[k], losers[k]) = if b.0 < a.0 { (b, a) } else { (a, b) };
        }
        let winner = if n == 0 { (u128::MAX, 0) } else { won[1] };
        Tournament { n, losers, winner }
    }

    /// The earliest key (`u128::MAX` if none).
    #[inline]
    pub fn peek_key(&self) -> u128 {
        self.winner.0
    }

    /// The earliest key and its slot, if any is below `u128::MAX`.
    #[inline]
    pub fn peek(&self) -> Option<(u128, u32)> {
        (self.winner.0 != u128::MAX).then_some(self.winner)
    }

    /// Gives the earliest slot a new key (`u128::MAX`: it has none left), which must not
    /// be below the one it replaces. Does nothing without slots.
    #[inline]
    pub fn replace_top_key(&mut self, key: u128) {
        let mut current = (key, self.winner.1);
        let mut node = (self.n + current.1 as usize) / 2;
        while node >= 1 {
            let loser = &mut self.losers[node];
            if loser.0 < current.0 {
                std::mem::swap(loser, &mut current);
            }
            node /= 2;
        }
        self.winner = current;
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

    #[test]
    fn pops_in_key_order_under_any_mix_of_pushes_and_pops() {
        // Against a sorted list, with many equal times (so the sequence decides).
        let mut q = EventQueue::new();
        let mut expected: Vec<(u64, u32)> = Vec::new();
        let mut x: u64 = 12345;
        let mut next = || {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            x >> 33
        };
        for k in 0..20_000u32 {
            if next() % 3 == 0 {
                let got = q.pop();
                let want = (!expected.is_empty()).then(|| expected.remove(0));
                assert_eq!(got, want, "pop {k}");
            } else {
                let t = next() % 500;
                q.push(t, k);
                let at = expected.partition_point(|&(u, _)| u <= t);
                expected.insert(at, (t, k));
            }
        }
        while let Some(e) = q.pop() {
            assert_eq!(e, expected.remove(0));
        }
        assert!(expected.is_empty());
    }

    #[test]
    fn ticks_come_out_as_if_pushed_first() {
        // Against the same events pushed one by one: ticks at 0, 10, 20, 30 first, then
        // events at equal and other times.
        let mut pushed = EventQueue::new();
        let mut ticked = EventQueue::new();
        for k in 0..4u32 {
            pushed.push(u64::from(k) * 10, 100 + k);
        }
        ticked.schedule_ticks(0, 10, 4, |k| 100 + k);
        for q in [&mut pushed, &mut ticked] {
            q.push(10, 1);
            q.push(5, 2);
            q.push(30, 3);
            q.push(31, 4);
        }
        assert_eq!(ticked.len(), 8);
        let mut order = Vec::new();
        while !ticked.is_empty() {
            assert_eq!(ticked.peek_key(), pushed.peek_key());
            let got = ticked.pop();
            assert_eq!(got, pushed.pop());
            order.push(got.unwrap().1);
            if order.len() == 3 {
                // Scheduled mid-way, the new event still keys after the ticks.
                ticked.push(20, 5);
                pushed.push(20, 5);
            }
        }
        assert_eq!(order, vec![100, 2, 101, 1, 102, 5, 103, 3, 4]);
        assert_eq!(ticked.pop(), None);
        assert_eq!(ticked.peek_key(), u128::MAX);
        assert_eq!(ticked.len(), 0);
    }

    #[test]
    fn a_tournament_interleaves_with_the_queue_as_one_heap() {
        let mut q = EventQueue::new();
        q.push(5, 'a');
        let first = [q.key(3), q.key(5)];
        q.push(3, 'b');
        let mut kept = Tournament::new(first.to_vec());
        let names = ['x', 'y'];
        // x's next key comes after its first: z at 4, then none.
        let mut next = [vec![q.key(4)], vec![]];
        let mut order = Vec::new();
        loop {
            let c = if kept.peek_key() < q.peek_key() {
                let (_, slot) = kept.peek().expect("a key below the maximum");
                kept.replace_top_key(next[slot as usize].pop().unwrap_or(u128::MAX));
                Some(names[slot as usize])
            } else {
                q.pop().map(|(_, c)| c)
            };
            match c {
                Some(c) => order.push(c),
                None => break,
            }
        }
        assert_eq!(order, vec!['x', 'b', 'x', 'a', 'y']);
        assert_eq!(kept.peek(), None);
    }

    #[test]
    fn a_tournament_yields_keys_in_order_for_any_number_of_slots() {
        // Against a sorted list: slots with streams of increasing keys, replaced as they
        // come out (with exhausted slots among them).
        let mut x: u64 = 99;
        let mut rand = || {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            x >> 33
        };
        for n in [0usize, 1, 2, 3, 5, 8, 13, 64, 400] {
            let mut streams: Vec<Vec<u128>> = (0..n)
                .map(|_| {
                    let mut t = 0u128;
                    let mut keys: Vec<u128> = (0..rand() % 20)
                        .map(|_| {
                            t += u128::from(rand() % 1000);
                            t
                        })
                        .collect();
                    keys.reverse();
                    keys
                })
                .collect();
            // Unique keys: time then slot.
            let key = |t: u128, slot: usize| (t << 16) | slot as u128;
            let mut expected: Vec<(u128, u32)> = streams
                .iter()
                .enumerate()
                .flat_map(|(i, s)| s.iter().map(move |&t| (key(t, i), i as u32)))
                .collect();
            expected.sort_unstable();
            let first = (0..n)
                .map(|i| streams[i].pop().map_or(u128::MAX, |t| key(t, i)))
                .collect();
            let mut tree = Tournament::new(first);
            let mut got = Vec::new();
            while let Some((k, slot)) = tree.peek() {
                got.push((k, slot));
                let i = slot as usize;
                tree.replace_top_key(streams[i].pop().map_or(u128::MAX, |t| key(t, i)));
            }
            assert_eq!(got, expected, "{n} slots");
            assert_eq!(tree.peek_key(), u128::MAX);
        }
    }
}
