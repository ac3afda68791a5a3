//! Wait distributions: exact integer histograms of the waits of answered contacts, and
//! the quantiles (`wait_p50_seconds`, …) with their confidence intervals read from them.
//!
//! A wait goes into a bucket whose index is computed arithmetically (O(1), no search):
//! bucket 0 holds the waits of exactly zero (answered at once); then whole seconds, one
//! bucket per second below 2^m seconds; beyond, each doubling [2^k, 2^(k+1)) is split into
//! 2^(m−1) buckets of equal width (HDR-style, log-linear), so a bucket is at most 2/2^m
//! of its lower edge wide. Two layouts share that rule ([`Layout`]):
//!
//! - [`FINE`] (m = 8) for every call column over the whole window: exact to the second
//!   below 256 s, within 0.78 % beyond, up to 2^21 s (24 days; longer waits fall in the
//!   last bucket). 1,921 buckets.
//! - [`COARSE`] (m = 2) per interval × call column, where a hundred thousand interval ×
//!   call columns must stay cheap: exact to the second below 4 s, within 50 % up to 384 s,
//!   one open bucket beyond. 19 buckets.
//!
//! Counts are integers, so replications, threads and shards add to the same bytes in any
//! order. Across replications each bucket b keeps, as 128-bit integers, ΣC, ΣC² and ΣC·A
//! over replications, where C is the replication's count of waits in buckets ≤ b and A its
//! count of answered waits: the moments a ratio estimator of the distribution function
//! F(b) = ΣC / ΣA needs for its delta-method interval. The quantile and its interval are
//! read from them in [`WaitMoments::quantile`] (Woodruff's method).

use serde::{Deserialize, Serialize};

use crate::summary::Estimate;

/// A bucket layout: zero, then whole seconds below 2^`sub_log2`, then 2^(`sub_log2` − 1)
/// buckets per doubling, `buckets` in all (the last one open-ended).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub sub_log2: u32,
    pub buckets: usize,
}

/// Per call column over the whole window.
pub const FINE: Layout = Layout {
    sub_log2: 8,
    buckets: 1 + 256 + 13 * 128,
};

/// Per interval × call column.
pub const COARSE: Layout = Layout {
    sub_log2: 2,
    buckets: 1 + 4 + 7 * 2,
};

impl Layout {
    /// The bucket of a wait of `wait_us` µs.
    #[inline]
    pub fn index(self, wait_us: u64) -> usize {
        if wait_us == 0 {
            return 0;
        }
        self.index_of_seconds(wait_us / 1_000_000)
    }

    /// The bucket of a positive wait of `s` whole seconds (and a fraction).
    #[inline]
    fn index_of_seconds(self, s: u64) -> usize {
        let m = self.sub_log2;
        let i = if s < (1 << m) {
            s as usize
        } else {
            let k = 63 - s.leading_zeros();
            let half = 1usize << (m - 1);
            (1usize << m) + (k - m) as usize * half + ((s >> (k - m + 1)) as usize - half)
        };
        (1 + i).min(self.buckets - 1)
    }

    /// The lower edge of bucket `b`, seconds.
    pub fn lower(self, b: usize) -> f64 {
        if b == 0 {
            return 0.0;
        }
        let (i, m) = (b - 1, self.sub_log2);
        let (sub, half) = (1usize << m, 1usize << (m - 1));
        if i < sub {
            return i as f64;
        }
        let (j, r) = ((i - sub) / half, (i - sub) % half);
        ((half + r) as f64) * 2f64.powi((j + 1) as i32)
    }

    /// The upper edge of bucket `b`, seconds (`None`: the last, open bucket).
    pub fn upper(self, b: usize) -> Option<f64> {
        match b {
            0 => Some(0.0),
            _ if b + 1 >= self.buckets => None,
            _ => Some(self.lower(b + 1)),
        }
    }
}

