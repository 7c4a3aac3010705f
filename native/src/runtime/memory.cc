#include "runtime/memory.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#define SIMDNET_HAVE_MMAP 1
#else
#define SIMDNET_HAVE_MMAP 0
#endif

namespace simdnet {
namespace {

// Every block starts with a 64-byte header (keeps the payload 64-byte aligned) recording how it was obtained.
struct Header {
  size_t total;  // bytes mapped or allocated, header included
  uint32_t mapped;
  uint32_t magic;
};
constexpr size_t kHeader = 64;
constexpr uint32_t kMagic = 0x53444e42;  // "SDNB"
constexpr size_t kMapThreshold = 64 * 1024;
static_assert(sizeof(Header) <= kHeader, "header fits");

}  // namespace

void* block_alloc(size_t bytes) noexcept {
  if (bytes > SIZE_MAX - 2 * kHeader) return nullptr;
  const size_t total = (bytes + kHeader + 63) / 64 * 64;
  void* base = nullptr;
  uint32_t mapped = 0;
#if SIMDNET_HAVE_MMAP
  if (total >= kMapThreshold) {
    void* m = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return nullptr;
    base = m;  // anonymous mappings are zero-filled
    mapped = 1;
  }
#endif
  if (!base) {
#if defined(_MSC_VER)
    base = _aligned_malloc(total, 64);
#else
    base = std::aligned_alloc(64, total);
#endif
    if (!base) return nullptr;
    std::memset(base, 0, total);
  }
  Header* h = static_cast<Header*>(base);
  h->total = total;
  h->mapped = mapped;
  h->magic = kMagic;
  return static_cast<char*>(base) + kHeader;
}

void block_free(void* p) noexcept {
  if (!p) return;
  void* base = static_cast<char*>(p) - kHeader;
  Header* h = static_cast<Header*>(base);
  if (h->magic != kMagic) return;  // not ours: leaking beats corrupting the heap
  h->magic = 0;
#if SIMDNET_HAVE_MMAP
  if (h->mapped) {
    munmap(base, h->total);
    return;
  }
#endif
#if defined(_MSC_VER)
  _aligned_free(base);
#else
  std::free(base);
#endif
}

void prefault_write(void* p, size_t bytes) noexcept {
#if defined(__linux__)
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // linux/mman.h, 5.14; older kernels answer EINVAL
#endif
  constexpr uintptr_t kPage = 4096;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + kPage - 1) & ~(kPage - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kPage - 1);
  if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
#else
  (void)p;
  (void)bytes;
#endif
}

}  // namespace simdnet
