#pragma once
// Runs independent jobs on a few threads: fn(i) for every i in [0, n), each exactly once, in
// no particular order, on up to `threads` threads (in the calling thread when 1 or n <= 1).
// fn must not throw; it may run concurrently with itself for different i.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace certkeep {

// Threads worth using for work that mixes small reads with parsing: the cores, at most `cap`.
inline int usefulThreads(int cap) {
    unsigned cores = std::thread::hardware_concurrency();
    return std::clamp(static_cast<int>(cores == 0 ? 1 : cores), 1, std::max(cap, 1));
}

template <typename Fn> void parallelFor(std::size_t n, int threads, Fn&& fn) {
    std::size_t count = std::min<std::size_t>(static_cast<std::size_t>(std::max(threads, 1)), n);
    if (count <= 1) {
        for (std::size_t i = 0; i < n; ++i) {
            fn(i);
        }
        return;
    }
    std::atomic<std::size_t> next{0};
    auto work = [&next, n, &fn] {
        for (std::size_t i = next++; i < n; i = next++) {
            fn(i);
        }
    };
    std::vector<std::thread> pool;
    pool.reserve(count - 1);
    for (std::size_t t = 1; t < count; ++t) {
        pool.emplace_back(work);
    }
    work(); // the calling thread takes a share too
    for (auto& t : pool) {
        t.join();
    }
}

} // namespace certkeep
