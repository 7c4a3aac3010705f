// Flush-to-zero for native code, restored for the caller. Subnormal floats (|x| < 2^-126) take a microcode assist
// on most x86 cores, about 100 cycles per instruction that reads or writes one: Adam's moments decay into that range
// over epochs, and one Adam step over a 218,784-float model with 2.5% subnormal moments went from 150 us (FTZ+DAZ)
// to 1,440 us (IEEE) on a Xeon (issue 10). TensorFlow's ScopedFlushDenormal and XNNPACK/pthreadpool set the same
// bits around their work; PyTorch leaves them off unless torch.set_flush_denormal(True).
//
//   x86-64:  MXCSR.FTZ (bit 15: subnormal results become 0) and MXCSR.DAZ (bit 6: subnormal inputs read as 0)
//   AArch64: FPCR.FZ (bit 24: both, for scalar FP and AdvSIMD alike)
//   other:   no-op (flush_bits_mask() == 0)
//
// FpGuard saves this thread's control register, sets or clears the flush bits, and writes the saved value back in
// its destructor, so the JS thread leaves every native call with exactly the state it came with: V8 computes with
// doubles in the same register (Number.MIN_VALUE is subnormal), and a flushed JS thread would silently change JS
// arithmetic. Only the flush bits change; rounding mode and exception masks stay the caller's.
//
// Which way entry points go is one process-wide switch: flush by default, IEEE subnormals when
// SIMDNET_SUBNORMALS=ieee is in the environment at load or after set_flush_subnormals(false). Thread-pool jobs do not
// read the switch: each worker takes the submitting thread's bits (runtime/threadpool.cc), so a job runs the same
// way on every thread whoever submitted it (the addon under its guard, a C++ test with or without one).
#pragma once
#include <cstdint>
#include <string>

namespace simdnet {

// The flush bits this target has in its FP control register (0 where there are none, e.g. x86-64 DAZ on a CPU
// whose MXCSR_MASK lacks it: then only FTZ).
uint64_t flush_bits_mask() noexcept;
// This thread's flush bits now (a subset of flush_bits_mask()).
uint64_t current_flush_bits() noexcept;

// The process-wide switch read by FpGuard(): true = flush (the default), false = IEEE subnormals.
bool flush_subnormals() noexcept;
void set_flush_subnormals(bool flush) noexcept;
// The flush bits this thread had before its outermost live FpGuard (its current bits when it has none): the JS
// thread's own state inside a binding. A thread created now inherits the creator's register (Linux clone copies the
// FP state), so code that may start threads from inside a binding -- the first AsyncWorker::Queue starts libuv's
// pool -- does it under FpGuard(entry_flush_bits()), or those threads would keep FTZ/DAZ for every later task.
uint64_t entry_flush_bits() noexcept;
// Message from a SIMDNET_SUBNORMALS value other than "flush" or "ieee", or empty (the addon throws it at load).
const std::string& subnormals_env_error();

class FpGuard {
 public:
  // Flush bits on if flush_subnormals(), else off.
  FpGuard() noexcept;
  // Exactly these flush bits (masked to flush_bits_mask()): a thread-pool worker copying its submitter's.
  explicit FpGuard(uint64_t flush_bits) noexcept;
  ~FpGuard();
  FpGuard(const FpGuard&) = delete;
  FpGuard& operator=(const FpGuard&) = delete;

 private:
  uint64_t saved_;
  bool changed_;
};

}  // namespace simdnet
