// JobInput: an array an async job (ops-engine.cc) reads on a libuv thread, held so that nothing JavaScript does while
// the job runs can free or change the bytes under it.
//
// A JS ArrayBuffer can be detached at any time on the JS thread: postMessage(x, [x.buffer]) to a Worker,
// structuredClone with transfer, napi_detach_arraybuffer from any addon. Its backing store then belongs to the
// receiver and is freed when that side collects it; N-API gives no way to keep a backing store alive. A Napi
// reference to the typed array keeps the JS object, not the memory (that was the SIGSEGV of issue 11). So:
//   - x, and y unless it holds sparse labels, when it is an allocF32 block (ops-buffer.cc: memory this addon owns;
//     Node clones external buffers instead of transferring them), is PINNED: releaseF32 and the buffer's finalizer
//     still detach it / drop it, but the block is freed only when the last pin goes. No copy.
//   - any other x or y, and every array whose values the job uses as indices after checking them at call time
//     (sparse labels, sample order) or as validated numbers (lrPerStep), is COPIED here, at call time, into memory
//     the job owns (block_alloc). lib/engine/native-engine.ts never sends a large x or y this way: it snapshots them
//     into allocF32 blocks first, in slices with event-loop turns between (lib/engine/snapshot.ts), so this
//     synchronous copy meets small arrays (sparse labels, order, lrPerStep) or direct addon callers.
// Both constructor and destructor run on the JS thread (an AsyncWorker is deleted there after OnOK/OnError).
#pragma once
#include <napi.h>

#include <cstddef>

namespace simdnet::addon {

struct Block;  // ops-buffer.cc

// JS thread. If `arraybuffer` is a live (not detached) allocF32 block: one more pin on it, returned; else nullptr.
Block* pin_block(napi_env env, napi_value arraybuffer);
// JS thread. Drops a pin; the block is freed if JS released it (releaseF32 or GC) and this was the last pin.
void unpin_block(napi_env env, Block* b);

class JobInput {
 public:
  JobInput() = default;
  // kPin: pin an allocF32 block, else copy (arrays whose values the job only computes with: x). kCopy: always copy
  // (arrays checked at call time whose values the job uses as indices: labels, sample order; a pinned block can still
  // be written by JS, and a label or row index changed after the check would send the job out of bounds).
  enum Mode { kPin, kCopy };
  // `typed_array` has passed get_f32/get_u32 (type, length, not detached); `data` is its data pointer and `bytes`
  // the extent the job reads. Throws (JS exception) only when a copy cannot be allocated.
  JobInput(Napi::Env env, Napi::Value typed_array, const void* data, size_t bytes, Mode mode);
  ~JobInput();
  JobInput(JobInput&& o) noexcept;
  JobInput& operator=(JobInput&& o) noexcept;
  JobInput(const JobInput&) = delete;
  JobInput& operator=(const JobInput&) = delete;

  // What the job reads: the pinned block's bytes or the copy.
  template <typename T>
  const T* get() const {
    return static_cast<const T*>(data_);
  }
  bool pinned() const { return pin_ != nullptr; }

 private:
  void reset() noexcept;
  napi_env env_ = nullptr;
  Block* pin_ = nullptr;
  void* copy_ = nullptr;
  const void* data_ = nullptr;
};

}  // namespace simdnet::addon