/// One replication's wait counts: [`FINE`] per call column over the window, [`COARSE`]
/// per interval × call column (columns as in [`crate::stats::RepStats`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitCounts {
    pub columns: usize,
    /// `[column * FINE.buckets + bucket]`.
    pub day: Vec<u32>,
    /// `[(interval * columns + column) * COARSE.buckets + bucket]`.
    pub intervals: Vec<u32>,
}

impl WaitCounts {
    pub fn new(intervals: usize, columns: usize) -> WaitCounts {
        WaitCounts {
            columns,
            day: vec![0; columns * FINE.buckets],
            intervals: vec![0; intervals * columns * COARSE.buckets],
        }
    }

    /// Counts an answered wait of `wait_us` in `column`, for a contact of `interval`. A
    /// count never passes 2^32: a replication has fewer legs ([`crate::model::limits`]).
    #[inline]
    pub fn add(&mut self, interval: usize, column: usize, wait_us: u64) {
        let (fine, coarse) = if wait_us == 0 {
            (0, 0)
        } else {
            let s = wait_us / 1_000_000;
            (FINE.index_of_seconds(s), COARSE.index_of_seconds(s))
        };
        self.day[column * FINE.buckets + fine] += 1;
        self.intervals[(interval * self.columns + column) * COARSE.buckets + coarse] += 1;
    }

    /// Takes a wait out of `column` (modulo 2^32, so before what [`WaitCounts::sum_columns`]
    /// adds in): a transfer's wait, which the customer-contacts column leaves out.
    #[cold]
    pub fn take(&mut self, interval: usize, column: usize, wait_us: u64) {
        let day = &mut self.day[column * FINE.buckets + FINE.index(wait_us)];
        *day = day.wrapping_sub(1);
        let at = (interval * self.columns + column) * COARSE.buckets + COARSE.index(wait_us);
        self.intervals[at] = self.intervals[at].wrapping_sub(1);
    }

    /// At a replication's end: adds each call type's counts (the first
    /// `channels.len()` columns; `channels[t]` is type t's channel) into its channel's
    /// column and into the last ("all") column.
    pub fn sum_columns(&mut self, channels: &[usize]) {
        let types = channels.len();
        let all = self.columns - 1;
        let add = |counts: &mut [u32], buckets: usize, from: usize, to: usize| {
            for b in 0..buckets {
                let v = counts[from * buckets + b];
                counts[to * buckets + b] = counts[to * buckets + b].wrapping_add(v);
            }
        };
        let intervals = self.intervals.len() / (self.columns * COARSE.buckets);
        for (t, &c) in channels.iter().enumerate() {
            for to in [types + c, all] {
                add(&mut self.day, FINE.buckets, t, to);
                for i in 0..intervals {
                    add(
                        &mut self.intervals,
                        COARSE.buckets,
                        i * self.columns + t,
                        i * self.columns + to,
                    );
                }
            }
        }
    }

    /// Lets the counts go: a replication kept whole by `staff` or `compare`, which report
    /// no quantiles, holds none (its quantiles are then undefined).
    pub fn clear(&mut self) {
        self.day = Vec::new();
        self.intervals = Vec::new();
    }

    /// Bytes of the counts of a centre of this size: 4 per bucket.
    pub fn bytes_for(intervals: usize, columns: usize) -> u128 {
        4 * columns as u128 * (FINE.buckets as u128 + intervals as u128 * COARSE.buckets as u128)
    }

    pub fn add_assign(&mut self, other: &WaitCounts) {
        for (a, b) in self.day.iter_mut().zip(&other.day) {
            *a = a.saturating_add(*b);
        }
        for (a, b) in self.intervals.iter_mut().zip(&other.intervals) {
            *a = a.saturating_add(*b);
        }
    }
}

