//! One small unstable sort for the core's few sorts (object members, header names,
//! query parameters).
//!
//! Hand-written because `slice::sort_unstable_by` compiles to ~2.4 KB of wasm for each
//! element type (three in the npm package); a heapsort is a tenth of that, and its
//! O(n log n) worst case keeps hostile inputs (thousands of members or parameters at a
//! gateway) cheap. The inputs sorted are small, so its constant factor does not show.

/// Sorts `items` so that `less(a, b)` holds for no later `a` and earlier `b`.
pub(crate) fn sort_by<T>(items: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let len = items.len();
    for start in (0..len / 2).rev() {
        sift_down(items, start, len, &less);
    }
    for end in (1..len).rev() {
        items.swap(0, end);
        sift_down(items, 0, end, &less);
    }
}

fn sift_down<T>(items: &mut [T], mut node: usize, end: usize, less: &impl Fn(&T, &T) -> bool) {
    loop {
        let mut child = 2 * node + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(&items[child], &items[child + 1]) {
            child += 1;
        }
        if !less(&items[node], &items[child]) {
            return;
        }
        items.swap(node, child);
        node = child;
    }
}

#[cfg(test)]
mod tests {
    use super::sort_by;
    use alloc::vec::Vec;

    #[test]
    fn sorts_like_the_standard_library() {
        let mut seed = 0x2545_f491_u32;
        for len in 0..200 {
            let mut items: Vec<u32> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    seed % 50
                })
                .collect();
            let mut expected = items.clone();
            expected.sort_unstable();
            sort_by(&mut items, |a, b| a < b);
            assert_eq!(items, expected, "{len}");
        }
    }
}
