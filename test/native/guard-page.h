// Arrays that end exactly where an inaccessible page begins, so a kernel that reads or writes even one float past
// its n faults (SIGSEGV fails the test binary) instead of silently touching a neighbour. Masked SIMD tails (AVX2
// maskload/maskstore, AVX-512 opmasks, NEON stack buffers) must pass this for every n.
#pragma once
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>

namespace check {

class GuardedFloats {
 public:
  // Room for n floats (n * 4 <= one page) ending at a PROT_NONE page.
  explicit GuardedFloats(size_t n) : page_(static_cast<size_t>(sysconf(_SC_PAGESIZE))) {
    if (n * sizeof(float) > page_) std::abort();
    base_ = mmap(nullptr, 2 * page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base_ == MAP_FAILED || mprotect(static_cast<char*>(base_) + page_, page_, PROT_NONE) != 0) std::abort();
    data_ = reinterpret_cast<float*>(static_cast<char*>(base_) + page_) - n;
  }
  ~GuardedFloats() { munmap(base_, 2 * page_); }
  GuardedFloats(const GuardedFloats&) = delete;
  GuardedFloats& operator=(const GuardedFloats&) = delete;
  float* data() { return data_; }

 private:
  size_t page_;
  void* base_;
  float* data_;
};

}  // namespace check