/// The moments of the wait counts over replications: per bucket ΣC, ΣC², ΣC·A (see the
/// module's comment); [`FINE`] for the window row, [`COARSE`] per interval.
///
/// As [`crate::stats::Moments`] does, it stores only ΣC while it holds at most one
/// replication (whose C² and C·A follow from its counts), and every moment once a second
/// is added, or when written or merged.
#[derive(Debug, Clone, Deserialize)]
pub struct WaitMoments {
    columns: usize,
    intervals: usize,
    /// Per bucket ΣC, ΣC², ΣC·A (only ΣC while `implied`).
    #[serde(deserialize_with = "crate::stats::bounded")]
    day: Vec<u128>,
    #[serde(deserialize_with = "crate::stats::bounded")]
    per_interval: Vec<u128>,
    /// ΣC² and ΣC·A are implied by ΣC (at most one replication held).
    #[serde(skip)]
    pub(crate) implied: bool,
    /// Replications added while `implied` (0 or 1).
    #[serde(skip)]
    held: u64,
}

/// [`WaitMoments`] as part files hold it: every moment stored.
#[derive(Serialize)]
struct StoredWaitMoments<'a> {
    columns: usize,
    intervals: usize,
    day: &'a [u128],
    per_interval: &'a [u128],
}

impl Serialize for WaitMoments {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let full = self.full();
        StoredWaitMoments {
            columns: full.columns,
            intervals: full.intervals,
            day: &full.day,
            per_interval: &full.per_interval,
        }
        .serialize(serializer)
    }
}

impl PartialEq for WaitMoments {
    /// Equal moments, whether stored or implied.
    fn eq(&self, other: &WaitMoments) -> bool {
        let (a, b) = (self.full(), other.full());
        a.columns == b.columns && a.intervals == b.intervals && a.day == b.day && a.per_interval == b.per_interval
    }
}

impl Eq for WaitMoments {}

/// Every moment of cumulative counts `c` (ΣC per bucket of one histogram of one
/// replication): C, C², C·A per bucket, A the last bucket's C (the total).
fn implied_moments(c: &[u128], into: &mut Vec<u128>) {
    let total = c.last().copied().unwrap_or(0);
    into.extend(c.iter().flat_map(|&c| [c, c.wrapping_mul(c), c.wrapping_mul(total)]));
}

/// Adds one histogram's cumulative moments (C, C², C·A per bucket) to `sums`.
fn add_cumulative(sums: &mut [u128], counts: &[u32]) {
    let total: u128 = counts.iter().map(|&c| u128::from(c)).sum();
    if total == 0 {
        return;
    }
    let mut c = 0u128;
    for (b, &n) in counts.iter().enumerate() {
        c += u128::from(n);
        let s = &mut sums[3 * b..3 * b + 3];
        s[0] = s[0].wrapping_add(c);
        s[1] = s[1].wrapping_add(c * c);
        s[2] = s[2].wrapping_add(c * total);
    }
}

/// Adds one histogram's cumulative counts (ΣC only, see [`WaitMoments`]) to `sums`.
fn add_counts(sums: &mut [u128], counts: &[u32]) {
    let mut c = 0u128;
    for (s, &n) in sums.iter_mut().zip(counts) {
        c += u128::from(n);
        *s = s.wrapping_add(c);
    }
}

impl WaitMoments {
    pub fn new(intervals: usize, columns: usize) -> WaitMoments {
        WaitMoments {
            columns,
            intervals,
            day: vec![0; columns * FINE.buckets],
            per_interval: vec![0; intervals * columns * COARSE.buckets],
            implied: true,
            held: 0,
        }
    }

    /// Numbers held per bucket: 1 while the second moments are implied, else 3.
    fn per_bucket(&self) -> usize {
        if self.implied { 1 } else { 3 }
    }

