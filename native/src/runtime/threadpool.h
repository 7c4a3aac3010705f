// A persistent pool of worker threads (created once, reused by every parallel kernel and the training engine).
// parallel_for(n, fn) calls fn(begin, end, thread_index) on disjoint ranges covering [0, n) and returns when all
// are done; the calling thread takes part, so threads() == 1 means everything runs inline. Nested calls from inside
// a task run inline. set_threads(t) (t >= 1) resizes the pool; default: std::thread::hardware_concurrency().
// SIMDNET_THREADS in the environment sets the default.
#pragma once
#include <cstddef>
#include <functional>

namespace simdnet {

size_t get_threads();
void set_threads(size_t threads);
void parallel_for(size_t n, const std::function<void(size_t begin, size_t end, size_t thread)>& fn,
                  size_t threads = 0 /* 0 = get_threads() */);

}  // namespace simdnet
