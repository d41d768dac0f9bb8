//! Byte ranges a message's readers have read, asked "does any range overlap (or cover) this
//! span?" by binary search: the ranges sorted by start, each with the largest end up to it. A
//! scan of every range per word made long messages quadratic.

/// Sorted ranges with a running maximum end.
pub struct Spans(Vec<(usize, usize)>);

impl Spans {
    pub fn new(mut ranges: Vec<(usize, usize)>) -> Spans {
        ranges.sort_unstable();
        let mut max_end = 0;
        for r in &mut ranges {
            max_end = max_end.max(r.1);
            r.1 = max_end;
        }
        Spans(ranges)
    }

    /// Whether some range overlaps `start..end`.
    pub fn overlaps(&self, start: usize, end: usize) -> bool {
        let n = self.0.partition_point(|r| r.0 < end);
        n > 0 && self.0[n - 1].1 > start
    }

    /// Whether some range holds all of `start..end`.
    pub fn covers(&self, start: usize, end: usize) -> bool {
        let n = self.0.partition_point(|r| r.0 <= start);
        n > 0 && self.0[n - 1].1 >= end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_like_a_scan() {
        let ranges = vec![(10, 14), (0, 3), (5, 30), (40, 41), (12, 13), (50, 60), (52, 70)];
        let spans = Spans::new(ranges.clone());
        for start in 0..75 {
            for end in start + 1..76 {
                let overlap = ranges.iter().any(|&(s, e)| s < end && start < e);
                let cover = ranges.iter().any(|&(s, e)| s <= start && end <= e);
                assert_eq!(spans.overlaps(start, end), overlap, "overlap {start}..{end}");
                assert_eq!(spans.covers(start, end), cover, "cover {start}..{end}");
            }
        }
        assert!(!Spans::new(Vec::new()).overlaps(0, 5) && !Spans::new(Vec::new()).covers(0, 5));
    }
}