    /// These moments with every moment stored (borrowed if they are).
    fn full(&self) -> std::borrow::Cow<'_, WaitMoments> {
        if self.implied {
            let mut full = self.clone();
            full.store_second_moments();
            std::borrow::Cow::Owned(full)
        } else {
            std::borrow::Cow::Borrowed(self)
        }
    }

    /// Stores the moments ΣC implies (see [`WaitMoments`]).
    pub(crate) fn store_second_moments(&mut self) {
        if !self.implied {
            return;
        }
        let expand = |sums: &[u128], buckets: usize| {
            let mut full = Vec::with_capacity(3 * sums.len());
            for histogram in sums.chunks(buckets) {
                implied_moments(histogram, &mut full);
            }
            full
        };
        self.day = expand(&self.day, FINE.buckets);
        self.per_interval = expand(&self.per_interval, COARSE.buckets);
        self.implied = false;
    }

    /// Numbers held for a centre of this size (16 bytes each).
    pub fn sums_for(intervals: usize, columns: usize) -> u128 {
        3 * columns as u128 * (FINE.buckets as u128 + intervals as u128 * COARSE.buckets as u128)
    }

    pub fn has_shape(&self, intervals: usize, columns: usize) -> bool {
        let k = self.per_bucket();
        self.columns == columns
            && self.intervals == intervals
            && self.day.len() == k * columns * FINE.buckets
            && self.per_interval.len() == k * intervals * columns * COARSE.buckets
    }

    /// Call columns.
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// Same grid as `other`, each with the sums it needs.
    pub fn same_shape(&self, other: &WaitMoments) -> bool {
        self.has_shape(other.intervals, other.columns) && other.has_shape(self.intervals, self.columns)
    }

    pub fn bytes(&self) -> usize {
        16 * (self.day.len() + self.per_interval.len())
    }

    /// Adds one replication's counts.
    pub fn add(&mut self, rep: &WaitCounts) {
        if rep.day.is_empty() {
            return; // let go (see [`WaitCounts::clear`])
        }
        let (f, c) = (FINE.buckets, COARSE.buckets);
        if self.implied && self.held == 0 {
            self.held = 1;
            for (sums, counts) in self.day.chunks_mut(f).zip(rep.day.chunks(f)) {
                add_counts(sums, counts);
            }
            for (sums, counts) in self.per_interval.chunks_mut(c).zip(rep.intervals.chunks(c)) {
                add_counts(sums, counts);
            }
            return;
        }
        self.store_second_moments();
        for col in 0..self.columns {
            add_cumulative(
                &mut self.day[3 * col * f..3 * (col + 1) * f],
                &rep.day[col * f..(col + 1) * f],
            );
        }
        for cell in 0..self.intervals * self.columns {
            add_cumulative(
                &mut self.per_interval[3 * cell * c..3 * (cell + 1) * c],
                &rep.intervals[cell * c..(cell + 1) * c],
            );
        }
    }

    /// The `p`-quantile of the waits of answered contacts in `column`, over the window
    /// (`interval` `None`) or in one interval, over `n` replications (`t`: the Student-t
    /// 0.975 quantile with n − 1 degrees of freedom).
    ///
    /// The estimate is the smallest wait w with F(w) ≥ p, F the pooled distribution
    /// function ΣC/ΣA, read by linear interpolation inside the bucket that holds it (a
    /// bucket of zero waits gives 0; in the open last bucket there is no estimate). Its
    /// 95 % interval is Woodruff's: the delta-method half-width h of the ratio estimator
    /// F at that bucket (from the replications' C and A, as every rate's) is carried
    /// through the inverse, widened to whole buckets (from the lower edge of the bucket
    /// holding p − h to the upper edge of the one holding p + h), so the histogram's
    /// resolution is inside it; `ci95` is the larger of its two sides, a symmetric
    /// interval that holds it (unbounded, and so not reported, when p + h reaches the
    /// open bucket).
    pub fn quantile(&self, interval: Option<usize>, column: usize, p: f64, n: u64, t: f64) -> Estimate {
        let k = self.per_bucket();
        let (layout, sums) = match interval {
            None => (
                FINE,
                &self.day[k * column * FINE.buckets..k * (column + 1) * FINE.buckets],
            ),
            Some(i) => {
                let cell = i * self.columns + column;
                let c = COARSE.buckets;
                (COARSE, &self.per_interval[k * cell * c..k * (cell + 1) * c])
            }
        };
        let none = Estimate { mean: None, ci95: None };
        let buckets = layout.buckets;
        let k = self.per_bucket();
        let (first, last) = (|b: usize| sums[k * b], sums[k * (buckets - 1)]);
        // The moments of bucket b: ΣC, ΣC², ΣC·A (implied by ΣC for one replication).
        let moment = |b: usize, which: usize| match (self.implied, which) {
            (false, _) => sums[3 * b + which],
            (true, 0) => first(b),
            (true, 1) => first(b).wrapping_mul(first(b)),
            (true, _) => first(b).wrapping_mul(last),
        };
        let total = to_f64(last);
        if n == 0 || total == 0.0 {
            return none;
        }
        let cdf = |b: usize| to_f64(first(b)) / total;
        // The smallest w with F(w) ≥ q, interpolated inside its bucket.
        // The first bucket b with F(b) ≥ q (the last if none): F never decreases, so a
        // binary search finds it.
        let first_at_least = |q: f64| {
            let (mut low, mut high) = (0, buckets);
            while low < high {
                let mid = (low + high) / 2;
                if cdf(mid) < q {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
            low.min(buckets - 1)
        };
        let inverse = |q: f64| -> f64 {
            let q = q.clamp(0.0, 1.0);
            let b = first_at_least(q);
            let below = if b == 0 { 0.0 } else { cdf(b - 1) };
            let lower = layout.lower(b);
            match layout.upper(b) {
                Some(upper) if cdf(b) > below => lower + (upper - lower) * ((q - below) / (cdf(b) - below)).max(0.0),
                _ => lower,
            }
        };
        let bucket_of = |q: f64| first_at_least(q.clamp(0.0, 1.0));
        // A quantile in the open last bucket is only known to be beyond its lower edge:
        // not reported (the window's layout reaches 24 days, an interval's 384 s).
        if layout.upper(bucket_of(p)).is_none() {
            return none;
        }
        let estimate = inverse(p);
        let ci95 = (n > 1).then(|| {
            let b = first_at_least(p);
            let (sc, sa) = (to_f64(moment(b, 0)), total);
            let (qc, qa, qca) = (
                to_f64(moment(b, 1)),
                to_f64(moment(buckets - 1, 1)),
                to_f64(moment(b, 2)),
            );
            let f = sc / sa;
            let ss = qc - 2.0 * f * qca + f * f * qa;
            let ss = if ss <= 1e-12 * qc.max(f * f * qa) { 0.0 } else { ss };
            let n = n as f64;
            let h = t * (ss / (n - 1.0)).sqrt() / n.sqrt() / (sa / n);
            // Inside a bucket the waits' spread is unknown (the interpolation assumes it
            // even): the interval runs from the lower edge of the bucket holding p − h to
            // the upper edge of the one holding p + h, so the bucket width is in it too.
            let low = layout.lower(bucket_of(p - h));
            let high = layout.upper(bucket_of(p + h)).unwrap_or(f64::INFINITY);
            (estimate - low).max(high - estimate)
        });
        Estimate {
            mean: Some(estimate),
            ci95: ci95.filter(|c| c.is_finite()),
        }
    }
}

/// A sum as `f64` (the cheap conversion of a u64 where it fits, the same value).
#[inline]
fn to_f64(x: u128) -> f64 {
    match u64::try_from(x) {
        Ok(small) => small as f64,
        Err(_) => x as f64,
    }
}

impl std::ops::AddAssign<&WaitMoments> for WaitMoments {
    fn add_assign(&mut self, other: &WaitMoments) {
        self.store_second_moments();
        let other = other.full();
        for (a, b) in self.day.iter_mut().zip(&other.day) {
            *a = a.wrapping_add(*b);
        }
        for (a, b) in self.per_interval.iter_mut().zip(&other.per_interval) {
            *a = a.wrapping_add(*b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_whole_seconds_then_log_linear() {
        let s = |x: f64| (x * 1e6) as u64;
        assert_eq!(FINE.index(0), 0);
        assert_eq!(FINE.index(1), 1);
        assert_eq!(FINE.index(s(0.999_999)), 1);
        assert_eq!(FINE.index(s(1.0)), 2);
        assert_eq!(FINE.index(s(255.9)), 256);
        assert_eq!(FINE.index(s(256.0)), 257);
        assert_eq!(FINE.index(s(257.9)), 257);
        assert_eq!(FINE.index(s(258.0)), 258);
        assert_eq!(FINE.index(u64::MAX), FINE.buckets - 1);
        // Every bucket's edges bound the waits it holds, and no bucket is wider than
        // 2/2^m of its lower edge beyond the whole seconds.
        for layout in [FINE, COARSE] {
            for b in 1..layout.buckets - 1 {
                let (lo, hi) = (layout.lower(b), layout.upper(b).unwrap());
                assert!(hi > lo);
                assert_eq!(layout.index(s(lo).max(1)), b, "{layout:?} {b}");
                assert_eq!(layout.index(s(hi) - 1), b, "{layout:?} {b}");
                if lo >= (1 << layout.sub_log2) as f64 {
                    assert!((hi - lo) / lo <= 2.0 / (1 << layout.sub_log2) as f64 + 1e-12);
                }
            }
        }
        assert_eq!(FINE.lower(FINE.buckets - 1), 2f64.powi(21) - 2f64.powi(13));
        assert_eq!(COARSE.lower(COARSE.buckets - 1), 384.0);
    }

    #[test]
    fn quantiles_of_one_replication_interpolate_inside_their_bucket() {
        let mut counts = WaitCounts::new(1, 1);
        // Ten waits: four of zero, then 10.5 s … 15.5 s.
        for w in [0.0, 0.0, 0.0, 0.0, 10.5, 11.5, 12.5, 13.5, 14.5, 15.5] {
            counts.add(0, 0, (w * 1e6) as u64);
        }
        let mut m = WaitMoments::new(1, 1);
        m.add(&counts);
        assert_eq!(m.quantile(None, 0, 0.3, 1, f64::NAN).mean, Some(0.0));
        // p = 0.5: the fifth wait, in bucket [10, 11): F goes 0.4 → 0.5 over it.
        assert_eq!(m.quantile(None, 0, 0.5, 1, f64::NAN).mean, Some(11.0));
        assert_eq!(m.quantile(None, 0, 0.45, 1, f64::NAN).mean, Some(10.5));
        // The coarse layout: [8, 12) holds two of ten.
        assert_eq!(m.quantile(Some(0), 0, 0.5, 1, f64::NAN).mean, Some(10.0));
    }

    #[test]
    fn intervals_hold_the_bucket_and_the_open_bucket_has_no_estimate() {
        // Two identical replications: no sampling spread (h = 0), so the interval is the
        // bucket that holds the quantile, read around the interpolated estimate.
        let mut counts = WaitCounts::new(1, 1);
        for w in [0.0, 0.0, 0.0, 0.0, 10.5, 11.5, 12.5, 13.5, 500.0, 600.0] {
            counts.add(0, 0, (w * 1e6) as u64);
        }
        let mut m = WaitMoments::new(1, 1);
        m.add(&counts);
        m.add(&counts);
        let t = 12.706; // t(0.975, 1)
        // Coarse [8, 12) holds p = 0.5 at 10: the interval reaches both edges, ±2 s.
        let e = m.quantile(Some(0), 0, 0.5, 2, t);
        assert_eq!((e.mean, e.ci95), (Some(10.0), Some(2.0)));
        // Fine, whole seconds: [10, 11) holds p = 0.45 at 10.5, ±0.5 s.
        let e = m.quantile(None, 0, 0.45, 2, t);
        assert_eq!((e.mean, e.ci95), (Some(10.5), Some(0.5)));
        // p = 0.9 lies beyond 384 s: the coarse layout's open bucket gives no figure, the
        // fine layout one.
        assert_eq!(m.quantile(Some(0), 0, 0.9, 2, t).mean, None);
        assert!(
            m.quantile(None, 0, 0.9, 2, t)
                .mean
                .is_some_and(|w| (496.0..512.0).contains(&w))
        );
    }
}
