//! One small unstable sort for the core's few sorts (object members, header names,
//! query parameters).
//!
//! Hand-written because `slice::sort_unstable_by` compiles to ~2.4 KB of wasm for each
//! element type (three in the npm package); a heapsort is a tenth of that, and its
//! O(n log n) worst case keeps hostile inputs (thousands of members or parameters at a
//! gateway) cheap. The inputs sorted are small, so its constant factor does not show.

/// Sorts `items` so that `less(a, b)` holds for no later `a` and earlier `b`.
pub(crate) fn sort_by<T>(items: &mut [T], less: impl Fn(&T, &T) -> bool) {
    heapsort(&mut Slice { items, less });
}

/// What the heapsort needs of a slice, by index: the sort itself is compiled once, not
/// once per element type (a dynamic call per step costs nothing the inputs show).
trait Heap {
    fn len(&self) -> usize;
    fn less(&self, a: usize, b: usize) -> bool;
    fn swap(&mut self, a: usize, b: usize);
}

struct Slice<'a, T, F> {
    items: &'a mut [T],
    less: F,
}

impl<T, F: Fn(&T, &T) -> bool> Heap for Slice<'_, T, F> {
    fn len(&self) -> usize {
        self.items.len()
    }

    fn less(&self, a: usize, b: usize) -> bool {
        (self.less)(&self.items[a], &self.items[b])
    }

    fn swap(&mut self, a: usize, b: usize) {
        self.items.swap(a, b);
    }
}

fn heapsort(heap: &mut dyn Heap) {
    let len = heap.len();
    for start in (0..len / 2).rev() {
        sift_down(heap, start, len);
    }
    for end in (1..len).rev() {
        heap.swap(0, end);
        sift_down(heap, 0, end);
    }
}

fn sift_down(heap: &mut dyn Heap, mut node: usize, end: usize) {
    loop {
        let mut child = 2 * node + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && heap.less(child, child + 1) {
            child += 1;
        }
        if !heap.less(node, child) {
            return;
        }
        heap.swap(node, child);
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
