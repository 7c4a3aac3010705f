// Zeroed, 64-byte aligned blocks for long-lived engine buffers (weights, activations, optimizer state).
// Blocks of 64 KiB and more come straight from the OS (mmap on POSIX) and go back to it on free. Why: glibc's
// malloc raises its mmap threshold after the first large free, so later ~100 KiB-1 MiB model blocks land on the brk
// heap, where small GC-freed objects pin the gaps: creating and disposing many models then grew RSS by tens of MiB
// (measured by test/models/memory.test.ts's author). Direct mappings make dispose() return the memory at once.
#pragma once
#include <cstddef>

namespace simdnet {

// nullptr on failure (never throws). block_free(nullptr) is a no-op.
void* block_alloc(size_t bytes) noexcept;
void block_free(void* p) noexcept;

// Maps in the pages of [p, p + bytes) that lie wholly inside it, writable, in one system call (Linux 5.14+
// MADV_POPULATE_WRITE; elsewhere, or when the kernel refuses, nothing happens and the pages fault in when written).
// Contents are unchanged. Why: writing a fresh 188 MB block page by page faulted 46,000 times, 68-70 ms on the
// Intel Xeon KVM host, against 43 ms populated in 256 KiB calls (lib/engine/snapshot.ts's copy).
void prefault_write(void* p, size_t bytes) noexcept;

}  // namespace simdnet
